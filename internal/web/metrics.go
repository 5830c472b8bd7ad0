package web

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kernelwire_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kernelwire_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9),
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// routeRequests are one route's request counters by status code, each
// made on its first request: looking the labels up per request (the
// code formatted, both labels hashed, the vector's lock) was a share of
// what serving a cached feed cost.
type routeRequests struct {
	vec    *prometheus.CounterVec
	route  string
	byCode [600]atomic.Pointer[prometheus.Counter]
}

func (rr *routeRequests) inc(code int) {
	if code < 0 || code >= len(rr.byCode) {
		rr.vec.WithLabelValues(rr.route, strconv.Itoa(code)).Inc()
		return
	}
	c := rr.byCode[code].Load()
	if c == nil {
		// Two first requests may both get here: WithLabelValues returns
		// the one counter to both.
		made := rr.vec.WithLabelValues(rr.route, strconv.Itoa(code))
		c = &made
		rr.byCode[code].Store(c)
	}
	(*c).Inc()
}

func (s *Server) instrument(route string, next http.Handler) http.Handler {
	requests := &routeRequests{vec: s.metrics.requests, route: route}
	latency := s.metrics.latency.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		requests.inc(code)
		latency.Observe(time.Since(start).Seconds())
	})
}
