package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

func testConcurrent(t *testing.T, open Opener) {
	const (
		workers = 8
		keys    = 60
		perPoll = 40
	)
	e := newEnv(t, open, defaultOptions())
	pool := Items("k", "", keys)
	results := make([]store.SaveResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		// Each worker is a different source polling an overlapping,
		// shuffled subset of the same stories.
		src := fmt.Sprintf("s%d", w)
		r := rand.New(rand.NewPCG(uint64(w), 1))
		batch := make([]item.Item, 0, perPoll)
		for _, i := range r.Perm(keys)[:perPoll] {
			batch = append(batch, withSource(pool[i], src))
		}
		wg.Go(func() {
			results[w], errs[w] = e.s.SaveItems(e.ctx, src, batch)
		})
	}
	wg.Wait()

	seen := map[string]int{}
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		if got := results[w].Count(item.New) + results[w].Count(item.Duplicate); got != perPoll {
			t.Fatalf("worker %d: %d new+duplicate of %d: %v", w, got, perPoll, results[w].Outcomes)
		}
	}
	total := 0
	for w := range workers {
		total += results[w].Count(item.New)
	}
	items, err := e.s.Items(e.ctx, store.Query{Limit: 2 * keys})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		seen[it.Key]++
	}
	// Every key stored exactly once, and reported New exactly once.
	if len(items) != len(seen) || total != len(seen) {
		t.Fatalf("got %d items, %d distinct, %d reported new", len(items), len(seen), total)
	}
	if n := e.count(t, store.AllTopic); n != len(seen) {
		t.Fatalf("Count(all): got %d, want %d", n, len(seen))
	}
	perSource := 0
	for w := range workers {
		perSource += len(e.keys(t, store.Query{Source: fmt.Sprintf("s%d", w), Limit: 2 * keys}))
	}
	if perSource != len(seen) {
		t.Fatalf("source indexes hold %d entries, want %d", perSource, len(seen))
	}
}

func testPingClose(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	if err := e.s.Ping(e.ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := e.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := e.s.Ping(e.ctx); err == nil {
		t.Fatal("Ping after Close: got nil error")
	}
	if _, err := e.s.SaveItems(e.ctx, "s1", []item.Item{Item("a", "s1", hour)}); err == nil {
		t.Fatal("SaveItems after Close: got nil error")
	}
}
