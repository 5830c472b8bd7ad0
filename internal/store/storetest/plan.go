package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// testStoryPlanApplied is the contract of story.Writer: a backend saving
// the real fixture feeds must end where storytest.Memory, the reference
// application of the same plans, ends: every index listing the same
// stories in the same order with the same summaries, every item stored
// alike. A second round updates every tenth item with a new title and a
// later date, so stories move, change representative and merge.
func testStoryPlanApplied(t *testing.T, open Opener) {
	opts := StoryOptions(storyPriorities)
	e := newEnv(t, open, opts)
	m := storytest.NewMemory()
	rules := story.Rules{MaxAge: opts.MaxAge, Priority: opts.Priority}
	batches := storytest.FixtureBatches(t, T0())
	save := func(round int, batch []item.Item) {
		t.Helper()
		src := batch[0].Source
		got := e.save(t, src, batch...)
		p, err := m.Save(rules, src, batch, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Outcomes, p.Outcomes) || got.Joined != p.Joined {
			t.Fatalf("round %d, %s: got %v joined %d, the reference %v joined %d", round, src, got.Outcomes, got.Joined, p.Outcomes, p.Joined)
		}
		if err := m.Check(); err != nil {
			t.Fatalf("round %d, %s: the reference: %v", round, src, err)
		}
	}
	for _, batch := range batches {
		save(1, batch)
	}
	e.compareTo(t, m, "after round 1")
	e.clock.Advance(hour)
	for _, batch := range batches {
		changed := make([]item.Item, len(batch))
		for i, it := range batch {
			if i%10 == 0 {
				it.Title += " (updated)"
				it.Hash += "-2"
				it.Published = it.Published.Add(30 * time.Minute)
			}
			changed[i] = it
		}
		save(2, changed)
	}
	e.compareTo(t, m, "after round 2")
}

// compareTo fails unless every index and item of the store is as m has
// it.
func (e *env) compareTo(t *testing.T, m *storytest.Memory, when string) {
	t.Helper()
	total := 0
	for _, x := range m.Indexes() {
		q := store.Query{Limit: 1000}
		switch x.Kind {
		case story.IndexSource:
			q.Source = x.Name
		case story.IndexTopic:
			q.Topic = x.Name
		}
		want := m.Items(x)
		got := e.items(t, q)
		if x.Kind == story.IndexAll {
			total = len(want)
		}
		for i := range max(len(got), len(want)) {
			g, w := "(none)", "(none)"
			if i < len(got) {
				g = shown(got[i])
			}
			if i < len(want) {
				w = shown(want[i])
			}
			if g != w {
				t.Fatalf("%s: Items(%+v), %d entries, the reference %d; first difference at %d:\n got %s\nwant %s",
					when, q, len(got), len(want), i, g, w)
			}
		}
	}
	e.wantCount(t, store.AllTopic, total)
	for _, k := range m.Keys() {
		want, _, _ := m.Item(k)
		if g, w := storedText(e.item(t, k)), storedText(want.Item); g != w {
			t.Fatalf("%s: Item(%s):\n got %s\nwant %s", when, k, g, w)
		}
	}
}

// shown is what a listing shows of an entry, as text to compare.
func shown(it item.Item) string {
	rel := ""
	for _, r := range it.Related {
		rel += fmt.Sprintf(" [%s %s %q %s]", r.Source, r.URL, r.Title, r.Published.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s %s %q %s topics %v replies %d related%s", it.Key, it.Source, it.Title,
		it.Published.UTC().Format(time.RFC3339Nano), it.Topics, it.Replies, rel)
}

// storedText is what Item returns of an item, as text to compare.
func storedText(it item.Item) string {
	return fmt.Sprintf("%s %s %q %s first seen %s hash %s topics %v", it.Key, it.Source, it.Title,
		it.Published.UTC().Format(time.RFC3339Nano), it.FirstSeen.UTC().Format(time.RFC3339Nano), it.Hash, it.Topics)
}
