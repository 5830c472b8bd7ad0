package poll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// TestFaults polls an upstream that misbehaves in every way the issue lists.
// Each source first serves a real feed (so it has items and validators),
// then misbehaves; it must end with one failure and an error saying what
// went wrong, keep its items and validators, and leave the well-behaved
// sources alone. Sources that never worked (TLS, DNS, handshake) start bad.
func TestFaults(t *testing.T) {
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testFaults(t, backend)
		})
	}
}

func testFaults(t *testing.T, backend string) {
	up := fetchtest.NewServer(t)
	body := fixture(t, fixRust)
	// A TLS upstream the client has no reason to trust.
	tlsUp := httptest.NewUnstartedServer(up.Feed("/tls-feed", body, "application/atom+xml"))
	tlsUp.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	tlsUp.StartTLS()
	t.Cleanup(tlsUp.Close)
	// A listener that accepts and never speaks: the TLS handshake times out.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go acceptAndHold(silent)

	faults := []struct {
		name    string
		url     string       // when set, the source never worked
		handler http.Handler // the misbehaviour, after one good poll
		want    string       // in LastError
		class   string       // LastErrorClass
	}{
		{name: "redirect-loop", handler: fetchtest.Redirect(http.StatusFound, "/redirect-loop/b"), want: "redirect loop", class: fetch.ClassRedirects},
		{name: "status-500", handler: fetchtest.Status(500, ""), want: "status 500", class: fetch.ClassHTTP5xx},
		{name: "status-404", handler: fetchtest.Status(404, ""), want: "status 404", class: fetch.ClassHTTP4xx},
		{name: "header-timeout", handler: fetchtest.Hang(), want: "timeout awaiting response headers", class: fetch.ClassTimeout},
		{name: "slow-drip", handler: fetchtest.Drip(20 * time.Millisecond), want: "deadline exceeded", class: fetch.ClassTimeout},
		{name: "declared-too-big", handler: fetchtest.Huge(4<<20, true), want: "too large", class: fetch.ClassTooLarge},
		{name: "streamed-too-big", handler: fetchtest.Huge(4<<20, false), want: "too large", class: fetch.ClassTooLarge},
		{name: "gzip-bomb", handler: fetchtest.GzipBomb(64 << 20), want: "decompressed", class: fetch.ClassTooLarge},
		{name: "html-page", handler: fetchtest.NewServer(t).Feed("/x", []byte(fetchtest.HTMLPage), "text/html"), want: "parse", class: ClassParse},
		{name: "tls-untrusted", url: tlsUp.URL + "/tls-feed", want: "certificate", class: fetch.ClassTLS},
		// "no such host" with a resolver, "network is unreachable" without one
		// (a machine with no network): both are a failed lookup.
		{name: "dns", url: "http://kernelwire-fault.invalid/feed.xml", want: "lookup kernelwire-fault.invalid", class: fetch.ClassDNS},
		{name: "tls-handshake-timeout", url: "https://" + silent.Addr().String() + "/feed", want: "handshake timeout", class: fetch.ClassTimeout},
	}
	good := []string{"good-a", "good-b"}

	var srcs []item.Source
	for _, name := range good {
		up.Feed("/"+name, body, "application/atom+xml")
		srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
	}
	for i, f := range faults {
		u := f.url
		if u == "" {
			// Links and titles of its own (a number in the title tells
			// stories apart), so every fault source represents its stories
			// and its own index lists them.
			own := strings.ReplaceAll(string(body), "https://blog.rust-lang.org/", "https://blog.rust-lang.org/"+f.name+"/")
			own = strings.ReplaceAll(own, "</title>", fmt.Sprintf(" (copy %d)</title>", i))
			up.Feed("/"+f.name, []byte(own), "application/atom+xml")
			u = up.URL("/" + f.name)
		}
		srcs = append(srcs, item.Source{Name: f.name, URL: u})
	}
	up.Handle("/redirect-loop/b", fetchtest.Redirect(http.StatusFound, "/redirect-loop"))

	var st store.Store
	if backend == "redis" {
		st = redisStore(t)()
	} else {
		st = boltStore(t)
	}
	p := testPoller(t, st, fetch.Config{
		Timeout:        time.Second,
		ConnectTimeout: 300 * time.Millisecond,
		HeaderTimeout:  300 * time.Millisecond,
		MaxBodyBytes:   1 << 20,
	}, srcs...)
	ctx := t.Context()

	// Round one: everything that can work does. The timeouts are short
	// for the faults' sake, so on a loaded machine a good source may miss
	// one; it is polled again (a success resets its failures) until all
	// the good ones have worked.
	neverWorks := map[string]bool{}
	for _, f := range faults {
		neverWorks[f.name] = f.url != ""
	}
	roundOne := 0
	for try := 0; try < 5; try++ {
		roundOne++
		bad := 0
		for _, r := range p.PollAll(ctx, nil) {
			if r.Err != nil && !neverWorks[r.Source] {
				bad++
			}
		}
		if bad == 0 {
			break
		}
	}
	before := map[string]store.SourceState{}
	kept := map[string]int{}
	for _, src := range srcs {
		s := state(t, st, src.Name)
		before[src.Name] = s
		items, err := st.Items(ctx, store.Query{Source: src.Name, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		kept[src.Name] = len(items)
	}
	total := count(t, st)

	// Round two: misbehave.
	for _, f := range faults {
		if f.handler != nil {
			up.Fail("/"+f.name, f.handler)
		}
	}
	start := time.Now()
	results := p.PollAll(ctx, nil)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("a round of faults took %v: something stalled the poller", d)
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			r := results[len(good)+i]
			s := state(t, st, f.name)
			// A source that never worked failed in every poll.
			wantFailures := 1
			if f.url != "" {
				wantFailures = roundOne + 1
			}
			if r.Err == nil || s.Failures != wantFailures || !strings.Contains(s.LastError, f.want) {
				t.Fatalf("got failures %d, error %q (result %v), want %d failures with %q", s.Failures, s.LastError, r.Err, wantFailures, f.want)
			}
			if s.LastErrorClass != f.class {
				t.Errorf("class %q, want %q", s.LastErrorClass, f.class)
			}
			if s.LastErrorAt.IsZero() || !s.NextPoll.After(s.LastErrorAt) || s.Disabled {
				t.Fatalf("state %+v: want the error time, a later next poll, not disabled", s)
			}
			b := before[f.name]
			if f.url == "" && (s.ETag != b.ETag || !s.LastSuccess.Equal(b.LastSuccess) || s.ItemsSeen != b.ItemsSeen || kept[f.name] == 0) {
				t.Fatalf("state %+v lost what the good poll stored (%+v)", s, b)
			}
			items, err := st.Items(ctx, store.Query{Source: f.name, Limit: 1000})
			if err != nil || len(items) != kept[f.name] {
				t.Fatalf("items of %s: %d, %v, want the %d stored before", f.name, len(items), err, kept[f.name])
			}
		})
	}
	for i, name := range good {
		if r := results[i]; r.Err != nil || !r.NotModified {
			t.Errorf("%s: got %+v, want an untroubled 304", name, r)
		}
		if s := state(t, st, name); s.Failures != 0 || s.LastError != "" {
			t.Errorf("%s: state %+v, want no failure", name, s)
		}
	}
	if got := count(t, st); got != total {
		t.Errorf("store holds %d items after the faults, want the %d from before", got, total)
	}
}

// acceptAndHold accepts connections and reads nothing, until l closes.
func acceptAndHold(l net.Listener) {
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		conns = append(conns, c)
	}
}

// TestFaultDamagedStore damages the embedded store under a running poller
// (truncation, as a full disk or a careless copy leaves it): every poll
// that touches it fails with boltstore.ErrDamaged instead of killing the
// process, and the file is refused when opened again. Redis has no file to
// damage; its failures are the Redis-kill cases of the other suites.
func TestFaultDamagedStore(t *testing.T) {
	up := fetchtest.NewServer(t)
	var srcs []item.Source
	for _, name := range []string{"a", "b", "c"} {
		up.Feed("/"+name, fixture(t, fixPhoroni), "application/rss+xml")
		srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
	}
	path := filepath.Join(t.TempDir(), "kw.db")
	st, err := boltstore.Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := testPoller(t, st, fetch.Config{}, srcs...)
	for _, r := range p.PollAll(t.Context(), nil) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Source, r.Err)
		}
	}
	if err := os.Truncate(path, 8192); err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		up.Feed("/"+src.Name, fixture(t, fixLWN), "application/rdf+xml") // new bytes: a full save
	}
	for _, r := range p.PollAll(t.Context(), nil) {
		if !errors.Is(r.Err, boltstore.ErrDamaged) {
			t.Errorf("%s after truncation: got %v, want ErrDamaged", r.Source, r.Err)
		}
	}
	if err := st.Ping(t.Context()); !errors.Is(err, boltstore.ErrDamaged) {
		t.Errorf("Ping after damage: %v, want ErrDamaged", err)
	}
	if _, err := boltstore.Open(path, testOptions()); err == nil {
		t.Error("reopening the truncated file succeeded")
	}
}

// hugeFeed is a lore-like Atom feed of n entries with formulaic titles (one
// patch series subject after another), newest first: the shape of the
// mailing-list archive that took minutes and hundreds of MB to ingest.
func hugeFeed(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<feed xmlns="http://www.w3.org/2005/Atom"><title>dri-devel</title><id>https://lore.kernel.org/dri/</id><updated>2026-11-01T00:00:00Z</updated>` + "\n")
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "<entry><title>[PATCH v%d %02d/12] amd: fix ring %d fence</title><updated>%s</updated>"+
			"<link href=\"https://lore.kernel.org/dri/2026%07d.%d@x/\"/><id>k:%d</id></entry>\n",
			i%5+1, i%12+1, i, base.Add(-time.Duration(i)*time.Minute).Format(time.RFC3339), i, i%1000, i)
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

// slowSave holds the saves of one source until release is closed (or a
// bound passes, so a broken scheduler fails the test instead of hanging it).
type slowSave struct {
	store.Store
	source  string
	release chan struct{}
}

func (s *slowSave) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	if src == s.source {
		select {
		case <-s.release:
		case <-time.After(30 * time.Second):
		case <-ctx.Done():
		}
	}
	return s.Store.SaveItems(ctx, src, items)
}

// TestFaultHugeFeed: a 50,000-entry feed on the host ten normal sources
// share. Its poll takes the newest max_items_per_poll entries and counts
// the rest, and while it ingests (held here until every other source was
// fetched) the others are fetched one after the other, a gap apart: the
// host is busy for the HTTP exchange only.
func TestFaultHugeFeed(t *testing.T) {
	huge := hugeFeed(50000)
	for _, backend := range []string{"bolt", "redis"} {
		t.Run(backend, func(t *testing.T) {
			const gap = 20 * time.Millisecond
			up := fetchtest.NewServer(t)
			reqs := newRequestLog()
			up.Handle("/huge", logged(reqs, "huge", fetchtest.NewServer(t).Feed("/huge", huge, "application/atom+xml")))
			srcs := []item.Source{{Name: "huge", URL: up.URL("/huge")}}
			for i := range 10 {
				name := fmt.Sprintf("normal%d", i)
				body := strings.ReplaceAll(string(fixture(t, fixRust)), "https://blog.rust-lang.org/", "https://blog.rust-lang.org/"+name+"/")
				up.Handle("/"+name, logged(reqs, name, fetchtest.NewServer(t).Feed("/"+name, []byte(body), "application/atom+xml")))
				srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
			}
			var inner store.Store
			if backend == "redis" {
				inner = redisStore(t)()
			} else {
				inner = boltStore(t)
			}
			st := &slowSave{Store: inner, source: "huge", release: make(chan struct{})}
			p := testPoller(t, st, fetch.Config{MinHostGap: gap, MaxBodyBytes: 16 << 20}, srcs...)
			// Called on the scheduling goroutine, one at a time.
			normalDone, normalAtHuge := 0, -1
			results := p.PollAll(t.Context(), func(r Result) {
				switch {
				case r.Source == "huge":
					normalAtHuge = normalDone
				case r.Err == nil:
					if normalDone++; normalDone == 10 {
						close(st.release)
					}
				}
			})
			h := results[0]
			if h.Err != nil || h.New != 300 || h.OverCap != 50000-300 {
				t.Fatalf("huge: new %d over-cap %d err %v, want 300 new and %d over the cap", h.New, h.OverCap, h.Err, 50000-300)
			}
			for _, r := range results[1:] {
				if r.Err != nil || r.New == 0 {
					t.Errorf("%s: %+v", r.Source, r)
				}
			}
			// The ten normal polls all finished while the huge one was
			// held in its save: none waited for its ingest.
			if normalAtHuge != 10 {
				t.Fatalf("%d normal sources polled while the huge feed ingested, want 10", normalAtHuge)
			}
			spans, hostMax := reqs.snapshot()
			if hostMax != 1 || len(spans) != 11 {
				t.Errorf("upstream saw %d requests, %d at once; want 11, one at a time", len(spans), hostMax)
			}
			items, err := st.Items(t.Context(), store.Query{Source: "huge", Limit: 1000})
			if err != nil || len(items) != 300 {
				t.Fatalf("stored %d items of huge (%v), want the 300 newest", len(items), err)
			}
			if items[0].Title != "[PATCH v1 01/12] amd: fix ring 0 fence" {
				t.Errorf("newest stored item %q, want entry 0", items[0].Title)
			}
		})
	}
}

// TestFaultThreeReplicaHostGate: three pollers, each with its own store
// client and fetch client (as three processes have), share one Redis and
// one upstream host. With the store's shared gate the host sees one request
// at a time and the gap between them, as from one poller. (The embedded
// store has one process; cmd/kernelwire runs this with real processes.)
func TestFaultThreeReplicaHostGate(t *testing.T) {
	const gap = 100 * time.Millisecond
	open := redisStore(t)
	up := fetchtest.NewServer(t)
	reqs := newRequestLog()
	var srcs []item.Source
	for i := range 9 {
		name := fmt.Sprintf("list%d", i)
		up.Handle("/"+name, logged(reqs, name, slow(30*time.Millisecond, changing(name))))
		srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
	}
	var wg sync.WaitGroup
	for range 3 {
		st := open()
		shared, ok := st.(fetch.SharedGate)
		if !ok {
			t.Fatalf("%T is no fetch.SharedGate", st)
		}
		p := testPoller(t, st, fetch.Config{MinHostGap: gap, SharedGate: shared}, srcs...)
		wg.Go(func() { p.PollAll(t.Context(), nil) })
	}
	wg.Wait()
	spans, hostMax := reqs.snapshot()
	if hostMax != 1 {
		t.Errorf("the host saw %d requests at once, want 1", hostMax)
	}
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	for i := 1; i < len(spans); i++ {
		if d := spans[i][0].Sub(spans[i-1][1]); d < gap-10*time.Millisecond {
			t.Errorf("request %d started %v after the previous one ended, want at least %v", i, d, gap)
		}
	}
	if len(spans) < len(srcs) {
		t.Errorf("%d requests, want every source fetched", len(spans))
	}
}
