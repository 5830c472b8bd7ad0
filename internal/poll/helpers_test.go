package poll

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
	"github.com/kernelwire/kernelwire/internal/store/redisstore"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// fixture reads a real feed from testdata (README.md says where each is from).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Three real feeds of different formats, for tests that need a few.
const (
	fixLWN     = "lwn-headlines-rss_2023-07-07.rdf"
	fixRust    = "rust-blog-feed_2023-07-18_atom.xml"
	fixPhoroni = "phoronix-rss_2025-08-02_rss2.xml"
)

// testOptions keep every fixture item: the fixtures are years old.
func testOptions() store.Options { return store.Options{SeenTTL: 100 * 365 * 24 * time.Hour} }

func boltStore(t testing.TB) store.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// redisStore opens stores on the test Redis (redistest finds or starts
// one) under one random prefix, whose keys (and only those) are deleted
// afterwards. Every store open returns shares the prefix, as replicas do.
func redisStore(t testing.TB) (open func() store.Store) {
	t.Helper()
	url := redistest.URL(t)
	prefix := redistest.Prefix(t, "poll")
	return func() store.Store {
		s, err := redisstore.Open(context.Background(), url, prefix, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
}

func tagger(t testing.TB) *tag.Tagger {
	t.Helper()
	tg, err := tag.Compile(tag.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// testPoller wires a Poller for tests: short interval limits, quick
// fetch timeouts and no host gap unless fc says otherwise. Private networks
// are allowed: every test upstream is an httptest server on 127.0.0.1
// (TestPrivateRefusedByDefault polls without this).
func testPoller(t testing.TB, st store.Store, fc fetch.Config, srcs ...item.Source) *Poller {
	t.Helper()
	fc.AllowPrivateNetworks = true
	return New(Config{
		Sources:     srcs,
		Interval:    time.Second,
		MinInterval: 500 * time.Millisecond,
		MaxInterval: time.Minute,
		MaxBackoff:  10 * time.Second,
		Workers:     4,
		// Long enough that a renewal delayed by a loaded machine (-race,
		// parallel packages) never loses the lease; tests of lease
		// expiry set their own.
		LeaseTTL: 10 * time.Second,
		Fetcher:  fetch.New(fc),
		Tagger:   tagger(t),
		Store:    st,
	})
}

// countingStore counts the writes that touch items.
type countingStore struct {
	store.Store
	saves atomic.Int64
}

func (c *countingStore) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	c.saves.Add(1)
	return c.Store.SaveItems(ctx, src, items)
}

func state(t testing.TB, st store.Store, name string) store.SourceState {
	t.Helper()
	s, err := st.SourceState(context.Background(), name)
	if err != nil {
		t.Fatalf("state of %s: %v", name, err)
	}
	return s
}

func count(t testing.TB, st store.Store) int {
	t.Helper()
	n, err := st.Count(context.Background(), store.AllTopic)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// requestLog records when each request to a path started and ended, and
// how many were in flight at once: the upstream's own view of politeness.
type requestLog struct {
	mu       sync.Mutex
	spans    map[string][][2]time.Time
	inflight map[string]int
	overlap  map[string]int // most requests to one path at once
	hostMax  int            // most requests to the server at once
	all      int
}

func newRequestLog() *requestLog {
	return &requestLog{spans: map[string][][2]time.Time{}, inflight: map[string]int{}, overlap: map[string]int{}}
}

func (l *requestLog) begin(path string) (end func()) {
	l.mu.Lock()
	l.inflight[path]++
	l.all++
	l.overlap[path] = max(l.overlap[path], l.inflight[path])
	l.hostMax = max(l.hostMax, l.all)
	start := time.Now()
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.inflight[path]--
		l.all--
		l.spans[path] = append(l.spans[path], [2]time.Time{start, time.Now()})
	}
}

// storeT shortens the opener signature in tables.
type storeT = store.Store

func asStatus(err error, se **fetch.StatusError) bool { return errors.As(err, se) }

// startOf returns when the first request to path started (zero if none).
func (l *requestLog) startOf(path string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.spans[path]) == 0 {
		return time.Time{}
	}
	return l.spans[path][0][0]
}

// snapshot returns every span and the most requests seen at once.
func (l *requestLog) snapshot() (spans [][2]time.Time, hostMax int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.spans {
		spans = append(spans, s...)
	}
	return spans, l.hostMax
}

// startOf2 returns when the second request to path started (zero if none).
func (l *requestLog) startOf2(path string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.spans[path]) < 2 {
		return time.Time{}
	}
	return l.spans[path][1][0]
}
