package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/kernelwire/kernelwire/internal/store"
)

// httpError is an error with the status it maps to and a message safe to show.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func errNotFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func errBadRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// handlerFunc is a handler that reports failure as an error; handle maps the
// error to a status in one place.
type handlerFunc func(http.ResponseWriter, *http.Request) error

func (s *Server) handle(route string, h handlerFunc) http.Handler {
	return s.instrument(route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		code, msg := http.StatusInternalServerError, "internal error"
		var he *httpError
		switch {
		case errors.As(err, &he):
			code, msg = he.code, he.msg
		case errors.Is(err, store.ErrNotFound):
			code, msg = http.StatusNotFound, "not found"
		case errors.Is(err, context.Canceled):
			// The client went away; nobody reads the answer.
			return
		case errors.Is(err, errStoreDown):
			code, msg = http.StatusServiceUnavailable, "store unreachable; try again shortly"
			w.Header().Set("Retry-After", "5")
		case errors.Is(err, context.DeadlineExceeded):
			code, msg = http.StatusServiceUnavailable, "store did not answer in time"
		}
		if code >= 500 && !errors.Is(err, errStoreDown) { // an outage is logged once, in version
			s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		fmt.Fprintln(w, msg)
	}))
}

// recoverPanics turns a handler panic into a 500 and a log line instead of a
// dropped connection.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("handler panic", "path", r.URL.Path, "err", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withTimeout bounds store work per request.
func withTimeout(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 10*time.Second)
}
