package poll

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// changing serves a small RSS feed with a new item on every request, so the
// feed always changed and its interval stays at the configured one.
func changing(name string) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://example.org/%s</link>
<item><title>post %d of %s</title><link>https://example.org/%s/%d</link><guid>https://example.org/%s/%d</guid><pubDate>Sun, 01 Nov 2026 12:00:00 GMT</pubDate></item>
</channel></rss>`, name, name, i, name, name, i, name, i)
	})
}

// replicaPoller is one "process": its own store client, fetch client (so
// its own Gate) and Poller, on the shared Redis prefix.
func replicaPoller(t *testing.T, st store.Store, srcs []item.Source) *Poller {
	p := testPoller(t, st, fetch.Config{HeaderTimeout: 10 * time.Second}, srcs...)
	p.cfg.Interval, p.cfg.MinInterval, p.cfg.LeaseTTL = time.Second, time.Second, time.Second
	return p
}

// Three pollers on one Redis, each with its own Run loop: every source is
// fetched about once per interval in all (not once per poller), and never
// twice at once.
func TestThreeReplicasShareSources(t *testing.T) {
	open := redisStore(t)
	up := fetchtest.NewServer(t)
	log := newRequestLog()
	var srcs []item.Source
	for i := range 12 {
		name := fmt.Sprintf("src%02d", i)
		// A slow answer widens the window in which a second poller
		// could wrongly fetch the same source.
		up.Handle("/"+name, logged(log, name, slow(30*time.Millisecond, changing(name))))
		srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		p := replicaPoller(t, open(), srcs)
		wg.Go(func() {
			if err := p.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	log.mu.Lock()
	defer log.mu.Unlock()
	for _, src := range srcs {
		spans := log.spans[src.Name]
		if o := log.overlap[src.Name]; o != 1 {
			t.Errorf("%s: %d requests at once, want 1", src.Name, o)
		}
		// First poll within the first second, then one per 1s ±10%
		// interval: 4 or 5 in 4.5s. Three pollers each polling it would
		// give 12 or more.
		if len(spans) < 3 || len(spans) > 5 {
			t.Errorf("%s: fetched %d times in 4.5s at a 1s interval, want 3 to 5", src.Name, len(spans))
		}
		for i := 1; i < len(spans); i++ {
			if gap := spans[i][0].Sub(spans[i-1][1]); gap < 850*time.Millisecond {
				t.Errorf("%s: fetched again %v after the previous poll, want about 1s", src.Name, gap)
			}
		}
	}
}

// crashable is a replica's store that can "die": from then on it writes
// nothing and releases nothing, as a killed process would not, so its
// leases only go away by expiring.
type crashable struct {
	store.Store
	dead atomic.Bool
}

func (c *crashable) ReleaseLease(ctx context.Context, name, token string) error {
	if c.dead.Load() {
		return nil
	}
	return c.Store.ReleaseLease(ctx, name, token)
}

func (c *crashable) PutSourceState(ctx context.Context, st store.SourceState) error {
	if c.dead.Load() {
		return nil
	}
	return c.Store.PutSourceState(ctx, st)
}

// A poller killed while a slow upstream holds its poll keeps the source's
// lease until it expires; then another poller takes the source over.
func TestReplicaDiesMidPoll(t *testing.T) {
	open := redisStore(t)
	up := fetchtest.NewServer(t)
	log := newRequestLog()
	srcs := []item.Source{{Name: "slow", URL: up.URL("/slow")}, {Name: "quick", URL: up.URL("/quick")}}
	up.Handle("/slow", logged(log, "slow", changing("slow")))
	up.Handle("/quick", logged(log, "quick", changing("quick")))
	up.FailNext("/slow", 1, fetchtest.Hang()) // the first poll never gets an answer

	victimStore := &crashable{Store: open()}
	victim := replicaPoller(t, victimStore, srcs)
	victimCtx, kill := context.WithCancel(t.Context())
	defer kill()
	var wg sync.WaitGroup
	wg.Go(func() { _ = victim.Run(victimCtx) })
	waitFor(t, 3*time.Second, "the victim to be stuck on /slow", func() bool { return up.Count("/slow") == 1 })

	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	for range 2 {
		p := replicaPoller(t, open(), srcs)
		wg.Go(func() { _ = p.Run(ctx) })
	}
	time.Sleep(200 * time.Millisecond) // the survivors find the lease taken
	victimStore.dead.Store(true)
	kill()
	killed := time.Now()

	probe := open()
	if ok, err := probe.AcquireLease(t.Context(), "slow", "probe", time.Second); err != nil || ok {
		t.Fatalf("right after the kill the lease was free (%v, %v): it should outlive its dead holder", ok, err)
	}
	waitFor(t, 5*time.Second, "a survivor to poll /slow", func() bool {
		s, err := probe.SourceState(t.Context(), "slow")
		return err == nil && !s.LastSuccess.IsZero()
	})
	takeover := log.startOf2("slow")
	if d := takeover.Sub(killed); d > 2500*time.Millisecond {
		t.Errorf("taken over %v after the kill, want within the 1s lease ttl plus a retry", d)
	}
	stop()
	wg.Wait()
	if s := state(t, probe, "slow"); s.LastSuccess.IsZero() || s.Failures != 0 {
		t.Errorf("slow after takeover: %+v, want a success", s)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, name := range []string{"slow", "quick"} {
		if o := log.overlap[name]; o != 1 {
			t.Errorf("%s: %d requests at once, want 1", name, o)
		}
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
