package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// StoryOptions are the clustering options main wires, with priorities
// from prio and the default window.
func StoryOptions(prio map[string]int) store.Options {
	o := defaultOptions()
	o.Priority = prio
	return o
}

// storyPriorities rank the suite's sources as a feeds.yaml would.
var storyPriorities = map[string]int{"rust-blog": 10, "github": 5, "lwn": 3, "hn": 1}

// report returns an item of src as poll hands it to SaveItems: keys and
// lookup keys assigned by dedup.Assign.
func report(src, title, link string, ago time.Duration, topics ...string) item.Item {
	it := item.Item{Source: src, Title: title, Link: link, Published: T0().Add(-ago), Topics: topics}
	items := []item.Item{it}
	dedup.Assign(items, src)
	return items[0]
}

func (e *env) saveSrc(t *testing.T, items ...item.Item) store.SaveResult {
	t.Helper()
	return e.save(t, items[0].Source, items...)
}

func (e *env) items(t *testing.T, q store.Query) []item.Item {
	t.Helper()
	items, err := e.s.Items(e.ctx, q)
	if err != nil {
		t.Fatalf("Items(%+v): %v", q, err)
	}
	return items
}

func relatedSources(it item.Item) []string {
	var out []string
	for _, r := range it.Related {
		out = append(out, r.Source)
	}
	slices.Sort(out)
	return out
}

// rust171 is one event told by three sources (the real Rust blog post, the
// GitHub release and LWN's brief), oldest first.
func rust171() []item.Item {
	return []item.Item{
		report("lwn", "Rust 1.71.0 released", "https://lwn.net/Articles/937900/", 2*hour, "news"),
		report("github", "1.71.0", "https://github.com/rust-lang/rust/releases/tag/1.71.0", 3*hour, "releases"),
		report("rust-blog", "Announcing Rust 1.71.0", "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html", hour, "rust"),
	}
}

// testStoryInBatchDuplicates saves a batch holding one keyed item twice
// (and another twice, changed the second time) with clustering on: the
// second copy is a duplicate or an update of the first, never new again.
// Items without story keys or buckets are the ones the planner's fast path
// takes.
func testStoryInBatchDuplicates(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(nil))
	a, b := Item("a", "s1", hour), Item("b", "s1", 2*hour)
	e.saveWant(t, "s1", outcomes(item.New, item.Duplicate, item.New, item.Updated, item.Duplicate),
		a, a, b, withHash(b, "h2"), withHash(b, "h2"))
	e.wantKeys(t, store.Query{}, "a", "b")
	e.wantCount(t, store.AllTopic, 2)
	if got := e.item(t, "b").Hash; got != "h2" {
		t.Fatalf("Item(b).Hash: got %q, want h2", got)
	}
	// The same with story keys: two sightings of one article in a batch.
	lwn := report("lwn", "The state of the page in 2025", "https://lwn.net/Articles/1010000/", hour, "mm")
	e.saveWant(t, "lwn", outcomes(item.New, item.Duplicate), lwn, lwn)
	e.wantCount(t, store.AllTopic, 3)
}

// testStoryUpdateMovesEntry updates an item with a later date, with
// clustering on: its index entries move, it is listed once.
func testStoryUpdateMovesEntry(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(nil))
	a := Item("a", "s1", 2*hour, "x")
	e.saveWant(t, "s1", outcomes(item.New, item.New), a, Item("b", "s1", hour, "x"))
	e.wantKeys(t, store.Query{}, "b", "a")
	upd := withHash(a, "h2")
	upd.Published = T0().Add(-10 * time.Minute)
	e.saveWant(t, "s1", outcomes(item.Updated), upd)
	for _, q := range []store.Query{{}, {Topic: "x"}, {Source: "s1"}} {
		e.wantKeys(t, q, "a", "b")
	}
	e.wantCount(t, store.AllTopic, 2)
	e.wantCount(t, "x", 2)
	// A story of several members moves too when its representative's
	// date does.
	items := rust171()
	e.saveSrc(t, items[0])
	e.saveSrc(t, items[1])
	moved := withHash(items[0], "h2")
	moved.Published = T0().Add(-5 * time.Minute)
	e.saveWant(t, "lwn", outcomes(item.Updated), moved)
	e.wantKeys(t, store.Query{}, items[0].Key, "a", "b")
	e.wantCount(t, store.AllTopic, 3)
}

func testStoryThreeSources(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	items := rust171()
	// A different event saved alongside must stay its own story.
	other := report("lwn", "Security updates for Thursday", "https://lwn.net/Articles/937901/", 30*time.Minute, "security")
	e.saveWant(t, "lwn", outcomes(item.New, item.New), items[0], other)
	res := e.saveSrc(t, items[1])
	if res.Outcomes[0] != item.New || res.Joined != 1 {
		t.Fatalf("github release: got %v joined %d, want new, joined 1", res.Outcomes, res.Joined)
	}
	e.saveSrc(t, items[2])

	all := e.items(t, store.Query{})
	if len(all) != 2 {
		t.Fatalf("Items(all): got %d entries, want 2 stories: %v", len(all), all)
	}
	e.wantCount(t, store.AllTopic, 2)
	rep := all[1]
	if rep.Key != items[2].Key {
		t.Fatalf("representative: got %s (%s), want the Rust blog's (highest priority)", rep.Source, rep.Title)
	}
	if got, want := relatedSources(rep), []string{"github", "lwn"}; !slices.Equal(got, want) {
		t.Fatalf("Related sources: got %v, want %v", got, want)
	}
	for _, r := range rep.Related {
		if r.URL == "" || r.Title == "" || r.Published.IsZero() {
			t.Fatalf("Related entry incomplete: %+v", r)
		}
	}
	if want := []string{"news", "releases", "rust"}; !slices.Equal(rep.Topics, want) {
		t.Fatalf("representative topics: got %v, want the union %v", rep.Topics, want)
	}
	// Every topic and the representative's source list the story once;
	// the members' own sources no longer list them.
	for _, topic := range []string{"news", "releases", "rust"} {
		e.wantKeys(t, store.Query{Topic: topic}, rep.Key)
	}
	e.wantKeys(t, store.Query{Source: "rust-blog"}, rep.Key)
	e.wantKeys(t, store.Query{Source: "github"})
	e.wantKeys(t, store.Query{Source: "lwn"}, other.Key)
	// Members are still stored under their own keys, as they are.
	if got := e.item(t, items[1].Key); got.Title != "1.71.0" || len(got.Related) != 0 {
		t.Fatalf("Item(member): got %+v", got)
	}
	if all[0].Key != other.Key || len(all[0].Related) != 0 {
		t.Fatalf("other story: got %s with %d related", all[0].Title, len(all[0].Related))
	}
}

// testStoryRepresentativeMoves has the representative change twice: to
// LWN's report over GitHub's bare release record (a report wins over a
// record whatever the priorities), then to the Rust blog's announcement
// (higher priority). Index entries move with it; the story's id (GitHub's
// release, its first item) stays, and its last change moves forward.
func testStoryRepresentativeMoves(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	items := rust171()
	github, lwn, blog := items[1], items[0], items[2]
	shown := func(wantRep string, wantUpdated time.Time) {
		t.Helper()
		all := e.items(t, store.Query{})
		if len(all) != 1 || all[0].Key != wantRep {
			t.Fatalf("Items: got %v, want the story of %s", keysOfItems(all), wantRep)
		}
		if id := cmp.Or(all[0].StoryID, all[0].Key); id != github.Key {
			t.Fatalf("story id %s, want %s (its first item's key)", id, github.Key)
		}
		if !all[0].StoryUpdated.Equal(wantUpdated) {
			t.Fatalf("story updated %v, want %v", all[0].StoryUpdated, wantUpdated)
		}
	}
	e.saveSrc(t, github)
	e.clock.Advance(hour)
	e.saveSrc(t, lwn)
	shown(lwn.Key, e.clock.Now())
	e.wantKeys(t, store.Query{Source: "github"})
	e.clock.Advance(hour)
	e.saveSrc(t, blog)
	shown(blog.Key, e.clock.Now())
	e.wantKeys(t, store.Query{Topic: "releases"}, blog.Key)
	e.wantKeys(t, store.Query{Source: "lwn"})
	// Seeing them all again changes nothing, the story's date included.
	changed := e.clock.Now()
	e.clock.Advance(hour)
	v := e.version(t)
	for _, it := range items {
		e.saveWant(t, it.Source, outcomes(item.Duplicate), it)
	}
	if e.version(t) != v {
		t.Fatal("duplicates changed the version")
	}
	shown(blog.Key, changed)
	// Retagged (a changed hash, the same story): same id, a new date.
	retagged := withHash(lwn, "retagged")
	retagged.Topics = append(retagged.Topics, "kernel")
	e.saveWant(t, "lwn", outcomes(item.Updated), retagged)
	shown(blog.Key, e.clock.Now())
}

// testStoryMergeKeepsOlderID bridges two published stories into one: the
// story published first keeps its id, whichever the new item joined
// first. (Readers holding the other story's entry keep it as it was: it
// is no longer updated.)
func testStoryMergeKeepsOlderID(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	sd := report("slashdot", "LWN.Net Celebrates Its 20th Birthday", "https://linux.slashdot.org/story/18/01/22/0727243/lwnnet-celebrates-its-20th-birthday", 5*hour, "news")
	lwn := report("lwn", "Welcome to the LWN.net 20th anniversary", "https://lwn.net/Articles/743699/", hour, "news")
	// Hacker News links to LWN's article (it is LWN's story by key) under
	// Slashdot's words (it finds Slashdot's by text).
	hn := report("hn", "LWN.net celebrates its 20th birthday", "https://lwn.net/Articles/743699/", 0, "news")
	e.saveSrc(t, sd)
	e.clock.Advance(hour)
	e.saveSrc(t, lwn)
	e.clock.Advance(hour)
	e.saveSrc(t, hn)
	all := e.items(t, store.Query{})
	if len(all) != 1 {
		t.Fatalf("got %d stories, want 1", len(all))
	}
	if id := cmp.Or(all[0].StoryID, all[0].Key); id != sd.Key {
		t.Fatalf("merged story id %s, want Slashdot's %s (published first), not LWN's %s", id, sd.Key, lwn.Key)
	}
	if !all[0].StoryUpdated.Equal(e.clock.Now()) {
		t.Fatalf("merged story updated %v, want %v", all[0].StoryUpdated, e.clock.Now())
	}
}

func keysOfItems(items []item.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

// testStoryBridge has a third item join one story by its link and match
// another's headline word for word: the two stories become one. (LWN's
// 20th birthday: a Slashdot headline sharing no rare word with LWN's
// article, Hacker News linking to LWN under Slashdot's words.) A merely
// similar headline must not bridge: that is testStoryApart's and the
// labelled set's business.
func testStoryBridge(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	sd := report("slashdot", "Linux Weekly News Turns Twenty", "https://linux.slashdot.org/story/18/01/22/0727243/linux-weekly-news-turns-twenty", 5*hour, "news")
	lwn := report("lwn", "Welcome to the LWN.net 20th anniversary", "https://lwn.net/Articles/743699/", hour, "news")
	hn := report("hn", "Linux Weekly News turns twenty", "https://lwn.net/Articles/743699/", 0, "news")
	e.saveSrc(t, sd)
	e.saveSrc(t, lwn)
	e.wantCount(t, store.AllTopic, 2)
	e.saveSrc(t, hn)
	all := e.items(t, store.Query{})
	if len(all) != 1 {
		t.Fatalf("got %d stories, want 1: %v", len(all), all)
	}
	if got, want := relatedSources(all[0]), []string{"hn", "slashdot"}; all[0].Source != "lwn" || !slices.Equal(got, want) {
		t.Fatalf("story: %s with related %v, want lwn with %v", all[0].Source, got, want)
	}
}

func testStoryApart(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	a := report("lwn", "Linux 6.13-rc1", "https://lwn.net/Articles/1000001/", 2*day, "kernel")
	b := report("hn", "Linux 6.13-rc2", "https://lkml.org/lkml/2024/12/8/1", day, "kernel")
	c := report("lwn", "Announcing Rust 1.71.0 pre-release testing", "https://lwn.net/Articles/1000003/", hour, "rust")
	d := report("rust-blog", "Announcing Rust 1.71.0", "https://blog.rust-lang.org/2023/07/13/Rust-1.71.0.html", 0, "rust")
	e.saveSrc(t, a, c)
	e.saveSrc(t, b)
	e.saveSrc(t, d)
	e.wantCount(t, store.AllTopic, 4)
	for _, it := range e.items(t, store.Query{}) {
		if len(it.Related) != 0 {
			t.Fatalf("%q got related %+v: look-alikes must stay apart", it.Title, it.Related)
		}
	}
}

func testStoryAlias(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	lwn := report("lwn", "The state of the page in 2025", "https://lwn.net/Articles/1010000/", 2*hour, "mm")
	// Hacker News links straight to the article: the same key, so the
	// same item, and HN is coverage of its story.
	hn := report("hn", "The state of the page in 2025", "https://lwn.net/Articles/1010000/", hour, "hn")
	e.saveSrc(t, lwn)
	e.saveWant(t, "hn", outcomes(item.Duplicate), hn)
	all := e.items(t, store.Query{})
	if len(all) != 1 || all[0].Source != "lwn" {
		t.Fatalf("Items: got %v, want the LWN item only", all)
	}
	if got := relatedSources(all[0]); !slices.Equal(got, []string{"hn"}) {
		t.Fatalf("Related: got %v, want [hn]", got)
	}
	e.saveWant(t, "hn", outcomes(item.Duplicate), hn)
	if got := e.items(t, store.Query{})[0]; len(got.Related) != 1 {
		t.Fatalf("alias recorded twice: %+v", got.Related)
	}

	// The other order, as concurrent polls may finish: HN's link first,
	// then LWN's own copy. The entry readers hold (one key, one story id)
	// is updated in place under LWN, the higher-ranked source, and HN
	// becomes its coverage: the same result as above.
	e = newEnv(t, open, StoryOptions(storyPriorities))
	e.saveWant(t, "hn", outcomes(item.New), hn)
	first := e.items(t, store.Query{})
	e.saveWant(t, "lwn", outcomes(item.Updated), lwn)
	for _, again := range []item.Item{hn, lwn} {
		e.saveWant(t, again.Source, outcomes(item.Duplicate), again)
	}
	all = e.items(t, store.Query{})
	if len(all) != 1 || all[0].Source != "lwn" || all[0].Key != first[0].Key {
		t.Fatalf("Items after HN then LWN: got %+v, want LWN's copy under the key %s", all, first[0].Key)
	}
	// A story of one item is published under the item's key.
	if was, is := cmp.Or(first[0].StoryID, first[0].Key), cmp.Or(all[0].StoryID, all[0].Key); was != is || !all[0].StoryUpdated.After(first[0].StoryUpdated) {
		t.Errorf("story id %q -> %q, updated %v -> %v: want the same id, updated later", was, is, first[0].StoryUpdated, all[0].StoryUpdated)
	}
	if got := relatedSources(all[0]); !slices.Equal(got, []string{"hn"}) {
		t.Fatalf("Related after HN then LWN: got %v, want [hn]", got)
	}
}

func testStoryReplies(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(nil))
	post := report("lore", "[PATCH v2 0/3] rust: add foo", "https://lore.kernel.org/rust-for-linux/20260101-foo-v2-0@example.org/", 3*hour, "rust")
	r1 := report("lore", "Re: [PATCH v2 0/3] rust: add foo", "https://lore.kernel.org/rust-for-linux/CAr1@example.org/", 2*hour, "rust")
	r2 := report("lore", "Re: [PATCH v2 0/3] rust: add foo", "https://lore.kernel.org/rust-for-linux/CAr2@example.org/", hour, "rust")
	e.saveWant(t, "lore", outcomes(item.New, item.New, item.New), post, r1, r2)
	all := e.items(t, store.Query{Topic: "rust"})
	if len(all) != 1 || all[0].Key != post.Key {
		t.Fatalf("Items(rust): got %d entries, want the patch alone", len(all))
	}
	if all[0].Replies != 2 || len(all[0].Related) != 0 {
		t.Fatalf("patch: got %d replies, related %+v; want 2 replies, none related", all[0].Replies, all[0].Related)
	}
	if got := e.item(t, r2.Key); got.Title != r2.Title {
		t.Fatalf("Item(reply): got %q", got.Title)
	}
}

func testStoryWindow(t *testing.T, open Opener) {
	opts := StoryOptions(storyPriorities)
	opts.StoryWindow = hour // lookup entries kept 25h (window + a day)
	e := newEnv(t, open, opts)
	items := rust171()
	e.saveSrc(t, items[0])
	e.clock.Advance(20 * hour)
	e.saveSrc(t, items[1]) // within the lookup TTL: joins
	e.wantCount(t, store.AllTopic, 1)
	e.clock.Advance(26 * hour)
	// Both earlier lookup entries expired: the blog post starts a story.
	if res := e.saveSrc(t, items[2]); res.Joined != 0 {
		t.Fatalf("joined a story whose lookup entries expired: %+v", res)
	}
	e.wantCount(t, store.AllTopic, 2)
}

// testStoryPrune caps indexes at one story: a story of three sources
// stays while one of its indexes keeps it, and goes whole (members and
// their seen marks) when none does.
func testStoryPrune(t *testing.T, open Opener) {
	opts := StoryOptions(storyPriorities)
	opts.MaxItems = 1
	e := newEnv(t, open, opts)
	items := rust171()
	for _, it := range items {
		e.saveSrc(t, it)
	}
	e.wantCount(t, store.AllTopic, 1) // three items, one story: within the cap
	// Another source's newer story pushes nothing out: the Rust blog's
	// index still keeps its story.
	other := report("lwn", "Security updates for Friday", "https://lwn.net/Articles/937999/", 0, "security")
	e.saveSrc(t, other)
	e.wantKeys(t, store.Query{}, other.Key, items[2].Key)
	// A newer story of the Rust blog's in the same topic does: no index
	// keeps the old one.
	newer := report("rust-blog", "Announcing Rust 1.72.0", "https://blog.rust-lang.org/2023/08/24/Rust-1.72.0.html", 0, "rust", "news", "releases")
	e.saveSrc(t, newer)
	e.wantKeys(t, store.Query{}, newer.Key, other.Key)
	for _, it := range items {
		if _, err := e.s.Item(e.ctx, it.Key); err == nil {
			t.Fatalf("member %s survived its story's removal", it.Source)
		}
	}
	// Their seen marks went with them: GitHub's release seen again is
	// taken again (and kept: its own index has room).
	e.saveWant(t, "github", outcomes(item.New), items[1])
	e.wantKeys(t, store.Query{Source: "github"}, items[1].Key)
}

// testStoryConcurrent has eight pollers save overlapping batches of three
// events at once: every event must end as one story.
func testStoryConcurrent(t *testing.T, open Opener) {
	const workers = 8
	e := newEnv(t, open, StoryOptions(nil))
	events := []string{"Linux 6.13 released", "Rust 1.83.0 released", "CVE-2024-1086 exploited in the wild"}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	keys := map[string]string{} // item key -> event
	for w := range workers {
		src := fmt.Sprintf("s%d", w)
		var batch []item.Item
		// Each worker reports every event under its own link and carries
		// its neighbour's link too, as aggregators do.
		for n, ev := range events {
			for _, who := range []int{w, (w + 1) % workers} {
				it := report(src, ev, fmt.Sprintf("https://news%d.example/%d", who, n), time.Duration(n)*hour)
				batch = append(batch, it)
				keys[it.Key] = ev
			}
		}
		wg.Go(func() { _, errs[w] = e.s.SaveItems(e.ctx, src, batch) })
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	all := e.items(t, store.Query{Limit: 100})
	if len(all) != len(events) {
		t.Fatalf("Items: got %d entries, want %d stories", len(all), len(events))
	}
	for _, rep := range all {
		// Every link of the event is in the story once as an item and
		// once as the other carrier's coverage (an alias).
		links := map[string]bool{rep.Link: true}
		for _, r := range rep.Related {
			links[r.URL] = true
		}
		if len(links) != workers || 1+len(rep.Related) != 2*workers {
			t.Fatalf("story %q: %d links, %d members; want %d and %d: %+v",
				rep.Title, len(links), 1+len(rep.Related), workers, 2*workers, rep.Related)
		}
	}
	for k := range keys {
		e.item(t, k)
	}
}
