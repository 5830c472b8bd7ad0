package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes is the one place every route and the middleware chain are declared.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.handle("page", s.handlePage))
	mux.Handle("GET /topics/{topic}", s.handle("page", s.handlePage))
	mux.Handle("GET /feeds/{file}", s.handle("feed", s.handleFeed))
	mux.Handle("GET /feeds", s.handle("feedlist", s.handleFeedList))
	mux.Handle("GET /feeds.json", s.handle("feedlist", s.handleFeedListJSON))
	mux.Handle("GET /feeds.opml", s.handle("opml", s.handleFeedsOPML))
	mux.Handle("GET /opml", s.handle("opml", s.handleSourcesOPML))
	mux.Handle("GET /api/sources", s.handle("sources", s.handleSources))
	mux.Handle("GET /healthz", s.handle("healthz", s.handleHealth))
	mux.Handle("GET /readyz", s.handle("readyz", s.handleReady))
	mux.Handle("GET /metrics", s.instrument("metrics",
		promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry})))
	mux.Handle("/", s.handle("notfound", func(w http.ResponseWriter, r *http.Request) error {
		return errNotFound("no such page: %s", r.URL.Path)
	}))
	return recoverPanics(s.cfg.Log, mux)
}
