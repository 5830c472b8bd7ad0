package web

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes is the one place every route and the middleware chain are declared.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.handle("page", s.handlePage))
	mux.Handle("GET /topics/{topic}", s.handle("page", s.handlePage))
	mux.Handle("GET /everything", s.handle("page", s.handlePage))
	mux.Handle("GET /feeds/{file}", s.handle("feed", s.handleFeed))
	mux.Handle("GET /feeds", s.handle("feedlist", s.handleFeedList))
	mux.Handle("GET /feeds.json", s.handle("feedlist", s.handleFeedListJSON))
	mux.Handle("GET /feeds.opml", s.handle("opml", s.handleFeedsOPML))
	mux.Handle("GET /opml", s.handle("opml", s.handleSourcesOPML))
	mux.Handle("GET /favicon.svg", s.instrument("favicon", s.favicon))
	// Browsers ask for /favicon.ico whatever the page says; they sniff the
	// SVG.
	mux.Handle("GET /favicon.ico", s.instrument("favicon", s.favicon))
	mux.Handle("GET /api/sources", s.handle("sources", s.handleSources))
	mux.Handle("GET /healthz", s.handle("healthz", s.handleHealth))
	mux.Handle("GET /readyz", s.handle("readyz", s.handleReady))
	mux.Handle("GET /metrics", s.instrument("metrics",
		promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry})))
	mux.Handle("/", s.handle("notfound", func(w http.ResponseWriter, r *http.Request) error {
		return notFound(mux, w, r)
	}))
	return recoverPanics(s.cfg.Log, mux)
}

// notFound answers what no route took. Every route is GET (and so HEAD):
// the catch-all "/" matches any method, so the mux's own 405 never happens,
// and a POST to a feed would read as "no such page". A path that a GET
// would find gets 405 with Allow instead (RFC 9110 section 15.5.6).
func notFound(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		probe := r.Clone(r.Context())
		probe.Method = http.MethodGet
		if _, pattern := mux.Handler(probe); pattern != "/" {
			w.Header().Set("Allow", "GET, HEAD")
			return &httpError{http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: use GET or HEAD", r.Method, r.URL.Path)}
		}
	}
	return errNotFound("no such page: %s", r.URL.Path)
}
