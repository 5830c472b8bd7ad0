package storetest

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// testCuratedIndex checks the curated river (store.CuratedTopic): the
// stories with a topic or a member from a wholly on-topic source, newest
// first, following updates that add or drop topics, stories that gain a
// curated member, and retention.
func testCuratedIndex(t *testing.T, open Opener) {
	opts := StoryOptions(storyPriorities)
	e := newEnv(t, open, opts)
	curated := store.Query{Topic: store.CuratedTopic}

	tagged := report("lwn", "Linux 6.17 released", "https://lwn.net/Articles/1/", 3*hour, "releases")
	untagged := report("hn", "A love letter to FreeBSD", "https://example.org/freebsd", 2*hour)
	onTopic := report("github", "Merge branch 'for-next'", "https://example.org/merge", hour)
	onTopic.OnTopic = true
	e.saveSrc(t, tagged)
	e.saveSrc(t, untagged)
	e.saveSrc(t, onTopic)
	e.wantKeys(t, curated, onTopic.Key, tagged.Key)
	e.wantCount(t, store.CuratedTopic, 2)
	e.wantCount(t, store.AllTopic, 3)

	// An update that gives the untagged item a topic files it; one that
	// takes the topic away unfiles it.
	filed := withTopics(untagged, "subsystems")
	e.saveWant(t, "hn", outcomes(item.Updated), filed)
	e.wantKeys(t, curated, onTopic.Key, filed.Key, tagged.Key)
	unfiled := withTopics(tagged)
	e.saveWant(t, "lwn", outcomes(item.Updated), unfiled)
	e.wantKeys(t, curated, onTopic.Key, filed.Key)

	// Another source's report of the unfiled story, with a topic, makes
	// the story curated; the story is listed once.
	again := report("rust-blog", "Linux 6.17 is out", "https://lwn.net/Articles/1/", 3*hour, "releases")
	e.saveSrc(t, again)
	if got := e.keys(t, curated); len(got) != 3 || got[2] != unfiled.Key && got[2] != again.Key {
		t.Errorf("curated after a tagged report of the story: %q, want three stories, the release last", got)
	}
	e.wantCount(t, store.CuratedTopic, 3)
}

// testCuratedRetention checks that retention leaves no curated entry
// behind for a removed item.
func testCuratedRetention(t *testing.T, open Opener) {
	opts := StoryOptions(nil)
	opts.MaxItems = 1
	e := newEnv(t, open, opts)
	old := report("lwn", "Old news", "https://lwn.net/Articles/2/", 2*hour, "security")
	e.saveSrc(t, old)
	newer := report("lwn", "New news", "https://lwn.net/Articles/3/", hour, "security")
	e.saveSrc(t, newer)
	e.wantKeys(t, store.Query{Topic: store.CuratedTopic}, newer.Key)
	e.wantCount(t, store.CuratedTopic, 1)
}

func withTopics(it item.Item, topics ...string) item.Item {
	it.Topics = topics
	it.Hash = it.Hash + "+" + string(rune('a'+len(topics)))
	return it
}
