package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
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

// Look-alike threads of a kernel-hardening week: a poll of any of the
// list's feeds carries replies to the same few threads, so concurrent
// saves of different sources keep landing in the same stories.
var lookalikeSubjects = []string{
	"lkdtm: add a test for the stack canary",
	"lkdtm: add a test for the shadow call stack",
	"x86/entry: harden the syscall entry path",
	"x86/entry: harden the interrupt entry path",
}

// Lookalike workload sizes: LookalikeBatch's replies per thread.
const lookalikeReplies = 1

// LookalikeBatch returns source src's poll n: lookalikeReplies new replies
// to each of the look-alike threads, each its own mail (link), as poll
// hands them to SaveItems.
func LookalikeBatch(src string, n int) []item.Item {
	var items []item.Item
	for th, subj := range lookalikeSubjects {
		for r := range lookalikeReplies {
			title := fmt.Sprintf("Re: [PATCH v%d %d/4] %s", 1+r, 1+th, subj)
			link := fmt.Sprintf("https://lore.kernel.org/kernel-hardening/%s-%d-%d-%d@example.org/", src, n, th, r)
			ago := time.Duration(n*len(lookalikeSubjects)*lookalikeReplies+th*lookalikeReplies+r) * time.Minute
			items = append(items, item.Item{Source: src, Title: title, Link: link, Published: T0().Add(-ago),
				Topics: []string{"security"}})
		}
	}
	dedup.Assign(items, src)
	return items
}

// SaveLookalikes saves batches polls of LookalikeBatch from each of
// workers goroutines at once into s, worker w as source prefix<w>, one
// poll after the other, as a poller's workers do. It returns the items
// saved and the first error, after checking every save reported its
// items New.
func SaveLookalikes(ctx context.Context, s store.Store, prefix string, workers, batches int) ([]item.Item, error) {
	var (
		mu    sync.Mutex
		all   []item.Item
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	for w := range workers {
		src := fmt.Sprintf("%s%d", prefix, w)
		wg.Go(func() {
			for n := range batches {
				batch := LookalikeBatch(src, n)
				res, err := s.SaveItems(ctx, src, batch)
				if err != nil {
					fail(fmt.Errorf("%s poll %d: %w", src, n, err))
					return
				}
				if got := res.Count(item.New); got != len(batch) {
					fail(fmt.Errorf("%s poll %d: %d of %d new: %v", src, n, got, len(batch), res.Outcomes))
					return
				}
				mu.Lock()
				all = append(all, batch...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return all, first
}

// CheckLookalikes checks that s holds each of items once and lists one
// story per look-alike thread, holding all of the thread's items.
func CheckLookalikes(t *testing.T, s store.Store, items []item.Item) {
	t.Helper()
	ctx := t.Context()
	perThread := map[string]int{}
	for _, it := range items {
		got, err := s.Item(ctx, it.Key)
		if err != nil {
			t.Fatalf("Item(%s): %v", it.Key, err)
		}
		if got.Link != it.Link {
			t.Fatalf("Item(%s): link %q, want %q", it.Key, got.Link, it.Link)
		}
		perThread[threadOf(it.Title)]++
	}
	reps, err := s.Items(ctx, store.Query{Limit: 10 * len(lookalikeSubjects)})
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	if len(reps) != len(lookalikeSubjects) {
		t.Fatalf("Items: got %d entries, want %d stories (one per thread)", len(reps), len(lookalikeSubjects))
	}
	seen := map[string]bool{}
	for _, rep := range reps {
		th := threadOf(rep.Title)
		if seen[th] {
			t.Fatalf("thread %q listed twice", th)
		}
		seen[th] = true
		if got := 1 + len(rep.Related) + rep.Replies; got != perThread[th] {
			t.Errorf("story %q holds %d items (1 + %d related + %d replies), want %d",
				rep.Title, got, len(rep.Related), rep.Replies, perThread[th])
		}
	}
	if n, err := s.Count(ctx, store.AllTopic); err != nil || n != len(lookalikeSubjects) {
		t.Fatalf("Count(all): got %d (%v), want %d", n, err, len(lookalikeSubjects))
	}
}

// threadOf is the look-alike subject a title replies to.
func threadOf(title string) string {
	for _, s := range lookalikeSubjects {
		if strings.HasSuffix(title, "] "+s) {
			return s
		}
	}
	return title
}

// testConcurrentLookalikes has a poller's workers save look-alike items
// that all cluster into the same few stories, several polls each, at
// once: every save must succeed (none may give up on conflicts), every
// item be stored once, and the stories hold them all.
func testConcurrentLookalikes(t *testing.T, open Opener) {
	const workers, batches = 24, 2
	e := newEnv(t, open, StoryOptions(nil))
	items, err := SaveLookalikes(e.ctx, e.s, "kernel-hardening-", workers, batches)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != workers*batches*len(lookalikeSubjects)*lookalikeReplies {
		t.Fatalf("saved %d items", len(items))
	}
	CheckLookalikes(t, e.s, items)
}
