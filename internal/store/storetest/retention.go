package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

func (e *env) wantAbsent(t *testing.T, key string) {
	t.Helper()
	if _, err := e.s.Item(e.ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Item(%q): got %v, want ErrNotFound", key, err)
	}
}

func (e *env) prune(t *testing.T, now time.Time, want int) {
	t.Helper()
	n, err := e.s.Prune(e.ctx, now)
	if err != nil {
		t.Fatalf("Prune(%v): %v", now, err)
	}
	if n != want {
		t.Fatalf("Prune(%v): removed %d, want %d", now, n, want)
	}
}

// testPruneByCount caps each source and topic index at MaxItems (2): a
// story stays while one of its indexes keeps it among its newest.
func testPruneByCount(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxItems: 2})
	e.save(t, "s1",
		Item("a1", "s1", 1*hour, "x"),
		Item("a2", "s1", 3*hour, "x"),
		Item("a3", "s1", 4*hour, "x"),
	)
	// Trimmed in the same step as the save: a3 is beyond the cap of s1
	// and of x.
	e.wantKeys(t, store.Query{}, "a1", "a2")
	e.wantAbsent(t, "a3")

	// Another source's item, older than a1 and a2 in "all": kept by its
	// own index, and it pushes nothing of s1's out.
	e.saveWant(t, "s2", outcomes(item.New), Item("b1", "s2", 2*hour, "y"))
	cases := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{}, []string{"a1", "b1", "a2"}},
		{store.Query{Source: "s1"}, []string{"a1", "a2"}},
		{store.Query{Source: "s2"}, []string{"b1"}},
		{store.Query{Topic: "x"}, []string{"a1", "a2"}},
		{store.Query{Topic: "y"}, []string{"b1"}},
	}
	for _, tc := range cases {
		e.wantKeys(t, tc.q, tc.want...)
	}
	e.wantCount(t, store.AllTopic, 3)

	// s1's own newer item pushes out s1's oldest, and only that.
	e.saveWant(t, "s1", outcomes(item.New), Item("a0", "s1", 30*time.Minute, "x"))
	e.wantKeys(t, store.Query{Source: "s1"}, "a0", "a1")
	e.wantAbsent(t, "a2")
	e.wantKeys(t, store.Query{Source: "s2"}, "b1")

	// An item dropped by retention leaves with its seen mark: seen again
	// upstream it is taken again, and dropped again in the same save while
	// its indexes have no room for it ...
	e.saveWant(t, "s1", outcomes(item.New), Item("a3", "s1", 4*hour, "x"))
	e.wantAbsent(t, "a3")
	e.wantKeys(t, store.Query{Source: "s1"}, "a0", "a1")
	// ... and kept when it has a place: re-dated by upstream, it is s1's
	// newest.
	e.saveWant(t, "s1", outcomes(item.New), Item("a2", "s1", 0, "x"))
	e.wantKeys(t, store.Query{Source: "s1"}, "a2", "a0")
	e.prune(t, T0(), 0)
	e.wantKeys(t, store.Query{}, "a2", "a0", "b1")
}

// testRetentionFlood has one source publish more fresh items than
// MaxItems at once: only its own oldest go; the other sources' items and
// the topic feeds they are in stay whole.
func testRetentionFlood(t *testing.T, open Opener) {
	const max = 10
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxItems: max})
	var calm []string
	for _, src := range []string{"calm1", "calm2"} {
		items := make([]item.Item, 4)
		for i := range items {
			items[i] = Item(fmt.Sprintf("%s-%d", src, i), src, time.Duration(2+i)*hour, "kernel", src+"-only")
			calm = append(calm, items[i].Key)
		}
		e.save(t, src, items...)
	}
	flood := make([]item.Item, 15)
	for i := range flood {
		flood[i] = Item(fmt.Sprintf("flood-%02d", i), "flood", time.Duration(i)*time.Minute, "kernel")
	}
	res := e.save(t, "flood", flood...)
	if got := res.Count(item.New); got != len(flood) {
		t.Fatalf("flood: %d new, want %d", got, len(flood))
	}
	for _, k := range calm {
		e.item(t, k)
	}
	for _, src := range []string{"calm1", "calm2"} {
		if got := len(e.keys(t, store.Query{Source: src})); got != 4 {
			t.Fatalf("source %s lists %d items after the flood, want 4", src, got)
		}
		if got := len(e.keys(t, store.Query{Topic: src + "-only"})); got != 4 {
			t.Fatalf("topic %s-only lists %d items after the flood, want 4", src, got)
		}
	}
	kernel := e.keys(t, store.Query{Topic: "kernel", Limit: 100})
	for _, k := range calm {
		if !slices.Contains(kernel, k) {
			t.Fatalf("topic kernel lost %s: %v", k, kernel)
		}
	}
	got := e.keys(t, store.Query{Source: "flood", Limit: 100})
	if len(got) != max || got[0] != "flood-00" || got[max-1] != fmt.Sprintf("flood-%02d", max-1) {
		t.Fatalf("source flood keeps %v, want its %d newest", got, max)
	}
	e.wantAbsent(t, "flood-14")
	e.wantCount(t, store.AllTopic, max+8)
}

func testPruneByAge(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxAge: 2 * day})
	e.saveWant(t, "s1", outcomes(item.New, item.New, item.New),
		Item("a", "s1", hour, "x"),
		Item("b", "s1", day, "x"),
		Item("c", "s1", 40*hour, "x"),
	)
	e.prune(t, T0(), 0)
	// Prune uses its argument, not the store's clock.
	e.prune(t, T0().Add(10*hour), 1)
	e.wantAbsent(t, "c")
	e.wantKeys(t, store.Query{}, "a", "b")
	e.wantKeys(t, store.Query{Topic: "x"}, "a", "b")
	e.wantKeys(t, store.Query{Source: "s1"}, "a", "b")
	e.wantCount(t, "x", 2)

	// The pruned item left with its seen mark: still as old upstream, it
	// is not taken; re-dated young by upstream, it is taken again.
	e.clock.Advance(10 * hour)
	e.saveWant(t, "s1", outcomes(item.TooOld), Item("c", "s1", 50*hour, "x"))
	e.wantAbsent(t, "c")
	redated := Item("c", "s1", 0, "x")
	e.saveWant(t, "s1", outcomes(item.New), redated)
	e.wantKeys(t, store.Query{}, "c", "a", "b")

	e.prune(t, T0().Add(3*day), 3)
	e.wantCount(t, store.AllTopic, 0)
	e.wantCount(t, "x", 0)
	e.wantKeys(t, store.Query{Source: "s1"})
	e.prune(t, T0().Add(3*day), 0)
}

func testPruneAfterSave(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxAge: 2 * day})
	e.saveWant(t, "s1", outcomes(item.New), Item("c", "s1", 40*hour, "x"))
	e.clock.Advance(10 * hour)
	// c is now 50h old: the next save drops it without waiting for Prune.
	e.saveWant(t, "s1", outcomes(item.New), Item("n", "s1", 0, "x"))
	e.wantAbsent(t, "c")
	e.wantKeys(t, store.Query{Topic: "x"}, "n")
	e.wantCount(t, store.AllTopic, 1)
}
