package storetest

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// testSubscriberArticleFreed: LWN lists a subscriber-only article
// ("[$] ...") and, about a week later when it becomes free, lists it again
// without the mark (a newer date, the same link). The story is updated in
// place: one story, its key and id kept, the free title shown, listed
// once in the curated river. A republisher's free copy of the article
// (same link, so the same key) updates the story the same way.
func testSubscriberArticleFreed(t *testing.T, open Opener) {
	const link = "https://lwn.net/Articles/935039/"
	t.Run("same source", func(t *testing.T) {
		e := newEnv(t, open, StoryOptions(storyPriorities))
		paid := report("lwn", "[$] A pair of workqueue improvements", link, 2*hour, "subsystems")
		paid.Hash = "paid"
		e.saveWant(t, "lwn", outcomes(item.New), paid)
		first := e.items(t, store.Query{})
		e.clock.Advance(7 * day)
		free := report("lwn", "A pair of workqueue improvements", link, -7*day+2*hour, "subsystems")
		free.Hash = "free"
		if free.Key != paid.Key {
			t.Fatalf("the free listing has key %s, the paid one %s", free.Key, paid.Key)
		}
		e.saveWant(t, "lwn", outcomes(item.Updated), free)
		for _, q := range []store.Query{{}, {Topic: store.CuratedTopic}, {Topic: "subsystems"}, {Source: "lwn"}} {
			got := e.items(t, q)
			if len(got) != 1 || got[0].Title != free.Title || got[0].Key != paid.Key {
				t.Fatalf("Items(%+v): %d stories %v, want the one story under its free title", q, len(got), keysOfItems(got))
			}
			if id := got[0].StoryID; id != first[0].StoryID {
				t.Errorf("story id %q, want %q kept", id, first[0].StoryID)
			}
			if !got[0].StoryUpdated.After(first[0].StoryUpdated) {
				t.Errorf("story updated %v, want after %v", got[0].StoryUpdated, first[0].StoryUpdated)
			}
		}
		e.wantCount(t, store.CuratedTopic, 1)
		e.wantCount(t, store.AllTopic, 1)
		// Seen again, it is a duplicate.
		e.saveWant(t, "lwn", outcomes(item.Duplicate), free)
	})
	t.Run("free elsewhere", func(t *testing.T) {
		// A republisher (LWN's articles once free) carries the same
		// article: the story is updated in place, LWN's item taking the
		// free text, the republisher's copy kept as coverage; LWN listing
		// the article as it was, or changed, does not bring the mark back.
		e := newEnv(t, open, StoryOptions(storyPriorities))
		paid := report("lwn", "[$] A pair of workqueue improvements", link, 7*day, "subsystems")
		paid.Hash, paid.Summary = "paid", "The workqueue subsystem gains two improvements."
		e.saveWant(t, "lwn", outcomes(item.New), paid)
		before := e.items(t, store.Query{})
		e.clock.Advance(7 * day)
		free := report("lwn-free", "A pair of workqueue improvements", link, hour, "subsystems")
		free.Hash, free.Summary = "free", "The full article."
		e.saveWant(t, "lwn-free", outcomes(item.Updated), free)
		shown := func(what string) {
			t.Helper()
			for _, q := range []store.Query{{}, {Topic: store.CuratedTopic}, {Source: "lwn"}} {
				got := e.items(t, q)
				if len(got) != 1 || got[0].Title != free.Title || got[0].Key != paid.Key || got[0].Summary != free.Summary {
					t.Fatalf("%s: Items(%+v): %d stories %+v, want the one story under its free title and text", what, q, len(got), got)
				}
				if rel := relatedSources(got[0]); len(rel) != 1 || rel[0] != "lwn-free" {
					t.Errorf("%s: related sources %v, want the republisher's copy", what, rel)
				}
			}
			e.wantCount(t, store.AllTopic, 1)
		}
		shown("freed")
		if after := e.items(t, store.Query{}); !after[0].StoryUpdated.After(before[0].StoryUpdated) {
			t.Errorf("story updated %v, want after %v", after[0].StoryUpdated, before[0].StoryUpdated)
		}
		e.saveWant(t, "lwn", outcomes(item.Duplicate), paid)
		shown("lwn seen again")
		e.saveWant(t, "lwn-free", outcomes(item.Duplicate), free)
		shown("the copy seen again")
		e.clock.Advance(hour)
		changed := paid
		changed.Hash = "paid, edited"
		changed.Summary = "The full article."
		e.saveWant(t, "lwn", outcomes(item.Updated), changed)
		shown("lwn's listing changed")
	})
}
