// Package storetest is the conformance suite every store.Store backend
// passes: Run exercises save outcomes, stories, indexing, paging,
// retention, source states and concurrency against a freshly opened store
// per case, so bbolt and a real Redis are held to one contract, and
// StoryPlanApplied holds both to storytest.Memory, the reference
// application of story plans.
//
// It owns no backend code and must not reach into one: the only hook it needs
// beyond store.Store is ClockSetter, so cases that depend on time (seen TTL,
// MaxAge) move a fake clock instead of sleeping.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// T0 returns where every case's fake clock starts. It is a function, not a
// variable, so the package holds no mutable state.
func T0() time.Time { return time.Date(2026, time.November, 1, 12, 0, 0, 0, time.UTC) }

// ClockSetter is implemented by backends whose notion of "now" (used by
// SaveItems for MaxAge, FirstSeen and seen-mark expiry) can be replaced.
// Every backend under test must implement it.
type ClockSetter interface {
	SetClock(now func() time.Time)
}

// Clock is a fake clock safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Opener opens a fresh, empty store with opts. It must register its own
// cleanup (t.Cleanup) that closes the store and removes what it stored;
// Close may already have been called by then.
type Opener func(t *testing.T, opts store.Options) store.Store

// Run runs the whole conformance suite against backend open, one subtest per
// behaviour.
func Run(t *testing.T, open Opener) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Outcomes", testOutcomes},
		{"EmptyBatch", testEmptyBatch},
		{"ItemRoundTrip", testItemRoundTrip},
		{"UpdateKeepsFirstSeen", testUpdateKeepsFirstSeen},
		{"TopicReindex", testTopicReindex},
		{"OrderingAndPaging", testOrderingAndPaging},
		{"DefaultLimit", testDefaultLimit},
		{"Count", testCount},
		{"Version", testVersion},
		{"SeenTTL", testSeenTTL},
		{"PruneByCount", testPruneByCount},
		{"PruneByAge", testPruneByAge},
		{"RetentionFlood", testRetentionFlood},
		{"PruneAfterSave", testPruneAfterSave},
		{"SourceState", testSourceState},
		{"Meta", testMeta},
		{"Lease", testLease},
		{"Concurrent", testConcurrent},
		{"ConcurrentLookalikes", testConcurrentLookalikes},
		{"StoryInBatchDuplicates", testStoryInBatchDuplicates},
		{"StoryUpdateMovesEntry", testStoryUpdateMovesEntry},
		{"StoryThreeSources", testStoryThreeSources},
		{"StoryRepresentativeMoves", testStoryRepresentativeMoves},
		{"StoryApart", testStoryApart},
		{"StoryBridge", testStoryBridge},
		{"StoryMergeKeepsOlderID", testStoryMergeKeepsOlderID},
		{"StoryAlias", testStoryAlias},
		{"StoryReplies", testStoryReplies},
		{"StoryWindow", testStoryWindow},
		{"StoryPrune", testStoryPrune},
		{"StoryConcurrent", testStoryConcurrent},
		{"StoryPlanApplied", testStoryPlanApplied},
		{"SeriesStatus", testSeriesStatus},
		{"CVERecord", testCVERecord},
		{"CuratedIndex", testCuratedIndex},
		{"CuratedRetention", testCuratedRetention},
		{"CoverageComments", testCoverageComments},
		{"SubscriberArticleFreed", testSubscriberArticleFreed},
		{"PingClose", testPingClose},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// env is one case's store, clock and context.
type env struct {
	s     store.Store
	clock *Clock
	ctx   context.Context
}

// defaultOptions are used by cases that do not test retention: a seen TTL
// longer than any clock move and no limits.
func defaultOptions() store.Options { return store.Options{SeenTTL: 30 * day} }

func newEnv(t *testing.T, open Opener, opts store.Options) *env {
	t.Helper()
	s := open(t, opts)
	cs, ok := s.(ClockSetter)
	if !ok {
		t.Fatalf("backend %T does not implement storetest.ClockSetter", s)
	}
	clock := NewClock(T0())
	cs.SetClock(clock.Now)
	return &env{s: s, clock: clock, ctx: t.Context()}
}

// Item returns a test item for src with key key, published ago before T0(),
// hash "h1" and topics.
func Item(key, src string, ago time.Duration, topics ...string) item.Item {
	return item.Item{
		Key:       key,
		Source:    src,
		Title:     "title of " + key,
		Link:      "https://example.org/" + key,
		Published: T0().Add(-ago),
		Hash:      "h1",
		Topics:    topics,
	}
}

// Items returns n items of source src with keys prefix0..prefix(n-1), one
// minute apart (prefix0 newest), each under topic "t<i%3>".
func Items(prefix, src string, n int) []item.Item {
	items := make([]item.Item, n)
	for i := range items {
		items[i] = Item(fmt.Sprintf("%s%d", prefix, i), src, time.Duration(i)*time.Minute, fmt.Sprintf("t%d", i%3))
		items[i].Summary = "<p>A summary long enough to look like a real feed entry, with <a href=\"https://example.org\">a link</a>.</p>"
	}
	return items
}

func (e *env) save(t *testing.T, src string, items ...item.Item) store.SaveResult {
	t.Helper()
	res, err := e.s.SaveItems(e.ctx, src, items)
	if err != nil {
		t.Fatalf("SaveItems(%s): %v", src, err)
	}
	if len(res.Outcomes) != len(items) {
		t.Fatalf("SaveItems(%s): got %d outcomes, want %d", src, len(res.Outcomes), len(items))
	}
	return res
}

func (e *env) saveWant(t *testing.T, src string, want []item.Outcome, items ...item.Item) {
	t.Helper()
	res := e.save(t, src, items...)
	if !reflect.DeepEqual(res.Outcomes, want) {
		t.Fatalf("SaveItems(%s) outcomes: got %v, want %v", src, res.Outcomes, want)
	}
}

func (e *env) keys(t *testing.T, q store.Query) []string {
	t.Helper()
	items, err := e.s.Items(e.ctx, q)
	if err != nil {
		t.Fatalf("Items(%+v): %v", q, err)
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}

func (e *env) wantKeys(t *testing.T, q store.Query, want ...string) {
	t.Helper()
	got := e.keys(t, q)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Items(%+v): got %q, want %q", q, got, want)
	}
}

func (e *env) count(t *testing.T, topic string) int {
	t.Helper()
	n, err := e.s.Count(e.ctx, topic)
	if err != nil {
		t.Fatalf("Count(%q): %v", topic, err)
	}
	return n
}

func (e *env) wantCount(t *testing.T, topic string, want int) {
	t.Helper()
	if got := e.count(t, topic); got != want {
		t.Fatalf("Count(%q): got %d, want %d", topic, got, want)
	}
}

func (e *env) version(t *testing.T) int64 {
	t.Helper()
	v, err := e.s.Version(e.ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	return v
}

func (e *env) item(t *testing.T, key string) item.Item {
	t.Helper()
	it, err := e.s.Item(e.ctx, key)
	if err != nil {
		t.Fatalf("Item(%q): %v", key, err)
	}
	return it
}

// normal strips what a storage round trip may legitimately change in an
// item's times (monotonic reading, *time.Location identity) so items compare
// with reflect.DeepEqual.
func normal(it item.Item) item.Item {
	for _, tp := range []*time.Time{&it.Published, &it.Updated, &it.FirstSeen} {
		if !tp.IsZero() {
			*tp = tp.Round(0).UTC()
		}
	}
	return it
}

// outcomes spells a slice of outcomes compactly in the tables.
func outcomes(o ...item.Outcome) []item.Outcome { return o }

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// equalItems compares items after normal.
func equalItems(a, b item.Item) bool { return reflect.DeepEqual(normal(a), normal(b)) }
