package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

func testOrderingAndPaging(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	// Saved out of order, across two batches and two sources; "tie-b" and
	// "tie-a" share a date and must come out by key.
	e.save(t, "s1",
		Item("c", "s1", 3*hour, "x"),
		Item("tie-b", "s1", 2*hour),
		Item("a", "s1", time.Hour, "x"),
	)
	e.save(t, "s2",
		Item("tie-a", "s2", 2*hour, "x"),
		Item("d", "s2", 4*hour),
		Item("b", "s2", 90*time.Minute),
	)
	all := []string{"a", "b", "tie-a", "tie-b", "c", "d"}
	cases := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all by default", store.Query{}, all},
		{"all by name", store.Query{Topic: store.AllTopic}, all},
		{"first page", store.Query{Limit: 2}, all[:2]},
		{"second page", store.Query{Offset: 2, Limit: 2}, all[2:4]},
		{"last partial page", store.Query{Offset: 4, Limit: 3}, all[4:]},
		{"past the end", store.Query{Offset: 6, Limit: 2}, nil},
		{"topic", store.Query{Topic: "x"}, []string{"a", "tie-a", "c"}},
		{"topic paged", store.Query{Topic: "x", Offset: 1, Limit: 1}, []string{"tie-a"}},
		{"unknown topic", store.Query{Topic: "nope"}, nil},
		{"source", store.Query{Source: "s2"}, []string{"b", "tie-a", "d"}},
		{"source ignores topic", store.Query{Source: "s1", Topic: "nope"}, []string{"a", "tie-b", "c"}},
		{"source paged", store.Query{Source: "s1", Offset: 1, Limit: 5}, []string{"tie-b", "c"}},
		{"unknown source", store.Query{Source: "nope"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.wantKeys(t, tc.q, tc.want...)
		})
	}
}

func testDefaultLimit(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	e.save(t, "s1", Items("k", "s1", 55)...)
	for _, tc := range []struct {
		name string
		q    store.Query
		want int
	}{
		{"zero limit means 50", store.Query{}, 50},
		{"negative limit means 50", store.Query{Limit: -1}, 50},
		{"explicit limit", store.Query{Limit: 55}, 55},
		{"default limit after offset", store.Query{Offset: 10}, 45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.keys(t, tc.q)
			if len(got) != tc.want {
				t.Fatalf("Items(%+v): got %d items, want %d", tc.q, len(got), tc.want)
			}
			if first := fmt.Sprintf("k%d", tc.q.Offset); got[0] != first {
				t.Fatalf("Items(%+v): first is %q, want %q", tc.q, got[0], first)
			}
		})
	}
}

func testCount(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	e.wantCount(t, store.AllTopic, 0)
	e.save(t, "s1",
		Item("a", "s1", time.Hour, "x", "y"),
		Item("b", "s1", time.Hour, "y"),
		Item("c", "s1", time.Hour),
		// A topic named like the pseudo-topic must not double-index.
		Item("d", "s1", time.Hour, store.AllTopic),
	)
	for _, tc := range []struct {
		topic string
		want  int
	}{
		{store.AllTopic, 4},
		{"", 4},
		{"x", 1},
		{"y", 2},
		{"nope", 0},
	} {
		e.wantCount(t, tc.topic, tc.want)
	}
	// Dropping the "all" topic on update must keep the item in the all index.
	upd := Item("d", "s1", time.Hour)
	upd.Hash = "h2"
	e.saveWant(t, "s1", outcomes(item.Updated), upd)
	e.wantCount(t, store.AllTopic, 4)
	e.wantKeys(t, store.Query{Limit: 10}, "a", "b", "c", "d")
}

// BenchmarkSaveItems saves batches of n fresh items (the poll of a busy
// source) into s, one batch per iteration.
func BenchmarkSaveItems(b *testing.B, s store.Store, n int) {
	ctx := b.Context()
	batch := 0
	b.ReportAllocs()
	for b.Loop() {
		items := Items(fmt.Sprintf("b%d-", batch), "bench", n)
		batch++
		res, err := s.SaveItems(ctx, "bench", items)
		if err != nil {
			b.Fatal(err)
		}
		if got := res.Count(item.New); got != n {
			b.Fatalf("got %d new, want %d", got, n)
		}
	}
}
