package poll

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the poller's Prometheus collectors, registered on a registry
// the caller owns (no global registry).
type Metrics struct {
	polls       *prometheus.CounterVec
	fetchErrors *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	items       *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kernelwire_polls_total",
			Help: "Polls of a source by outcome (ok, not-modified, unchanged, error, skipped).",
		}, []string{"source", "outcome"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kernelwire_fetch_errors_total",
			Help: "Failed polls of a source.",
		}, []string{"source"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kernelwire_fetch_duration_seconds",
			Help:    "Time to fetch, parse and store one source.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 10),
		}, []string{"source"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kernelwire_items_total",
			Help: "Items seen in polls by outcome (new, updated, duplicate, too_old, over_cap: beyond max_items_per_poll, not ingested).",
		}, []string{"source", "outcome"}),
	}
	reg.MustRegister(m.polls, m.fetchErrors, m.latency, m.items)
	return m
}

func (m *Metrics) observe(r Result) {
	if m == nil {
		return
	}
	m.polls.WithLabelValues(r.Source, r.Outcome()).Inc()
	if r.Skipped != "" {
		return
	}
	m.latency.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
	if r.Err != nil {
		m.fetchErrors.WithLabelValues(r.Source).Inc()
		return
	}
	m.items.WithLabelValues(r.Source, "new").Add(float64(r.New))
	m.items.WithLabelValues(r.Source, "updated").Add(float64(r.Updated))
	m.items.WithLabelValues(r.Source, "duplicate").Add(float64(r.Duplicate))
	m.items.WithLabelValues(r.Source, "too_old").Add(float64(r.TooOld))
	m.items.WithLabelValues(r.Source, "over_cap").Add(float64(r.OverCap))
}
