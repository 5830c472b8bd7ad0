package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// spanLog is an upstream's own view of politeness: when each request
// started and ended, and the most in flight at once.
type spanLog struct {
	mu       sync.Mutex
	spans    [][2]time.Time
	inflight int
	most     int
}

func (l *spanLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.inflight++
		l.most = max(l.most, l.inflight)
		start := time.Now()
		l.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // a slow answer widens any overlap
		h.ServeHTTP(w, r)
		l.mu.Lock()
		l.inflight--
		l.spans = append(l.spans, [2]time.Time{start, time.Now()})
		l.mu.Unlock()
	})
}

// Three kernelwire processes polling one Redis, all their sources on one
// host: the host sees one request at a time and at least min_host_gap
// between the end of one and the start of the next, as from one process.
func TestThreeReplicasShareHostGate(t *testing.T) {
	const gap = 300 * time.Millisecond
	up := fetchtest.NewServer(t)
	var reqs spanLog
	body, err := os.ReadFile(filepath.Join("testdata", fixtures[4].file))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(regexp.MustCompile(`(?m)^(\s*)min_host_gap:.*$`).ReplaceAllString(shippedWithoutSources(t), "${1}min_host_gap: 300ms"))
	b.WriteString("\nsources:\n")
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		up.Handle("/"+n, reqs.wrap(fetchtest.NewServer(t).Feed("/"+n, body, "application/atom+xml")))
		b.WriteString("  - {name: " + n + ", url: \"" + up.URL("/"+n) + "\"}\n")
	}
	cfg := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"poll", "--once", "--config", cfg, "--log-level", "error"}, storeFlags(t, "redis")...)

	var replicas []*binary
	for range 3 {
		replicas = append(replicas, startBinary(t, flags...))
	}
	waitReplicas(t, replicas)

	reqs.mu.Lock()
	defer reqs.mu.Unlock()
	if reqs.most != 1 {
		t.Errorf("the host saw %d requests at once, want 1", reqs.most)
	}
	if len(reqs.spans) < 9 {
		t.Fatalf("the host saw %d requests, want every source fetched", len(reqs.spans))
	}
	spans := slices.Clone(reqs.spans)
	slices.SortFunc(spans, func(x, y [2]time.Time) int { return x[0].Compare(y[0]) })
	short := 0
	for i := 1; i < len(spans); i++ {
		if d := spans[i][0].Sub(spans[i-1][1]); d < gap-10*time.Millisecond {
			short++
			t.Errorf("request %d started %v after the previous one ended, want at least %v", i, d, gap)
		}
	}
	t.Logf("%d requests, %d under the gap", len(spans), short)
}
