package web

import (
	"fmt"
	"net/http"
)

// handleHealth says the process is up; it touches nothing else, so an
// orchestrator does not restart a healthy process because Redis blinked.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := fmt.Fprintln(w, "ok")
	return err
}

// handleReady says the store answers; a replica that cannot reach Redis is
// taken out of the load balancer instead of serving errors.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := withTimeout(r)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.cfg.Log.Warn("store not ready", "err", err)
		return &httpError{http.StatusServiceUnavailable, "store unreachable"}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := fmt.Fprintln(w, "ready")
	return err
}
