package storetest

import (
	"errors"
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

func testPruneByCount(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxItems: 2})
	e.save(t, "s1",
		Item("a1", "s1", 1*hour, "x"),
		Item("a2", "s1", 3*hour, "x"),
		Item("a3", "s1", 4*hour, "x"),
	)
	// Trimmed in the same step as the save.
	e.wantKeys(t, store.Query{}, "a1", "a2")
	e.wantAbsent(t, "a3")

	e.saveWant(t, "s2", outcomes(item.New), Item("b1", "s2", 2*hour, "y"))
	cases := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{}, []string{"a1", "b1"}},
		{store.Query{Source: "s1"}, []string{"a1"}},
		{store.Query{Source: "s2"}, []string{"b1"}},
		{store.Query{Topic: "x"}, []string{"a1"}},
		{store.Query{Topic: "y"}, []string{"b1"}},
	}
	for _, tc := range cases {
		e.wantKeys(t, tc.q, tc.want...)
	}
	e.wantCount(t, store.AllTopic, 2)
	e.wantCount(t, "x", 1)
	e.wantAbsent(t, "a2")

	// The seen marks outlive the pruned items: they are not resurrected,
	// even with a changed hash.
	e.saveWant(t, "s1", outcomes(item.Duplicate, item.Duplicate),
		Item("a3", "s1", 4*hour, "x"), withHash(Item("a2", "s1", 3*hour, "x"), "h2"))
	e.wantAbsent(t, "a2")
	e.wantAbsent(t, "a3")
	e.prune(t, T0(), 0)
	e.wantCount(t, store.AllTopic, 2)
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

	// Upstream re-dating the pruned item does not bring it back.
	e.clock.Advance(10 * hour)
	redated := Item("c", "s1", 0, "x")
	e.saveWant(t, "s1", outcomes(item.Duplicate), redated)
	e.wantAbsent(t, "c")

	e.prune(t, T0().Add(3*day), 2)
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
