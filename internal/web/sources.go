package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// SourceReport is one source as GET /api/sources shows it: feeds.yaml's view
// merged with the state the pollers stored. Times are RFC 3339 and omitted
// when zero; Interval is a Go duration ("15m0s") with IntervalSeconds beside
// it for scripts.
type SourceReport struct {
	Name string `json:"name"`
	// URL is the URL polled: feeds.yaml's, or where a permanent redirect
	// led; ConfigURL is feeds.yaml's when they differ.
	URL                 string    `json:"url"`
	ConfigURL           string    `json:"config_url,omitempty"`
	ETag                string    `json:"etag,omitempty"`
	LastModified        string    `json:"last_modified,omitempty"`
	NextPoll            time.Time `json:"next_poll,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	LastError           string    `json:"last_error,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastStatus          int       `json:"last_status,omitempty"`
	ItemsSeen           int64     `json:"items_seen"`
	Disabled            bool      `json:"disabled"`
	DisableReason       string    `json:"disable_reason,omitempty"`
	// Interval is the adapted interval once polled, else the configured
	// one (empty when feeds.yaml leaves it to the default).
	Interval        string  `json:"interval,omitempty"`
	IntervalSeconds float64 `json:"interval_seconds,omitempty"`
	// Polled is false for a source no poller has reached yet.
	Polled bool `json:"polled"`
}

// SourceReports merges sources (feeds.yaml order) with their stored states.
// A state whose source left feeds.yaml is not shown: nobody polls it.
func SourceReports(ctx context.Context, st store.Store, sources []item.Source) ([]SourceReport, error) {
	states, err := st.SourceStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("source reports: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, s := range states {
		byName[s.Name] = s
	}
	out := make([]SourceReport, 0, len(sources))
	for _, src := range sources {
		r := SourceReport{Name: src.Name, URL: src.URL}
		iv := src.Interval
		if s, ok := byName[src.Name]; ok && s.ConfigURL == src.URL {
			// A state stored for another URL is stale: the poller
			// drops it at the next poll, so it is not shown either.
			r.Polled = true
			if s.URL != "" && s.URL != src.URL {
				r.URL, r.ConfigURL = s.URL, src.URL
			}
			r.ETag, r.LastModified = s.ETag, s.LastModified
			r.NextPoll, r.ConsecutiveFailures = s.NextPoll, s.Failures
			r.LastError, r.LastErrorAt, r.LastSuccess = s.LastError, s.LastErrorAt, s.LastSuccess
			r.LastStatus, r.ItemsSeen = s.LastStatus, s.ItemsSeen
			r.Disabled, r.DisableReason = s.Disabled, s.DisableReason
			if s.Interval > 0 {
				iv = s.Interval
			}
		}
		if iv > 0 {
			r.Interval, r.IntervalSeconds = iv.String(), iv.Seconds()
		}
		out = append(out, r)
	}
	return out, nil
}

// handleSources serves GET /api/sources. It is never cached: it is what an
// operator looks at to see whether a failing source has recovered.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := withTimeout(r)
	defer cancel()
	reports, err := SourceReports(ctx, s.cfg.Store, s.cfg.Sources)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(struct {
		Sources []SourceReport `json:"sources"`
	}{reports}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode sources: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A failed write means the client left; there is nobody to tell.
	_, _ = w.Write(append(body, '\n'))
	return nil
}
