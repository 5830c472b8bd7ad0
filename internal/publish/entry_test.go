package publish

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testEntry(t *testing.T) *Entry {
	t.Helper()
	e, err := NewEntry([]byte(strings.Repeat("<feed>kernel</feed>\n", 50)), Atom.ContentType(), t0.Add(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNewEntry(t *testing.T) {
	a := testEntry(t)
	b, err := NewEntry(a.Body, "other/type", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.ETag != b.ETag {
		t.Errorf("same body, different ETags %s and %s: the ETag must hash only the bytes", a.ETag, b.ETag)
	}
	if !bytes.Equal(a.Gzip, b.Gzip) {
		t.Error("gzip of the same body differs between entries")
	}
	c, err := NewEntry(append([]byte("x"), a.Body...), a.ContentType, a.LastModified)
	if err != nil {
		t.Fatal(err)
	}
	if c.ETag == a.ETag {
		t.Errorf("different bodies share the ETag %s", a.ETag)
	}
	if !strings.HasPrefix(a.ETag, `"`) || !strings.HasSuffix(a.ETag, `"`) || strings.HasPrefix(a.ETag, "W/") {
		t.Errorf("ETag %s is not a strong quoted entity tag", a.ETag)
	}
	if !a.LastModified.Equal(t0) {
		t.Errorf("LastModified = %v, want whole seconds %v", a.LastModified, t0)
	}
}

func TestEntryServeHTTP(t *testing.T) {
	e := testEntry(t)
	gzTag := e.gzipETag()
	lm := t0.Format(http.TimeFormat)
	tests := []struct {
		name       string
		method     string
		header     map[string]string
		wantStatus int
		wantGzip   bool
		wantBody   bool
		wantETag   string
	}{
		{"get", "GET", nil, 200, false, true, e.ETag},
		{"gzip", "GET", map[string]string{"Accept-Encoding": "br, gzip;q=0.8"}, 200, true, true, gzTag},
		{"gzip refused", "GET", map[string]string{"Accept-Encoding": "gzip;q=0, br"}, 200, false, true, e.ETag},
		{"star encoding", "GET", map[string]string{"Accept-Encoding": "*"}, 200, true, true, gzTag},
		{"head", "HEAD", nil, 200, false, false, e.ETag},
		{"head gzip", "HEAD", map[string]string{"Accept-Encoding": "gzip"}, 200, true, false, gzTag},
		{"inm strong", "GET", map[string]string{"If-None-Match": e.ETag}, 304, false, false, e.ETag},
		{"inm weak", "GET", map[string]string{"If-None-Match": "W/" + e.ETag}, 304, false, false, e.ETag},
		{"inm list", "GET", map[string]string{"If-None-Match": `"a,b", W/"x" ,` + e.ETag}, 304, false, false, e.ETag},
		{"inm star", "GET", map[string]string{"If-None-Match": "*"}, 304, false, false, e.ETag},
		{"inm gzip tag", "GET", map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "gzip"}, 304, false, false, gzTag},
		{"inm other coding's tag", "GET", map[string]string{"If-None-Match": gzTag}, 304, false, false, gzTag},
		{"inm mismatch", "GET", map[string]string{"If-None-Match": `"nope"`}, 200, false, true, e.ETag},
		{"inm garbage", "GET", map[string]string{"If-None-Match": `nope, "unterminated`}, 200, false, true, e.ETag},
		{"inm beats ims", "GET", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": t0.Add(time.Hour).Format(http.TimeFormat)}, 200, false, true, e.ETag},
		{"ims equal", "GET", map[string]string{"If-Modified-Since": lm}, 304, false, false, e.ETag},
		{"ims later", "HEAD", map[string]string{"If-Modified-Since": t0.Add(time.Hour).Format(http.TimeFormat)}, 304, false, false, e.ETag},
		{"ims earlier", "GET", map[string]string{"If-Modified-Since": t0.Add(-time.Second).Format(http.TimeFormat)}, 200, false, true, e.ETag},
		{"ims invalid", "GET", map[string]string{"If-Modified-Since": "yesterday"}, 200, false, true, e.ETag},
		{"post", "POST", nil, 405, false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/feeds/all.atom", nil)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			res := w.Result()
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus == 405 {
				if got := res.Header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q", got)
				}
				return
			}
			for k, want := range map[string]string{
				"ETag":          tc.wantETag,
				"Cache-Control": "public, max-age=60",
				"Vary":          "Accept-Encoding",
				"Last-Modified": lm,
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			body, _ := io.ReadAll(res.Body)
			if tc.wantStatus == 304 {
				if len(body) != 0 || res.Header.Get("Content-Encoding") != "" {
					t.Errorf("304 with body %d bytes, Content-Encoding %q", len(body), res.Header.Get("Content-Encoding"))
				}
				return
			}
			if got := res.Header.Get("Content-Type"); got != e.ContentType {
				t.Errorf("Content-Type = %q", got)
			}
			want := e.Body
			if tc.wantGzip {
				want = e.Gzip
				if got := res.Header.Get("Content-Encoding"); got != "gzip" {
					t.Errorf("Content-Encoding = %q, want gzip", got)
				}
			} else if got := res.Header.Get("Content-Encoding"); got != "" {
				t.Errorf("Content-Encoding = %q, want none", got)
			}
			if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(want)) {
				t.Errorf("Content-Length = %s, want %d", got, len(want))
			}
			if !tc.wantBody {
				if len(body) != 0 {
					t.Errorf("HEAD wrote %d bytes", len(body))
				}
				return
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body differs from the entry's")
			}
			if tc.wantGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(plain, e.Body) {
					t.Errorf("gzip body does not decompress to Body (err %v)", err)
				}
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"deflate", "GZIP ; q=0.5"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0.0, *"}, false},
		{[]string{"*;q=0.1"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"identity"}, false},
		{[]string{"gzip;q=bogus"}, false},
	}
	for _, tc := range tests {
		if got := acceptsGzip(tc.values); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}

// discard is a ResponseWriter that keeps one header map for every
// request, as net/http's does for a connection's requests.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// TestEntryServeAllocates checks that serving a cached entry allocates
// nothing: not the body, not its gzip copy, not a header value.
func TestEntryServeAllocates(t *testing.T) {
	e, err := NewEntry([]byte(strings.Repeat("<entry>x</entry>", 500)), "application/atom+xml", time.Unix(1e9, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, ae := range []string{"", "gzip, deflate, br"} {
		req := httptest.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		w := &discard{h: http.Header{}}
		e.ServeHTTP(w, req) // the map's buckets, once
		allocs := testing.AllocsPerRun(100, func() {
			clear(w.h)
			e.ServeHTTP(w, req)
		})
		if allocs != 0 {
			t.Errorf("Accept-Encoding %q: %.0f allocations per request, want 0", ae, allocs)
		}
		if got := w.h.Get("Content-Length"); (ae != "") != (got == strconv.Itoa(len(e.Gzip))) {
			t.Errorf("Accept-Encoding %q: Content-Length %s", ae, got)
		}
	}
}
