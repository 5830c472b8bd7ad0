package fetchtest

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const fixture = `<rss version="2.0"><channel><title>t</title></channel></rss>`

// get sends a GET with the given headers through a client that follows no
// redirects and does not decompress, so tests see exactly what was served.
func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestFeedConditional(t *testing.T) {
	up := NewServer(t)
	f := up.Feed("/f", []byte(fixture), "application/rss+xml")
	old := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"unconditional", nil, 200},
		{"etag match", map[string]string{"If-None-Match": f.ETag()}, 304},
		{"weak etag match", map[string]string{"If-None-Match": "W/" + f.ETag()}, 304},
		{"etag in list", map[string]string{"If-None-Match": `"x", ` + f.ETag()}, 304},
		{"star", map[string]string{"If-None-Match": "*"}, 304},
		{"etag mismatch", map[string]string{"If-None-Match": `"x"`}, 200},
		{"date current", map[string]string{"If-Modified-Since": f.LastModified()}, 304},
		{"date old", map[string]string{"If-Modified-Since": old}, 200},
		{"date garbage", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"etag mismatch beats current date", map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": f.LastModified()}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, up.URL("/f"), tc.header)
			if resp.StatusCode != tc.want {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, tc.want)
			}
			wantBody := fixture
			if tc.want == 304 {
				wantBody = ""
			}
			if body != wantBody {
				t.Errorf("body: got %q, want %q", body, wantBody)
			}
			if resp.Header.Get("ETag") != f.ETag() || resp.Header.Get("Last-Modified") != f.LastModified() {
				t.Errorf("validators: got %q %q, want %q %q", resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), f.ETag(), f.LastModified())
			}
		})
	}
}

func TestFeedUpdateAndOptions(t *testing.T) {
	up := NewServer(t)
	f := up.Feed("/f", []byte(fixture), "application/rss+xml")
	etag, modified := f.ETag(), f.LastModified()
	f.Update([]byte(fixture + " "))
	if f.ETag() == etag || f.LastModified() == modified {
		t.Fatalf("Update kept validators %q %q", f.ETag(), f.LastModified())
	}
	if resp, _ := get(t, up.URL("/f"), map[string]string{"If-None-Match": etag}); resp.StatusCode != 200 {
		t.Errorf("old etag after Update: got %d, want 200", resp.StatusCode)
	}
	if resp, _ := get(t, up.URL("/f"), map[string]string{"If-Modified-Since": modified}); resp.StatusCode != 200 {
		t.Errorf("old date after Update: got %d, want 200", resp.StatusCode)
	}

	f.SetBare304(true)
	resp, _ := get(t, up.URL("/f"), map[string]string{"If-None-Match": f.ETag()})
	if resp.StatusCode != 304 || resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
		t.Errorf("bare 304: got %d with %q %q", resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	}

	f.SetValidators(false, false)
	resp, _ = get(t, up.URL("/f"), map[string]string{"If-None-Match": "*", "If-Modified-Since": f.LastModified()})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
		t.Errorf("no validators: got %d with %q %q", resp.StatusCode, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	}

	f.SetGzip(true)
	if resp, body := get(t, up.URL("/f"), nil); resp.Header.Get("Content-Encoding") != "" || body != fixture+" " {
		t.Errorf("gzip without Accept-Encoding: got %q %q", resp.Header.Get("Content-Encoding"), body)
	}
	resp, body := get(t, up.URL("/f"), map[string]string{"Accept-Encoding": "br, gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding: got %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != fixture+" " {
		t.Errorf("gunzipped: got %q", plain)
	}
}

func TestFailAndCount(t *testing.T) {
	up := NewServer(t)
	up.Feed("/f", []byte(fixture), "application/rss+xml")
	up.FailNext("/f", 2, Status(http.StatusTooManyRequests, "120"))

	want := []int{429, 429, 200}
	for i, code := range want {
		resp, _ := get(t, up.URL("/f"), map[string]string{"X-Try": string(rune('a' + i))})
		if resp.StatusCode != code {
			t.Errorf("request %d: got %d, want %d", i, resp.StatusCode, code)
		}
		if code == 429 && resp.Header.Get("Retry-After") != "120" {
			t.Errorf("request %d: Retry-After %q, want 120", i, resp.Header.Get("Retry-After"))
		}
	}
	up.Fail("/f", Status(http.StatusServiceUnavailable, ""))
	for range 3 {
		if resp, _ := get(t, up.URL("/f"), nil); resp.StatusCode != 503 {
			t.Errorf("during Fail: got %d, want 503", resp.StatusCode)
		}
	}
	up.Recover("/f")
	if resp, _ := get(t, up.URL("/f"), map[string]string{"X-Try": "last"}); resp.StatusCode != 200 {
		t.Errorf("after Recover: got %d, want 200", resp.StatusCode)
	}
	if resp, _ := get(t, up.URL("/nowhere"), nil); resp.StatusCode != 404 {
		t.Errorf("unknown path: got %d, want 404", resp.StatusCode)
	}

	if got := up.Count("/f"); got != 7 {
		t.Errorf("Count(/f) = %d, want 7", got)
	}
	if got := up.Count("/nowhere"); got != 1 {
		t.Errorf("Count(/nowhere) = %d, want 1", got)
	}
	if got := up.LastRequest("/f").Get("X-Try"); got != "last" {
		t.Errorf("LastRequest X-Try = %q, want last", got)
	}
	if up.LastRequest("/never") != nil {
		t.Error("LastRequest of an unrequested path is not nil")
	}
}

func TestRedirectChain(t *testing.T) {
	up := NewServer(t)
	up.RedirectChain("/old", "/new", 301, 302, 308)
	tests := []struct {
		path, wantLocation string
		wantCode           int
	}{
		{"/old", "/old/hop1", 301},
		{"/old/hop1", "/old/hop2", 302},
		{"/old/hop2", "/new", 308},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, _ := get(t, up.URL(tc.path), nil)
			if resp.StatusCode != tc.wantCode || resp.Header.Get("Location") != tc.wantLocation {
				t.Errorf("got %d to %q, want %d to %q", resp.StatusCode, resp.Header.Get("Location"), tc.wantCode, tc.wantLocation)
			}
		})
	}
}

func TestGzipBombIsValidGzip(t *testing.T) {
	const n = 3<<20 + 5
	up := NewServer(t)
	up.Handle("/bomb", GzipBomb(n))
	resp, body := get(t, up.URL("/bomb"), nil)
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) > n/500 {
		t.Fatalf("got encoding %q and %d bytes on the wire", resp.Header.Get("Content-Encoding"), len(body))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.Copy(io.Discard, zr); got != n || err != nil {
		t.Errorf("decompressed %d bytes (%v), want %d", got, err, n)
	}
}
