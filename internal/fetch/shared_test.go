package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// turns is a SharedGate in memory that records what Get asks of it; the
// Redis one is tested against Redis in redisstore and with three processes
// in cmd/kernelwire.
type turns struct {
	mu       sync.Mutex
	busyFor  int // answer "not yet" this many times first
	err      error
	log      []string
	released []time.Duration
}

func (g *turns) AcquireHost(_ context.Context, host, token string, hold time.Duration) (bool, time.Duration, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return false, 0, false, g.err
	}
	if g.busyFor > 0 {
		g.busyFor--
		g.log = append(g.log, "wait "+host)
		return false, 5 * time.Millisecond, true, nil
	}
	g.log = append(g.log, "take "+host)
	return true, 0, false, nil
}

func (g *turns) ReleaseHost(_ context.Context, host, token string, gap time.Duration) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = append(g.log, "release "+host)
	g.released = append(g.released, gap)
	return nil
}

func TestGetTakesSharedTurn(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/feed", []byte(feedXML), "application/rss+xml")
	up.Handle("/busy", fetchtest.Status(http.StatusServiceUnavailable, "120"))
	tests := []struct {
		name      string
		path      string
		gate      *turns
		wantLog   string
		wantGap   time.Duration
		wantErr   string
		wantCount int
	}{
		{"a turn around the request", "/feed", &turns{}, "take 127.0.0.1 release 127.0.0.1", time.Second, "", 1},
		{"waits its turn", "/feed", &turns{busyFor: 2}, "wait 127.0.0.1 wait 127.0.0.1 take 127.0.0.1 release 127.0.0.1", time.Second, "", 1},
		{"Retry-After held for all", "/busy", &turns{}, "take 127.0.0.1 release 127.0.0.1", 120 * time.Second, "status 503", 1},
		{"gate down: no request", "/feed", &turns{err: errors.New("redis down")}, "", 0, "shared host gate: redis down", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := up.Count(tc.path)
			c := New(Config{AllowPrivateNetworks: true, MinHostGap: time.Second, SharedGate: tc.gate})
			c.gate.minGap = 0 // the local gap is not under test
			_, err := c.Get(t.Context(), Request{URL: up.URL(tc.path)})
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if got := strings.Join(tc.gate.log, " "); got != tc.wantLog {
				t.Errorf("gate calls %q, want %q", got, tc.wantLog)
			}
			if tc.wantGap > 0 && (len(tc.gate.released) != 1 || tc.gate.released[0] != tc.wantGap) {
				t.Errorf("released with gap %v, want %v", tc.gate.released, tc.wantGap)
			}
			if n := up.Count(tc.path) - before; n != tc.wantCount {
				t.Errorf("%d requests, want %d", n, tc.wantCount)
			}
		})
	}
}
