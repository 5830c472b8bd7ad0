package poll

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
)

// logged serves h at path and records each request in l.
func logged(l *requestLog, path string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer l.begin(path)()
		h.ServeHTTP(w, r)
	})
}

// slow delays h by d, so overlapping requests would be seen.
func slow(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		h.ServeHTTP(w, r)
	})
}

func TestNotModifiedTouchesNothingElse(t *testing.T) {
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			var inner = boltStore
			if backend == "redis" {
				open := redisStore(t)
				inner = func(testing.TB) storeT { return open() }
			}
			st := &countingStore{Store: inner(t)}
			up := fetchtest.NewServer(t)
			up.Feed("/lwn.rdf", fixture(t, fixLWN), "application/rdf+xml")
			src := item.Source{Name: "lwn", URL: up.URL("/lwn.rdf")}
			p := testPoller(t, st, fetch.Config{}, src)
			ctx := t.Context()

			first := p.PollSource(ctx, src)
			if first.Err != nil || first.New == 0 {
				t.Fatalf("first poll: %+v", first)
			}
			v1, _ := st.Version(ctx)
			saves, items := st.saves.Load(), count(t, st)
			before := state(t, st, "lwn")

			second := p.PollSource(ctx, src)
			if second.Err != nil || !second.NotModified || second.Status != http.StatusNotModified {
				t.Fatalf("second poll: got %+v, want a 304", second)
			}
			// The conditional GET carried both validators.
			h := up.LastRequest("/lwn.rdf")
			if h.Get("If-None-Match") != before.ETag || h.Get("If-Modified-Since") != before.LastModified {
				t.Fatalf("conditional headers: got %q / %q, want %q / %q",
					h.Get("If-None-Match"), h.Get("If-Modified-Since"), before.ETag, before.LastModified)
			}
			v2, _ := st.Version(ctx)
			if st.saves.Load() != saves || v2 != v1 || count(t, st) != items {
				t.Fatalf("a 304 wrote items: saves %d -> %d, version %d -> %d", saves, st.saves.Load(), v1, v2)
			}
			after := state(t, st, "lwn")
			if after.ETag != before.ETag || after.ItemsSeen != before.ItemsSeen || after.LastStatus != 304 ||
				!after.LastSuccess.After(before.LastSuccess) || after.Interval < before.Interval {
				t.Fatalf("state after 304: got %+v, want validators, items and the feed's ttl kept, the success recorded", after)
			}
		})
	}
}

// Three sources on one host: the upstream never sees two requests at once,
// and sees at least the minimum gap between them, however many workers.
func TestPerHostSerialisedWithGap(t *testing.T) {
	const gap = 150 * time.Millisecond
	up := fetchtest.NewServer(t)
	log := newRequestLog()
	var srcs []item.Source
	for _, name := range []string{"a", "b", "c"} {
		path := "/" + name + ".rdf"
		up.Handle(path, logged(log, path, slow(50*time.Millisecond, fetchtest.NewServer(t).Feed(path, fixture(t, fixLWN), "application/rdf+xml"))))
		srcs = append(srcs, item.Source{Name: name, URL: up.URL(path)})
	}
	st := boltStore(t)
	p := testPoller(t, st, fetch.Config{MinHostGap: gap}, srcs...)
	for _, r := range p.PollAll(t.Context(), nil) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Source, r.Err)
		}
	}
	spans, hostMax := log.snapshot()
	if hostMax != 1 {
		t.Fatalf("the upstream saw %d requests at once, want 1", hostMax)
	}
	if len(spans) != 3 {
		t.Fatalf("got %d requests, want 3", len(spans))
	}
	for i := range spans {
		for j := range spans {
			if i != j && spans[j][0].After(spans[i][1]) && spans[j][0].Sub(spans[i][1]) < gap-10*time.Millisecond {
				// Only the request right after i matters; any later one
				// is further away still.
				if !anyBetween(spans, spans[i][1], spans[j][0]) {
					t.Fatalf("requests %v apart, want at least %v", spans[j][0].Sub(spans[i][1]), gap)
				}
			}
		}
	}
}

func anyBetween(spans [][2]time.Time, from, to time.Time) bool {
	for _, s := range spans {
		if s[0].After(from) && s[0].Before(to) {
			return true
		}
	}
	return false
}

// A 503 with Retry-After on one feed holds every feed of that host back,
// including those polled by other workers; another host is not held.
func TestRetryAfterHoldsWholeHost(t *testing.T) {
	up := fetchtest.NewServer(t)
	other := fetchtest.NewServer(t)
	log := newRequestLog()
	up.Handle("/busy", logged(log, "/busy", fetchtest.Status(http.StatusServiceUnavailable, "2")))
	up.Handle("/sibling", logged(log, "/sibling", fetchtest.NewServer(t).Feed("/x", fixture(t, fixRust), "application/atom+xml")))
	// The other host is 127.0.0.1 too; name it differently so the Gate
	// keys differ ("localhost" resolves to loopback as well).
	otherURL := strings.Replace(other.URL("/elsewhere"), "127.0.0.1", "localhost", 1)
	other.Handle("/elsewhere", logged(log, "/elsewhere", fetchtest.NewServer(t).Feed("/x", fixture(t, fixPhoroni), "application/rss+xml")))
	srcs := []item.Source{
		{Name: "busy", URL: up.URL("/busy")},
		{Name: "sibling", URL: up.URL("/sibling")},
		{Name: "elsewhere", URL: otherURL},
	}
	st := boltStore(t)
	p := testPoller(t, st, fetch.Config{}, srcs...)
	p.cfg.Workers = 1 // busy first, so its 503 lands before sibling's turn
	start := time.Now()
	res := p.PollAll(t.Context(), nil)

	var se *fetch.StatusError
	if !asStatus(res[0].Err, &se) || se.Code != 503 || se.RetryAfter != 2*time.Second {
		t.Fatalf("busy: got %v, want a 503 with Retry-After 2s", res[0].Err)
	}
	if res[1].Err != nil || res[2].Err != nil {
		t.Fatalf("sibling, elsewhere: %v, %v", res[1].Err, res[2].Err)
	}
	sib, else_ := log.startOf("/sibling"), log.startOf("/elsewhere")
	if d := sib.Sub(start); d < 2*time.Second {
		t.Errorf("sibling fetched %v after the 503, want after the 2s hold", d)
	}
	if d := else_.Sub(start); d > time.Second {
		t.Errorf("another host waited %v, want no hold", d)
	}
	bs := state(t, st, "busy")
	if bs.Failures != 1 || !strings.Contains(bs.LastError, "503") || bs.NextPoll.Sub(bs.LastErrorAt) < 2*time.Second {
		t.Errorf("busy state: %+v, want one failure, a 503 error and the next poll after Retry-After", bs)
	}
}

// 301 and 308 move the stored URL; 302 does not; 410 disables the source,
// which is then skipped without a request.
func TestRedirectsAndGone(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/new.rdf", fixture(t, fixLWN), "application/rdf+xml")
	up.Handle("/moved301", fetchtest.Redirect(301, "/new.rdf"))
	up.Handle("/moved308", fetchtest.Redirect(308, "/new.rdf"))
	up.Handle("/found302", fetchtest.Redirect(302, "/new.rdf"))
	up.Handle("/gone", fetchtest.Status(http.StatusGone, ""))
	srcs := []item.Source{
		{Name: "m301", URL: up.URL("/moved301")},
		{Name: "m308", URL: up.URL("/moved308")},
		{Name: "f302", URL: up.URL("/found302")},
		{Name: "gone", URL: up.URL("/gone")},
	}
	st := boltStore(t)
	p := testPoller(t, st, fetch.Config{}, srcs...)
	p.PollAll(t.Context(), nil)
	for _, tc := range []struct{ name, url string }{
		{"m301", up.URL("/new.rdf")}, {"m308", up.URL("/new.rdf")}, {"f302", up.URL("/found302")},
	} {
		if s := state(t, st, tc.name); s.URL != tc.url || s.ConfigURL != srcs[0].URL && tc.name == "m301" {
			t.Errorf("%s: stored URL %q, want %q", tc.name, s.URL, tc.url)
		}
	}
	g := state(t, st, "gone")
	if !g.Disabled || !strings.Contains(g.DisableReason, "410") {
		t.Fatalf("gone: %+v, want disabled with a reason naming 410", g)
	}
	before := up.Count("/gone")
	r := p.PollSource(t.Context(), srcs[3])
	if r.Skipped == "" || up.Count("/gone") != before {
		t.Fatalf("disabled source: got %+v and %d requests, want skipped without one", r, up.Count("/gone")-before)
	}
	// The next poll of a moved source goes straight to the new URL.
	moved := up.Count("/moved301")
	p.PollSource(t.Context(), srcs[0])
	if up.Count("/moved301") != moved {
		t.Errorf("moved source fetched its old URL again")
	}
}

// Failures back off exponentially from the interval, capped; one success
// resets the count and the schedule.
func TestBackoffResetsOnSuccess(t *testing.T) {
	up := fetchtest.NewServer(t)
	up.Feed("/f.rdf", fixture(t, fixRust), "application/rdf+xml")
	up.Fail("/f.rdf", fetchtest.Status(500, ""))
	src := item.Source{Name: "f", URL: up.URL("/f.rdf")}
	st := boltStore(t)
	p := testPoller(t, st, fetch.Config{}, src)
	p.cfg.Interval, p.cfg.MaxBackoff = 2*time.Second, 9*time.Second
	var delays []time.Duration
	for range 5 {
		r := p.PollSource(t.Context(), src)
		s := state(t, st, "f")
		delays = append(delays, s.NextPoll.Sub(s.LastErrorAt))
		if r.Err == nil || !strings.Contains(s.LastError, "500") {
			t.Fatalf("poll against a 500: %+v / %+v", r, s)
		}
	}
	// 2s, 4s, 8s, then the 9s cap; each up to 20% shorter (jitter).
	for i, want := range []time.Duration{2, 4, 8, 9, 9} {
		want *= time.Second
		if d := delays[i]; d > want || d < want*8/10 {
			t.Errorf("delay after failure %d: %v, want within [%v, %v]", i+1, d, want*8/10, want)
		}
	}
	if s := state(t, st, "f"); s.Failures != 5 {
		t.Fatalf("failures: got %d, want 5", s.Failures)
	}
	up.Recover("/f.rdf")
	if r := p.PollSource(t.Context(), src); r.Err != nil {
		t.Fatal(r.Err)
	}
	s := state(t, st, "f")
	if s.Failures != 0 || s.LastSuccess.IsZero() || s.NextPoll.Sub(s.LastSuccess) > 3*time.Second {
		t.Fatalf("after recovery: %+v, want failures reset and the normal interval", s)
	}
	if s.LastError == "" {
		t.Fatalf("after recovery the last error is gone; it should stay for the record")
	}
}

// The upstream's max-age stretches the stored interval; it never shrinks it.
func TestIntervalFollowsUpstream(t *testing.T) {
	up := fetchtest.NewServer(t)
	feed := fetchtest.NewServer(t).Feed("/x", fixture(t, fixRust), "application/rdf+xml")
	up.Handle("/f.rdf", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=30")
		feed.ServeHTTP(w, r)
	}))
	src := item.Source{Name: "f", URL: up.URL("/f.rdf")}
	st := boltStore(t)
	p := testPoller(t, st, fetch.Config{}, src)
	if r := p.PollSource(context.Background(), src); r.Err != nil {
		t.Fatal(r.Err)
	}
	if s := state(t, st, "f"); s.Interval != 30*time.Second {
		t.Fatalf("interval: got %v, want the 30s max-age over the 1s configured", s.Interval)
	}
}
