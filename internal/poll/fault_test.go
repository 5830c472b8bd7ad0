package poll

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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

	// Round one: everything that can work does.
	p.PollAll(ctx, nil)
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
			// A source that never worked failed in both rounds.
			wantFailures := 1
			if f.url != "" {
				wantFailures = 2
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
