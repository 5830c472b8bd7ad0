package poll

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// The scheduler's tests run in a synctest bubble with a fake poll: what is
// under test is when each source starts and on which worker count, not HTTP.

// fakeRun records the polls the scheduler started.
type fakeRun struct {
	mu       sync.Mutex
	starts   map[string][]time.Time
	inflight map[string]int // by host
	maxHost  int            // most polls in flight on one host at once
	maxAll   int
	all      int
}

// install makes p's polls take took each and ask to come back after next.
func (f *fakeRun) install(p *Poller, took, next time.Duration) {
	f.starts = map[string][]time.Time{}
	f.inflight = map[string]int{}
	p.pollOne = func(ctx context.Context, src item.Source, _ bool, _ func()) Result {
		host := hostOf(src.URL)
		f.mu.Lock()
		f.starts[src.Name] = append(f.starts[src.Name], time.Now())
		f.inflight[host]++
		f.all++
		f.maxHost = max(f.maxHost, f.inflight[host])
		f.maxAll = max(f.maxAll, f.all)
		f.mu.Unlock()
		select {
		case <-time.After(took):
		case <-ctx.Done():
		}
		f.mu.Lock()
		f.inflight[host]--
		f.all--
		f.mu.Unlock()
		return Result{Source: src.Name, URL: src.URL, NextPoll: time.Now().Add(next)}
	}
}

func (f *fakeRun) startsOf(name string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.starts[name]...)
}

func sources(urls ...string) []item.Source {
	out := make([]item.Source, len(urls))
	for i, u := range urls {
		out[i] = item.Source{Name: hostOf(u) + "-" + filepath.Base(u), URL: u}
	}
	return out
}

func newSchedPoller(t *testing.T, srcs []item.Source, workers int, st store.Store) *Poller {
	t.Helper()
	if st == nil {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		st = s
	}
	return New(Config{Sources: srcs, Workers: workers, Store: st, Fetcher: fetch.New(fetch.Config{AllowPrivateNetworks: true})})
}

func TestScheduleOneRequestPerHost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srcs := sources("https://lore.example/a", "https://lore.example/b", "https://lore.example/c", "https://lwn.example/x")
		p := newSchedPoller(t, srcs, 4, nil)
		var f fakeRun
		f.install(p, time.Second, time.Hour)
		start := time.Now()
		p.PollAll(t.Context(), nil)
		if f.maxHost != 1 {
			t.Fatalf("%d polls of one host at once, want 1", f.maxHost)
		}
		// lore's three queue behind each other; lwn does not wait for them.
		for i, name := range []string{"lore.example-a", "lore.example-b", "lore.example-c"} {
			if got := f.startsOf(name)[0].Sub(start); got != time.Duration(i)*time.Second {
				t.Errorf("%s started at +%v, want +%v", name, got, time.Duration(i)*time.Second)
			}
		}
		if got := f.startsOf("lwn.example-x")[0].Sub(start); got != 0 {
			t.Errorf("lwn started at +%v, want at once", got)
		}
	})
}

// A host is busy for the HTTP exchange only: while lore's first list takes
// a minute to ingest after a one-second fetch, the next one on lore starts
// when the fetch ends, not when the ingest does.
func TestScheduleHostFreeAfterFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srcs := sources("https://lore.example/huge", "https://lore.example/b", "https://lore.example/c")
		p := newSchedPoller(t, srcs, 4, nil)
		starts := map[string]time.Duration{}
		var mu sync.Mutex
		start := time.Now()
		p.pollOne = func(ctx context.Context, src item.Source, _ bool, fetched func()) Result {
			mu.Lock()
			starts[src.Name] = time.Since(start)
			mu.Unlock()
			time.Sleep(time.Second) // the fetch
			fetched()
			if src.Name == "lore.example-huge" {
				time.Sleep(time.Minute) // the ingest
			}
			return Result{Source: src.Name, URL: src.URL}
		}
		p.PollAll(t.Context(), nil)
		for name, want := range map[string]time.Duration{"lore.example-huge": 0, "lore.example-b": time.Second, "lore.example-c": 2 * time.Second} {
			if got := starts[name]; got != want {
				t.Errorf("%s started at +%v, want +%v", name, got, want)
			}
		}
	})
}

func TestScheduleHeldHostDoesNotBlockWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srcs := sources("https://held.example/a", "https://held.example/b", "https://free.example/x", "https://free2.example/y")
		p := newSchedPoller(t, srcs, 1, nil)
		p.cfg.Fetcher.Gate().HoldUntil("held.example", time.Now().Add(10*time.Minute))
		var f fakeRun
		f.install(p, time.Second, time.Hour)
		start := time.Now()
		p.PollAll(t.Context(), nil)
		// One worker: were it parked in the Gate for held.example, the
		// free hosts would wait ten minutes too.
		for _, name := range []string{"free.example-x", "free2.example-y"} {
			if got := f.startsOf(name)[0].Sub(start); got > 2*time.Second {
				t.Errorf("%s started at +%v, want within 2s", name, got)
			}
		}
		for _, name := range []string{"held.example-a", "held.example-b"} {
			if got := f.startsOf(name)[0].Sub(start); got < 10*time.Minute {
				t.Errorf("%s started at +%v, before the hold ended at +10m", name, got)
			}
		}
	})
}

func TestScheduleBoundedPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var urls []string
		for i := range 40 {
			urls = append(urls, "https://h"+string(rune('a'+i%26))+string(rune('a'+i/26))+".example/feed")
		}
		p := newSchedPoller(t, sources(urls...), 3, nil)
		var f fakeRun
		f.install(p, time.Second, time.Hour)
		start := time.Now()
		res := p.PollAll(t.Context(), nil)
		if f.maxAll != 3 {
			t.Fatalf("%d polls at once, want the 3 workers busy and no more", f.maxAll)
		}
		if got, want := time.Since(start), 14*time.Second; got != want { // ceil(40/3) rounds of 1s
			t.Fatalf("40 sources over 3 workers took %v, want %v", got, want)
		}
		for i, r := range res {
			if r.Source != p.cfg.Sources[i].Name {
				t.Fatalf("result %d is %q, want source order", i, r.Source)
			}
		}
	})
}

func TestRunReschedulesAtNextPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srcs := sources("https://a.example/feed", "https://b.example/feed")
		p := newSchedPoller(t, srcs, 2, nil)
		var f fakeRun
		f.install(p, time.Second, 5*time.Minute)
		ctx, cancel := context.WithTimeout(t.Context(), 16*time.Minute)
		defer cancel()
		if err := p.Run(ctx); err != nil {
			t.Fatal(err)
		}
		for _, src := range srcs {
			starts := f.startsOf(src.Name)
			// Never polled: due within the first minute, then every
			// 5m after each poll's end (1s each): 4 polls in 16 minutes.
			if len(starts) != 4 {
				t.Fatalf("%s polled %d times in 16m, want 4: %v", src.Name, len(starts), starts)
			}
			for i := 1; i < len(starts); i++ {
				if gap := starts[i].Sub(starts[i-1]); gap != 5*time.Minute+time.Second {
					t.Errorf("%s: gap %v between polls, want 5m1s", src.Name, gap)
				}
			}
		}
	})
}

// Restarting does not re-poll everything at once: stored next-poll times
// are honoured, and only never-polled sources start at once.
func TestRunHonoursStoredNextPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srcs := sources("https://a.example/feed", "https://b.example/feed")
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		start := time.Now()
		err = st.PutSourceState(t.Context(), store.SourceState{Name: srcs[0].Name, URL: srcs[0].URL, ConfigURL: srcs[0].URL, NextPoll: start.Add(40 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		p := newSchedPoller(t, srcs, 2, st)
		var f fakeRun
		f.install(p, time.Second, time.Hour)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Minute)
		defer cancel()
		if err := p.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.startsOf(srcs[0].Name); len(got) != 1 || got[0].Sub(start) != 40*time.Minute {
			t.Errorf("stored source polled at %v, want once at +40m", got)
		}
		if got := f.startsOf(srcs[1].Name); len(got) != 1 || got[0].Sub(start) > time.Minute {
			t.Errorf("new source polled at %v, want once within the first minute", got)
		}
	})
}
