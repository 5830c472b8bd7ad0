package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

var testTopics = []item.Topic{
	{Slug: "rust", Title: "Rust", Description: "The Rust language"},
	{Slug: "releases", Title: "Kernel releases", Description: "Mainline and stable releases"},
}

// newTestServer serves a real embedded store holding n items, every third of
// them filed under releases, all under rust.
func newTestServer(t *testing.T, n int) (*Server, store.Store) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	saveItems(t, st, 0, n)
	s := New(Config{
		Store: st, Topics: testTopics, Version: "test", VersionTTL: time.Nanosecond,
		Sources: []item.Source{{Name: "lwn", URL: "https://lwn.net/headlines/rss"}},
	})
	return s, st
}

func saveItems(t *testing.T, st store.Store, from, to int) {
	t.Helper()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var items []item.Item
	for i := from; i < to; i++ {
		it := item.Item{
			Source: "lwn", GUID: fmt.Sprint(i), Link: fmt.Sprintf("https://lwn.net/Articles/%d/", 1000+i),
			Title: fmt.Sprintf("Article %d <b>&amp;</b>", i), Summary: "<p>Summary</p>",
			Topics: []string{"rust"}, Published: base.Add(time.Duration(i) * time.Hour),
		}
		if i%3 == 0 {
			it.Topics = append(it.Topics, "releases")
		}
		items = append(items, it)
	}
	dedup.Assign(items, "lwn")
	if _, err := st.SaveItems(t.Context(), "lwn", items); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://kw.example"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestFeedFormats(t *testing.T) {
	s, _ := newTestServer(t, 7)
	tests := []struct {
		path, contentType string
		items             int
	}{
		{"/feeds/all.rss", "application/rss+xml; charset=utf-8", 7},
		{"/feeds/all.atom", "application/atom+xml; charset=utf-8", 7},
		{"/feeds/all.json", "application/feed+json; charset=utf-8", 7},
		{"/feeds/releases.atom", "application/atom+xml; charset=utf-8", 3},
		{"/feeds/rust.json?limit=2", "application/feed+json; charset=utf-8", 2},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := do(t, s, tc.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if rec.Header().Get("ETag") == "" || rec.Header().Get("Last-Modified") == "" {
				t.Errorf("missing validators: %v", rec.Header())
			}
			f, err := gofeed.NewParser().Parse(rec.Body)
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if len(f.Items) != tc.items {
				t.Errorf("%d items, want %d", len(f.Items), tc.items)
			}
			for i := 1; i < len(f.Items); i++ {
				if f.Items[i].PublishedParsed.After(*f.Items[i-1].PublishedParsed) {
					t.Errorf("items not newest first at %d", i)
				}
			}
			if len(f.Items) > 0 && !strings.Contains(tc.path, "releases") {
				got := f.Items[0].Title
				if strings.HasSuffix(tc.path, ".rss") {
					// An RSS title that looks like HTML is written as HTML
					// (publish.rssTitle); gofeed hands it over undecoded.
					got = html.UnescapeString(got)
				}
				if got != "Article 6 <b>&amp;</b>" {
					t.Errorf("title %q did not survive", f.Items[0].Title)
				}
			}
		})
	}
}

func TestSelfLinkAndPaging(t *testing.T) {
	s, _ := newTestServer(t, 5)
	rec := do(t, s, "/feeds/all.json?limit=2")
	var page struct {
		FeedURL string `json:"feed_url"`
		NextURL string `json:"next_url"`
		Items   []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if page.FeedURL != "http://kw.example/feeds/all.json?limit=2" {
		t.Errorf("feed_url %q", page.FeedURL)
	}
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Errorf("item %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		if page.NextURL == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		next := strings.TrimPrefix(page.NextURL, "http://kw.example")
		page.NextURL = ""
		page.Items = nil
		if err := json.Unmarshal(do(t, s, next).Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 5 {
		t.Errorf("paging saw %d items, want 5", len(seen))
	}
	atom := do(t, s, "/feeds/rust.atom").Body.String()
	if !strings.Contains(atom, `rel="self"`) || !strings.Contains(atom, `href="http://kw.example/feeds/rust.atom"`) {
		t.Errorf("atom lacks its self link:\n%s", atom[:min(len(atom), 800)])
	}
}

// errorCase is a request that must fail with code, its body saying each
// of says.
type errorCase struct {
	path string
	code int
	says []string
}

// checkErrors makes each request of tests on s.
func checkErrors(t *testing.T, s http.Handler, tests []errorCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := do(t, s, tc.path)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.code, rec.Body)
			}
			for _, w := range tc.says {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body %q does not say %q", rec.Body, w)
				}
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	s, _ := newTestServer(t, 1)
	tests := []errorCase{
		{"/feeds/nope.atom", 404, []string{`unknown feed "nope"`, "all, everything, releases, rust"}},
		{"/feeds/all.xml2", 404, []string{"unknown feed format"}},
		{"/feeds/all", 404, []string{"no feed"}},
		{"/feeds/all.atom?limit=0", 400, []string{"limit", "1 to 1000"}},
		{"/feeds/all.atom?limit=1001", 400, []string{"limit"}},
		{"/feeds/all.atom?limit=ten", 400, []string{`bad limit "ten"`}},
		{"/feeds/all.atom?offset=-1", 400, []string{"offset"}},
		{"/nothing/here", 404, []string{"no such page"}},
	}
	checkErrors(t, s, tests)
}

func TestConditionalAndGzip(t *testing.T) {
	s, st := newTestServer(t, 3)
	first := do(t, s, "/feeds/all.atom")
	etag := first.Header().Get("ETag")
	if got := do(t, s, "/feeds/all.atom", "If-None-Match", etag); got.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", got.Code)
	}
	if got := do(t, s, "/feeds/all.atom", "If-Modified-Since", first.Header().Get("Last-Modified")); got.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: status %d, want 304", got.Code)
	}
	gz := do(t, s, "/feeds/all.atom", "Accept-Encoding", "gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, first.Body.Bytes()) {
		t.Error("gzip body differs from the plain one")
	}
	// The same bytes give the same ETag; a store change gives new bytes.
	if again := do(t, s, "/feeds/all.atom"); again.Header().Get("ETag") != etag {
		t.Errorf("ETag changed without a store change: %s vs %s", again.Header().Get("ETag"), etag)
	}
	saveItems(t, st, 3, 4)
	after := do(t, s, "/feeds/all.atom", "If-None-Match", etag)
	if after.Code != http.StatusOK || after.Header().Get("ETag") == etag {
		t.Errorf("after a new item: status %d etag %s, want 200 and a new ETag", after.Code, after.Header().Get("ETag"))
	}
	if !strings.Contains(after.Body.String(), "Article 3") {
		t.Error("new item not in the feed")
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	s, st := newTestServer(t, 1)
	if rec := do(t, s, "/healthz"); rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
	if rec := do(t, s, "/readyz"); rec.Code != 200 {
		t.Errorf("readyz %d", rec.Code)
	}
	do(t, s, "/feeds/all.rss")
	m := do(t, s, "/metrics").Body.String()
	if !strings.Contains(m, `kernelwire_http_requests_total{code="200",route="feed"} 1`) {
		t.Errorf("metrics lack the feed request:\n%s", m)
	}
	st.Close()
	if rec := do(t, s, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with a closed store: %d, want 503", rec.Code)
	}
	if rec := do(t, s, "/healthz"); rec.Code != 200 {
		t.Errorf("healthz must not depend on the store: %d", rec.Code)
	}
}

func TestPage(t *testing.T) {
	s, _ := newTestServer(t, 2)
	rec := do(t, s, "/")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		`<link rel="alternate" type="application/atom+xml"`,
		`href="http://kw.example/feeds/all.json"`,
		"Article 1 &lt;b&gt;&amp;amp;&lt;/b&gt;", // escaped, never raw
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func BenchmarkCachedFeed(b *testing.B) {
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "kw.db"), store.Options{SeenTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := New(Config{Store: st, Topics: testTopics})
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "http://kw.example/feeds/all.atom", nil)
	for b.Loop() {
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
}
