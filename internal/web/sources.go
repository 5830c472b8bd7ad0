package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
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
	// LastErrorClass is the kind of the last failure ("timeout",
	// "refused", "dns", "tls", "http-5xx" ...); LastError, its text, is
	// shown only to operators who ask (Config.ErrorDetail): a dial error
	// says what answers on which address and port, which would make the
	// report a port scanner for whoever can add a source.
	LastErrorClass string    `json:"last_error_class,omitempty"`
	LastError      string    `json:"last_error,omitempty"`
	LastErrorAt    time.Time `json:"last_error_at,omitzero"`
	LastSuccess    time.Time `json:"last_success,omitzero"`
	LastStatus     int       `json:"last_status,omitempty"`
	ItemsSeen      int64     `json:"items_seen"`
	Disabled       bool      `json:"disabled"`
	DisableReason  string    `json:"disable_reason,omitempty"`
	// Interval is the adapted interval once polled, else the configured
	// one (empty when feeds.yaml leaves it to the default).
	Interval        string  `json:"interval,omitempty"`
	IntervalSeconds float64 `json:"interval_seconds,omitempty"`
	// Polled is false for a source no poller has reached yet.
	Polled bool `json:"polled"`
}

// SourceReports merges sources (feeds.yaml order) with their stored states.
// A state whose source left feeds.yaml is not shown: nobody polls it. detail
// keeps the error texts, not only their classes.
func SourceReports(ctx context.Context, st store.Store, sources []item.Source, detail bool) ([]SourceReport, error) {
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
			r.LastErrorAt, r.LastSuccess = s.LastErrorAt, s.LastSuccess
			if s.LastError != "" {
				// A state stored before classes were has none.
				r.LastErrorClass = cmp.Or(s.LastErrorClass, "error")
				if detail {
					r.LastError = s.LastError
				}
			}
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
	reports, err := SourceReports(ctx, s.cfg.Store, s.cfg.Sources, s.cfg.ErrorDetail)
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

// sourceHealth is what the page says about the sources: how many there
// are, how many were polled, and why they fail when all of them do.
type sourceHealth struct {
	count   int // sources known to the config or the store
	polled  int // configured sources some poller has reached
	failing int // of those, failing at their last poll (or disabled)
	total   int // configured sources
	reasons map[string]int
}

func (s *Server) sourceHealth(ctx context.Context) (sourceHealth, error) {
	states, err := s.cfg.Store.SourceStates(ctx)
	if err != nil {
		return sourceHealth{}, fmt.Errorf("source states: %w", err)
	}
	h := sourceHealth{count: max(len(states), len(s.cfg.Sources)), total: len(s.cfg.Sources), reasons: map[string]int{}}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	for _, src := range s.cfg.Sources {
		st, ok := byName[src.Name]
		if !ok || st.ConfigURL != src.URL {
			continue
		}
		h.polled++
		switch {
		case st.Disabled:
			h.failing++
			h.reasons["disabled"]++
		case st.Failures > 0:
			h.failing++
			h.reasons[errorClass(st.LastError)]++
		}
	}
	return h, nil
}

// notice is "8 sources failing: DNS lookup failed (5), connection refused
// (3)" when every configured source failed its last poll, else "".
func (h sourceHealth) notice() string {
	if h.total == 0 || h.failing < h.total {
		return ""
	}
	reasons := slices.Collect(maps.Keys(h.reasons))
	slices.SortFunc(reasons, func(a, b string) int {
		return cmp.Or(cmp.Compare(h.reasons[b], h.reasons[a]), cmp.Compare(a, b))
	})
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		if h.reasons[r] > 1 || len(reasons) > 1 {
			r = fmt.Sprintf("%s (%d)", r, h.reasons[r])
		}
		parts = append(parts, r)
	}
	noun := "sources"
	if h.failing == 1 {
		noun = "source"
	}
	return fmt.Sprintf("%d %s failing: %s", h.failing, noun, strings.Join(parts, ", "))
}

// errorClass names a poll error the way a reader can act on: the kind of
// failure, not the dial trace (which also names hosts and ports).
func errorClass(msg string) string {
	m := strings.ToLower(msg)
	for _, c := range []struct{ needle, class string }{
		{"no such host", "DNS lookup failed"},
		{"server misbehaving", "DNS lookup failed"},
		{"connection refused", "connection refused"},
		{"connection reset", "connection reset"},
		{"network is unreachable", "network unreachable"},
		{"no route to host", "network unreachable"},
		{"certificate", "TLS certificate problem"},
		{"tls", "TLS handshake failed"},
		{"timeout", "timed out"},
		{"deadline exceeded", "timed out"},
		{"private", "private address refused"},
		{"not a feed", "not a feed"},
	} {
		if strings.Contains(m, c.needle) {
			return c.class
		}
	}
	if i := strings.Index(m, "status "); i >= 0 && len(m) >= i+10 {
		if code := m[i+7 : i+10]; code[0] >= '1' && code[0] <= '5' {
			return "HTTP " + code
		}
	}
	if msg == "" {
		return "unknown error"
	}
	return "other errors"
}
