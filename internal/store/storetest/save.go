package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// step is one SaveItems call of a table case and the outcomes it must give.
type step struct {
	src   string
	items []item.Item
	want  []item.Outcome
}

// stored is what Item(key) must return afterwards: its hash and source, or
// absent.
type stored struct {
	key, hash, source string
	absent            bool
}

func withHash(it item.Item, h string) item.Item {
	it.Hash = h
	it.Title += " (" + h + ")"
	return it
}

func testOutcomes(t *testing.T, open Opener) {
	a := Item("a", "s1", hour)
	b := Item("b", "s1", 2*hour)
	old := Item("old", "s1", 3*day)
	cases := []struct {
		name  string
		opts  store.Options
		steps []step
		after []stored
	}{
		{
			name: "new then duplicate",
			steps: []step{
				{"s1", []item.Item{a, b}, outcomes(item.New, item.New)},
				{"s1", []item.Item{a, b}, outcomes(item.Duplicate, item.Duplicate)},
			},
			after: []stored{{key: "a", hash: "h1", source: "s1"}, {key: "b", hash: "h1", source: "s1"}},
		},
		{
			name: "changed hash from same source updates",
			steps: []step{
				{"s1", []item.Item{a}, outcomes(item.New)},
				{"s1", []item.Item{withHash(a, "h2")}, outcomes(item.Updated)},
				{"s1", []item.Item{withHash(a, "h2")}, outcomes(item.Duplicate)},
			},
			after: []stored{{key: "a", hash: "h2", source: "s1"}},
		},
		{
			name: "too old is not stored",
			opts: store.Options{SeenTTL: 30 * day, MaxAge: 2 * day},
			steps: []step{
				{"s1", []item.Item{old, a}, outcomes(item.TooOld, item.New)},
				{"s1", []item.Item{old}, outcomes(item.TooOld)},
			},
			after: []stored{{key: "old", absent: true}, {key: "a", hash: "h1", source: "s1"}},
		},
		{
			name: "same key from another source stays with the first",
			steps: []step{
				{"s1", []item.Item{a}, outcomes(item.New)},
				{"s2", []item.Item{withSource(a, "s2")}, outcomes(item.Duplicate)},
				{"s2", []item.Item{withHash(withSource(a, "s2"), "h2")}, outcomes(item.Duplicate)},
				// The first source can still update it after s2's variant.
				{"s1", []item.Item{withHash(a, "h3")}, outcomes(item.Updated)},
			},
			after: []stored{{key: "a", hash: "h3", source: "s1"}},
		},
		{
			name: "in-batch duplicates",
			steps: []step{
				{"s1", []item.Item{a, a, b, withHash(b, "h2"), withHash(b, "h2")},
					outcomes(item.New, item.Duplicate, item.New, item.Updated, item.Duplicate)},
			},
			after: []stored{{key: "a", hash: "h1", source: "s1"}, {key: "b", hash: "h2", source: "s1"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts.SeenTTL == 0 {
				opts = defaultOptions()
			}
			e := newEnv(t, open, opts)
			for _, st := range tc.steps {
				e.saveWant(t, st.src, st.want, st.items...)
			}
			for _, w := range tc.after {
				got, err := e.s.Item(e.ctx, w.key)
				if w.absent {
					if !errors.Is(err, store.ErrNotFound) {
						t.Fatalf("Item(%q): got %v, want ErrNotFound", w.key, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Item(%q): %v", w.key, err)
				}
				if got.Hash != w.hash || got.Source != w.source {
					t.Fatalf("Item(%q): got hash %q source %q, want %q %q", w.key, got.Hash, got.Source, w.hash, w.source)
				}
			}
		})
	}
}

func withSource(it item.Item, src string) item.Item {
	it.Source = src
	return it
}

func testEmptyBatch(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	v := e.version(t)
	res := e.save(t, "s1")
	if len(res.Outcomes) != 0 {
		t.Fatalf("empty batch: got %v outcomes", res.Outcomes)
	}
	if got := e.version(t); got != v {
		t.Fatalf("Version after empty batch: got %d, want %d", got, v)
	}
}

func testItemRoundTrip(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	full := item.Item{
		Key:        "full",
		Source:     "lkml",
		GUID:       "urn:msg:1",
		Link:       "https://lore.kernel.org/x",
		Title:      "[PATCH v3 02/11] rust: kernel: add foo",
		Summary:    "<p>sum &amp; more</p>",
		Content:    "<p>content ✓</p>",
		Author:     "A. Hacker",
		Categories: []string{"rust", "mm"},
		Topics:     []string{"mm", "rust"},
		Matched:    map[string]item.Match{"rust": {Rule: "subject", Words: []string{"rust"}}},
		Extracted: item.Extracted{
			KernelVersions: []string{"6.18"},
			CVEs:           []string{"CVE-2026-1234"},
			Patch:          &item.Patch{Kind: "PATCH", Version: 3, Index: 2, Total: 11, Subsystem: "rust: kernel"},
		},
		Published: T0().Add(-time.Hour + 123456789*time.Nanosecond),
		Updated:   T0().Add(-30 * time.Minute),
		Hash:      "h1",
	}
	given := Item("given", "lkml", 2*hour)
	given.FirstSeen = T0().Add(-5 * day)
	e.saveWant(t, "lkml", outcomes(item.New, item.New), full, given)

	want := full
	want.FirstSeen = T0()
	if got := normal(e.item(t, "full")); !equalItems(got, normal(want)) {
		t.Fatalf("Item(full):\n got %+v\nwant %+v", got, normal(want))
	}
	if got := e.item(t, "given").FirstSeen; !got.Equal(given.FirstSeen) {
		t.Fatalf("caller's FirstSeen: got %v, want %v", got, given.FirstSeen)
	}
	items, err := e.s.Items(e.ctx, store.Query{Topic: "rust"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !equalItems(normal(items[0]), normal(want)) {
		t.Fatalf("Items(rust): got %+v, want [%+v]", items, normal(want))
	}
	if _, err := e.s.Item(e.ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Item(missing): got %v, want ErrNotFound", err)
	}
}

func testUpdateKeepsFirstSeen(t *testing.T, open Opener) {
	// MaxAge is set so that a zero Published is seen not to count as old.
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxAge: 2 * day})
	a := Item("a", "s1", hour)
	e.saveWant(t, "s1", outcomes(item.New), a)

	e.clock.Advance(hour)
	upd := withHash(a, "h2")
	upd.Published = time.Time{}
	e.saveWant(t, "s1", outcomes(item.Updated), upd)
	got := e.item(t, "a")
	if !got.FirstSeen.Equal(T0()) || !got.Published.Equal(a.Published) || got.Title != upd.Title {
		t.Fatalf("after update without Published: got first seen %v published %v title %q, want %v %v %q",
			got.FirstSeen, got.Published, got.Title, T0(), a.Published, upd.Title)
	}

	upd3 := withHash(a, "h3")
	upd3.Published = T0().Add(-10 * time.Minute)
	e.saveWant(t, "s1", outcomes(item.Updated), upd3)
	got = e.item(t, "a")
	if !got.FirstSeen.Equal(T0()) || !got.Published.Equal(upd3.Published) {
		t.Fatalf("after update with Published: got first seen %v published %v, want %v %v",
			got.FirstSeen, got.Published, T0(), upd3.Published)
	}
	// The new date moves it in the index: it is now newer than b.
	e.saveWant(t, "s1", outcomes(item.New), Item("b", "s1", 30*time.Minute))
	e.wantKeys(t, store.Query{}, "a", "b")

	// A new item without a date is dated when first seen (item.Item's
	// fallback), so it sorts as the newest.
	undated := Item("undated", "s1", 0)
	undated.Published = time.Time{}
	e.saveWant(t, "s1", outcomes(item.New), undated)
	if got := e.item(t, "undated"); !got.Published.Equal(e.clock.Now()) || !got.FirstSeen.Equal(e.clock.Now()) {
		t.Fatalf("undated item: got published %v first seen %v, want both %v", got.Published, got.FirstSeen, e.clock.Now())
	}
	e.wantKeys(t, store.Query{}, "undated", "a", "b")
}

func testTopicReindex(t *testing.T, open Opener) {
	e := newEnv(t, open, defaultOptions())
	e.saveWant(t, "s1", outcomes(item.New, item.New),
		Item("a", "s1", hour, "x", "y"), Item("b", "s1", 2*hour, "y"))
	upd := withHash(Item("a", "s1", hour, "y", "z"), "h2")
	e.saveWant(t, "s1", outcomes(item.Updated), upd)

	for _, tc := range []struct {
		topic string
		keys  []string
	}{
		{"x", nil},
		{"y", []string{"a", "b"}},
		{"z", []string{"a"}},
		{store.AllTopic, []string{"a", "b"}},
	} {
		e.wantKeys(t, store.Query{Topic: tc.topic}, tc.keys...)
		e.wantCount(t, tc.topic, len(tc.keys))
	}
	if got := e.item(t, "a").Topics; len(got) != 2 || got[0] != "y" || got[1] != "z" {
		t.Fatalf("Item(a).Topics: got %q, want [y z]", got)
	}
}

func testVersion(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 30 * day, MaxAge: 2 * day})
	a := Item("a", "s1", hour)
	steps := []struct {
		name    string
		src     string
		items   []item.Item
		changes bool
	}{
		{"new", "s1", []item.Item{a}, true},
		{"duplicate", "s1", []item.Item{a}, false},
		// Another source carrying the article is its story's coverage:
		// readers' output changes once, not at every sighting.
		{"other source", "s2", []item.Item{withHash(withSource(a, "s2"), "h9")}, true},
		{"other source again", "s2", []item.Item{withHash(withSource(a, "s2"), "h9")}, false},
		{"updated", "s1", []item.Item{withHash(a, "h2")}, true},
		{"too old", "s1", []item.Item{Item("old", "s1", 3*day)}, false},
		{"new among duplicates", "s1", []item.Item{withHash(a, "h2"), Item("b", "s1", hour)}, true},
	}
	prev := e.version(t)
	for _, st := range steps {
		e.save(t, st.src, st.items...)
		v := e.version(t)
		if changed := v != prev; changed != st.changes {
			t.Fatalf("%s: version %d -> %d, want changed=%v", st.name, prev, v, st.changes)
		}
		prev = v
	}
	// Pruning that removes nothing leaves the version; removing changes it.
	if _, err := e.s.Prune(e.ctx, T0()); err != nil {
		t.Fatal(err)
	}
	if v := e.version(t); v != prev {
		t.Fatalf("Prune removing nothing: version %d -> %d", prev, v)
	}
	if n, err := e.s.Prune(e.ctx, T0().Add(3*day)); err != nil || n != 2 {
		t.Fatalf("Prune(T0+3d): got %d, %v, want 2 removed", n, err)
	}
	if v := e.version(t); v == prev {
		t.Fatalf("Prune removing items: version stayed %d", v)
	}
}

func testSeenTTL(t *testing.T, open Opener) {
	e := newEnv(t, open, store.Options{SeenTTL: 2 * hour})
	a := Item("a", "s1", hour)
	e.saveWant(t, "s1", outcomes(item.New), a)
	steps := []struct {
		advance time.Duration
		want    item.Outcome
	}{
		{hour, item.Duplicate},             // within TTL; refreshes it
		{90 * time.Minute, item.Duplicate}, // 2h30 after first save: alive only because refreshed
		{2*hour + time.Second, item.New},   // mark expired: new again
		{time.Minute, item.Duplicate},      // and marked again
		{2*hour + time.Second, item.New},   // expired, even with a changed hash
	}
	for i, st := range steps {
		e.clock.Advance(st.advance)
		it := a
		if i == len(steps)-1 {
			it = withHash(a, "h2")
		}
		e.saveWant(t, "s1", outcomes(st.want), it)
	}
	// A re-stored item is indexed once, not twice.
	e.wantCount(t, store.AllTopic, 1)
	e.wantKeys(t, store.Query{}, "a")
	if got := e.item(t, "a").Hash; got != "h2" {
		t.Fatalf("Item(a).Hash: got %q, want h2", got)
	}
}
