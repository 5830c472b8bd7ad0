// Package fetchtest is a test-only fake upstream for code that fetches feeds
// (package fetch, package poll). It owns an httptest.Server on 127.0.0.1 whose
// routes serve fixture bytes with real conditional-GET handling, and can be
// told to misbehave the way real feed hosts do. It must only be imported from
// _test.go files: it takes a testing.TB and never touches the network beyond
// loopback.
//
// Typical use:
//
//	up := fetchtest.NewServer(t)
//	f := up.Feed("/lwn.rss", fixture, "application/rss+xml") // ETag, Last-Modified, 304s
//	f.SetGzip(true)                                           // gzip when the client accepts it
//	up.Fail("/lwn.rss", fetchtest.Status(503, "120"))         // override until Recover
//	up.FailNext("/lwn.rss", 2, fetchtest.Hang())              // override the next 2 requests only
//	up.Handle("/a", fetchtest.Redirect(301, "/b"))            // any http.Handler, e.g. a loop
//	up.RedirectChain("/old", "/lwn.rss", 301, 308)            // /old -> /old/hop1 -> /lwn.rss
//	... up.URL("/lwn.rss") ... up.Count("/lwn.rss") ... up.LastRequest("/lwn.rss")
//
// Misbehaviours are plain http.Handlers: Status, Redirect, Drip, Huge,
// GzipBomb, Hang; HTMLPage is a page to serve where a feed was expected.
package fetchtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// HTMLPage is what a site serves when a feed URL has gone stale: a page, not
// a feed. Serve it with up.Feed(path, []byte(fetchtest.HTMLPage), "text/html; charset=utf-8").
const HTMLPage = `<!DOCTYPE html>
<html><head><title>Moved</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body><p>Our feed moved.</p></body></html>
`

// Server is a fake upstream. All methods are safe for concurrent use, also
// while requests are being served.
type Server struct {
	srv *httptest.Server

	mu     sync.Mutex
	routes map[string]*route
	counts map[string]int
	last   map[string]http.Header
}

// route is what one path serves: base normally, override while it applies.
type route struct {
	base     http.Handler
	override http.Handler
	left     int // requests the override still applies to; <0 = until Recover
}

// NewServer starts a Server and closes it when the test ends. Unregistered
// paths answer 404 (and are still counted).
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		routes: make(map[string]*route),
		counts: make(map[string]int),
		last:   make(map[string]http.Header),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the server. Connections are cut first so that Hang and Drip
// handlers a client abandoned end at once instead of blocking Close.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL returns the absolute URL of path on this server.
func (s *Server) URL(path string) string {
	return s.srv.URL + path
}

// Feed serves body at path with validators and conditional GET; see Feed.
// It replaces whatever path served before.
func (s *Server) Feed(path string, body []byte, contentType string) *Feed {
	f := newFeed(body, contentType)
	s.Handle(path, f)
	return f
}

// Handle makes path serve h (replacing a feed or earlier handler). Overrides
// set by Fail or FailNext stay in force.
func (s *Server) Handle(path string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routeLocked(path).base = h
}

// Fail makes path serve h instead of its normal content until Recover.
func (s *Server) Fail(path string, h http.Handler) {
	s.FailNext(path, -1, h)
}

// FailNext makes the next n requests to path get h; after that path serves
// its normal content again. A negative n means until Recover.
func (s *Server) FailNext(path string, n int, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.routeLocked(path)
	r.override, r.left = h, n
}

// Recover ends a Fail or FailNext on path.
func (s *Server) Recover(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.routeLocked(path)
	r.override, r.left = nil, 0
}

// RedirectChain registers len(codes) redirects starting at path: path
// answers codes[0] to path+"/hop1", which answers codes[1] to path+"/hop2",
// and the last hop redirects to target (a path on this server or an
// absolute URL). Pass the same code repeatedly for a long chain.
func (s *Server) RedirectChain(path, target string, codes ...int) {
	from := path
	for i, code := range codes {
		to := target
		if i < len(codes)-1 {
			to = fmt.Sprintf("%s/hop%d", path, i+1)
		}
		s.Handle(from, Redirect(code, to))
		from = to
	}
}

// Count reports how many requests reached path (any method, any outcome).
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// LastRequest returns a copy of the headers of the latest request to path,
// or nil if there was none.
func (s *Server) LastRequest(path string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[path].Clone()
}

func (s *Server) routeLocked(path string) *route {
	if !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("fetchtest: path %q must start with /", path))
	}
	r := s.routes[path]
	if r == nil {
		r = &route{}
		s.routes[path] = r
	}
	return r
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	path := req.URL.Path
	s.mu.Lock()
	s.counts[path]++
	s.last[path] = req.Header.Clone()
	var h http.Handler
	if r := s.routes[path]; r != nil {
		h = r.base
		if r.override != nil && r.left != 0 {
			h = r.override
			if r.left > 0 {
				r.left--
			}
		}
	}
	s.mu.Unlock()

	if h == nil {
		http.NotFound(w, req)
		return
	}
	h.ServeHTTP(w, req)
}
