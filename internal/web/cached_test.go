package web

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// countingStore is a real store that counts the item reads it serves.
type countingStore struct {
	store.Store
	reads atomic.Int64
	now   atomic.Pointer[time.Time] // the server's clock
}

func (c *countingStore) Items(ctx context.Context, q store.Query) ([]item.Item, error) {
	c.reads.Add(1)
	return c.Store.Items(ctx, q)
}

// newCountingServer is newTestServer's store and items behind a read
// counter, with a fixed clock (the page cache is also keyed by the minute).
func newCountingServer(t *testing.T, n int) (*Server, *countingStore) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	saveItems(t, st, 0, n)
	cs := &countingStore{Store: st}
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	cs.now.Store(&start)
	s := New(Config{
		Store: cs, Topics: testTopics, Version: "test", VersionTTL: time.Nanosecond,
		Sources: []item.Source{{Name: "lwn", URL: "https://lwn.net/headlines/rss"}},
		Now:     func() time.Time { return *cs.now.Load() },
	})
	return s, cs
}

// TestPageCached: a crowd asking for the page costs one render per store
// version, like a feed, and gets the cached bytes with validators and gzip.
func TestPageCached(t *testing.T) {
	s, st := newCountingServer(t, 5)
	const clients = 100
	var wg sync.WaitGroup
	codes := make([]int, clients)
	etags := make([]string, clients)
	for i := range clients {
		wg.Go(func() {
			rec := do(t, s, "/")
			codes[i], etags[i] = rec.Code, rec.Header().Get("ETag")
		})
	}
	wg.Wait()
	for i := range clients {
		if codes[i] != http.StatusOK || etags[i] == "" || etags[i] != etags[0] {
			t.Fatalf("client %d: status %d ETag %q, want 200 and the shared ETag %q", i, codes[i], etags[i], etags[0])
		}
	}
	if got := st.reads.Load(); got != 1 {
		t.Errorf("%d clients caused %d item reads, want 1 (one render)", clients, got)
	}
	if rec := do(t, s, "/", "If-None-Match", etags[0]); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}
	gz := do(t, s, "/", "Accept-Encoding", "gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("page not gzip-compressed: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(zr); !strings.Contains(string(body), "Article 4") {
		t.Errorf("gzip page lacks the newest item")
	}
	// A store change reaches the page.
	saveItems(t, st, 5, 6)
	if body := do(t, s, "/").Body.String(); !strings.Contains(body, "Article 5") {
		t.Error("page after a new item lacks it")
	}
	if got := st.reads.Load(); got != 2 {
		t.Errorf("item reads after a store change = %d, want 2", got)
	}
	// Another query is another entry.
	do(t, s, "/topics/releases")
	do(t, s, "/topics/releases")
	if got := st.reads.Load(); got != 3 {
		t.Errorf("item reads after a topic page twice = %d, want 3", got)
	}
	// Relative times move on: a minute later the page is rendered again,
	// within the minute it is not.
	later := st.now.Load().Add(59 * time.Second)
	st.now.Store(&later)
	do(t, s, "/")
	if got := st.reads.Load(); got != 3 {
		t.Errorf("item reads 59 s later = %d, want 3", got)
	}
	later = later.Add(time.Second)
	st.now.Store(&later)
	do(t, s, "/")
	if got := st.reads.Load(); got != 4 {
		t.Errorf("item reads a minute later = %d, want 4", got)
	}
}

// TestPageStaleAcrossMinutes: the page cached before the store went down is
// served stale even once its minute has passed.
func TestPageStaleAcrossMinutes(t *testing.T) {
	s, st := newCountingServer(t, 2)
	before := do(t, s, "/")
	st.Close()
	later := st.now.Load().Add(10 * time.Minute)
	st.now.Store(&later)
	rec := do(t, s, "/")
	if rec.Code != http.StatusOK || rec.Header().Get("Warning") == "" || rec.Body.String() != before.Body.String() {
		t.Errorf("page 10 minutes into an outage: %d, Warning %q; want the stale copy", rec.Code, rec.Header().Get("Warning"))
	}
}

// TestStaleWhenStoreDown: with the store gone, what was rendered is still
// served, marked stale; what was not is a 503 saying so; /readyz stays
// honest.
func TestStaleWhenStoreDown(t *testing.T) {
	s, st := newTestServer(t, 3)
	paths := []string{"/feeds/all.atom", "/feeds/rust.json?limit=2", "/", "/topics/rust", "/feeds"}
	before := map[string]*httptest.ResponseRecorder{}
	for _, p := range paths {
		rec := do(t, s, p)
		if rec.Code != http.StatusOK || rec.Header().Get("Warning") != "" {
			t.Fatalf("%s with the store up: %d, Warning %q", p, rec.Code, rec.Header().Get("Warning"))
		}
		before[p] = rec
	}
	st.Close()
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			rec := do(t, s, p)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200 from the cached copy: %s", rec.Code, rec.Body)
			}
			if w := rec.Header().Get("Warning"); !strings.HasPrefix(w, "111 ") {
				t.Errorf("Warning %q, want a 111 (revalidation failed)", w)
			}
			if got, want := rec.Header().Get("ETag"), before[p].Header().Get("ETag"); got != want {
				t.Errorf("ETag %s, want the cached %s", got, want)
			}
			if rec.Body.String() != before[p].Body.String() {
				t.Error("stale body differs from the cached one")
			}
		})
	}
	never := do(t, s, "/feeds/releases.rss")
	if never.Code != http.StatusServiceUnavailable || never.Header().Get("Retry-After") == "" {
		t.Errorf("uncached feed with the store down: %d Retry-After %q, want 503 with Retry-After", never.Code, never.Header().Get("Retry-After"))
	}
	if rec := do(t, s, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store down: %d, want 503", rec.Code)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s, _ := newTestServer(t, 1)
	tests := []struct {
		method, path string
		code         int
	}{
		{http.MethodPost, "/feeds/all.atom", http.StatusMethodNotAllowed},
		{http.MethodPut, "/feeds/rust.json", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed},
		{http.MethodPost, "/topics/rust", http.StatusMethodNotAllowed},
		{http.MethodPatch, "/api/sources", http.StatusMethodNotAllowed},
		{http.MethodOptions, "/feeds.opml", http.StatusMethodNotAllowed},
		{http.MethodPost, "/no/such/page", http.StatusNotFound},
		{http.MethodHead, "/feeds/all.atom", http.StatusOK},
		{http.MethodHead, "/", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(tc.method, "http://kw.example"+tc.path, nil))
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tc.code, rec.Body)
			}
			allow := rec.Header().Get("Allow")
			if tc.code == http.StatusMethodNotAllowed && allow != "GET, HEAD" {
				t.Errorf("Allow %q, want \"GET, HEAD\"", allow)
			}
			if tc.code != http.StatusMethodNotAllowed && allow != "" {
				t.Errorf("Allow %q on a %d", allow, tc.code)
			}
		})
	}
}

func TestHTMLSecurityHeaders(t *testing.T) {
	s, _ := newTestServer(t, 1)
	for _, p := range []string{"/", "/topics/rust?q=article", "/feeds"} {
		t.Run(p, func(t *testing.T) {
			h := do(t, s, p).Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s", csp, want)
				}
			}
			if got := h.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if got := h.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options %q", got)
			}
		})
	}
}

// TestBaseURLWinsOverHost: with a base URL set, no id, self link or page
// link comes from the request's Host or X-Forwarded-Proto.
func TestBaseURLWinsOverHost(t *testing.T) {
	cfg := fixtureConfig()
	cfg.BaseURL = "https://news.example.org/"
	s, _ := newFixtureServer(t, cfg)
	for _, p := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/security.json?q=fedora", "/", "/topics/releases", "/feeds", "/feeds.json", "/feeds.opml"} {
		t.Run(p, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://evil.example"+p, nil)
			req.Header.Set("X-Forwarded-Proto", "http")
			req.Header.Set("X-Forwarded-Host", "evil.example")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, body)
			}
			if strings.Contains(body, "evil.example") {
				t.Errorf("the Host header reached the document")
			}
			if !strings.Contains(body, "https://news.example.org/") {
				t.Errorf("the document does not use the base URL")
			}
		})
	}
}
