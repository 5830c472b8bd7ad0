package story_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// t0 is where the planner's tests stand.
func t0() time.Time { return time.Date(2026, time.November, 1, 12, 0, 0, 0, time.UTC) }

// BenchmarkPlanSave plans and applies the saves of the ten fixture feeds
// into an empty storytest.Memory: the planner's share of an ingest.
func BenchmarkPlanSave(b *testing.B) {
	batches := storytest.FixtureBatches(b, t0())
	n := 0
	for _, batch := range batches {
		n += len(batch)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := storytest.NewMemory()
		for _, batch := range batches {
			if _, err := m.Save(story.Rules{}, batch[0].Source, batch, t0()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
}

// TestPlanFixtures saves the fixture feeds twice: the first time leaves a
// consistent store (storytest.Memory.Check) with stories of several
// sources, the second changes nothing.
func TestPlanFixtures(t *testing.T) {
	batches := storytest.FixtureBatches(t, t0())
	m := storytest.NewMemory()
	joined := 0
	for _, batch := range batches {
		p, err := m.Save(story.Rules{}, batch[0].Source, batch, t0())
		if err != nil {
			t.Fatal(err)
		}
		joined += p.Joined
		if err := m.Check(); err != nil {
			t.Fatalf("after %s: %v", batch[0].Source, err)
		}
	}
	if joined == 0 {
		t.Fatal("no item joined a story: the fixtures carry the same Rust releases on three sources")
	}
	for _, batch := range batches {
		p, err := m.Save(story.Rules{}, batch[0].Source, batch, t0().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if p.Changed {
			t.Fatalf("saving %s again changed the store", batch[0].Source)
		}
		for i, o := range p.Outcomes {
			if o != item.Duplicate {
				t.Fatalf("saving %s again: item %d %q is %v, want duplicate", batch[0].Source, i, batch[i].Title, o)
			}
		}
	}
}

// TestLookupIndex checks Add, Live and Sweep on fields of one and of
// several entries.
func TestLookupIndex(t *testing.T) {
	var x story.LookupIndex
	x.Add("b00:00000001", "k1", 11, 100)
	x.Add("b00:00000001", "k2", 12, 200)
	x.Add("b00:00000001", "k0", 10, 300)
	x.Add("b00:00000001", "k1", 13, 150) // renewed, redated
	x.Add("r:linux/6.13", "k1", 11, 100)
	if got := sortedHits(x.Live("b00:00000001", 120)); !slices.Equal(got, []story.Hit{{"k0", 10}, {"k1", 13}, {"k2", 12}}) {
		t.Errorf("live at 120: %v", got)
	}
	if got := x.Live("r:linux/6.13", 100); got != nil {
		t.Errorf("live at its expiry: %v, want none", got)
	}
	if x.Len() != 4 {
		t.Errorf("len %d, want 4", x.Len())
	}
	x.Sweep(160)
	if got := sortedHits(x.Live("b00:00000001", 0)); !slices.Equal(got, []story.Hit{{"k0", 10}, {"k2", 12}}) {
		t.Errorf("after sweep at 160: %v", got)
	}
	if x.Len() != 2 || x.Live("r:linux/6.13", 0) != nil {
		t.Errorf("after sweep at 160: len %d, want 2", x.Len())
	}
	// Swept away and recorded again: the keys were renumbered between.
	x.Add("b00:00000001", "k1", 14, 500)
	x.Add("r:linux/6.13", "k3", 15, 500)
	if got := sortedHits(x.Live("b00:00000001", 160)); !slices.Equal(got, []story.Hit{{"k0", 10}, {"k1", 14}, {"k2", 12}}) {
		t.Errorf("recorded again after sweep at 160: %v", got)
	}
	if got := x.Live("r:linux/6.13", 160); !slices.Equal(got, []story.Hit{{"k3", 15}}) {
		t.Errorf("recorded after sweep at 160: %v", got)
	}
	x.Sweep(1000)
	if x.Len() != 0 || x.Live("b00:00000001", 0) != nil {
		t.Errorf("after sweep at 1000: len %d, want 0", x.Len())
	}
}

func sortedHits(hs []story.Hit) []story.Hit {
	slices.SortFunc(hs, func(a, b story.Hit) int { return strings.Compare(a.Key, b.Key) })
	return hs
}

// TestLookupIndexBound checks that a field lists the MaxLive items
// recorded last.
func TestLookupIndexBound(t *testing.T) {
	var x story.LookupIndex
	n := story.MaxLive + 10
	for i := range n {
		x.Add("b00:00000001", fmt.Sprintf("k%04d", i), int64(i), 100)
	}
	got := sortedHits(x.Live("b00:00000001", 0))
	if len(got) != story.MaxLive || got[0].Key != "k0010" || got[len(got)-1].Key != fmt.Sprintf("k%04d", n-1) {
		t.Errorf("live: %d hits, %v .. %v", len(got), got[0], got[len(got)-1])
	}
}

// TestJudged checks which hits of a field an item is judged against:
// within the story window for a bucket, at most MaxJudged nearest in
// time, in their given order.
func TestJudged(t *testing.T) {
	const day = 24 * 3600
	at := int64(1_000_000_000)
	hits := []story.Hit{{"a", at - 8*day}, {"b", at + day}, {"c", 0}, {"d", at + 8*day}, {"e", at - 6*day}}
	if got := story.Judged(hits, nil, at, true); !slices.Equal(got, []story.Hit{hits[1], hits[2], hits[4]}) {
		t.Errorf("bucket: %v", got)
	}
	if got := story.Judged(hits, nil, at, false); !slices.Equal(got, hits) {
		t.Errorf("story key: %v", got)
	}
	batch := []story.Hit{{"z", at}, {"b", at + 1}}
	if got := story.Judged([]story.Hit{hits[4], hits[1]}, batch, at, true); !slices.Equal(got, []story.Hit{hits[1], hits[4], batch[0], batch[1]}) {
		t.Errorf("with the batch's: %v", got)
	}
	if hits[0].Key != "a" || len(hits) != 5 {
		t.Error("Judged changed its argument")
	}
	var many []story.Hit
	for i := range story.MaxJudged + 20 {
		// Alternately before and after at, further and further.
		d := int64(i) * 60
		if i%2 == 1 {
			d = -d
		}
		many = append(many, story.Hit{Key: fmt.Sprintf("k%03d", i), At: at + d})
	}
	got := story.Judged(many, nil, at, true)
	if len(got) != story.MaxJudged || !slices.Equal(got, many[:story.MaxJudged]) {
		t.Errorf("many: %d judged, last %v", len(got), got[len(got)-1])
	}
}

// BenchmarkLookupIndexAdd records the fixture batches' lookups into a
// fresh index, as a process's first saves do.
func BenchmarkLookupIndexAdd(b *testing.B) {
	var ls []story.Lookup
	n := 0
	for _, batch := range storytest.FixtureBatches(b, t0()) {
		for _, it := range batch {
			ls = append(ls, story.Lookup{Item: it.Key, Keys: it.StoryKeys, Buckets: it.Buckets})
			n += len(it.StoryKeys) + len(it.Buckets)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var x story.LookupIndex
		x.AddAll(ls, 1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkLookupIndexGC is what a live lookup index of 20,000 items
// (~25 fields each) costs every garbage collection of its process: one
// collection per op, nothing else live.
func BenchmarkLookupIndexGC(b *testing.B) {
	const n = 20000
	var x story.LookupIndex
	for i := range n {
		key := fmt.Sprintf("l:https://news.example/%d", i)
		for f := range 25 {
			x.Add(fmt.Sprintf("b%02d:%08x", f, (i*7919+f*104729)%50000), key, int64(i), 1<<62)
		}
	}
	runtime.GC()
	for b.Loop() {
		runtime.GC()
	}
	runtime.KeepAlive(&x)
}

// TestLookupIndexMemory measures what the in-memory lookup index costs a
// process per item (20,000 items of ~25 fields each, loaded from a stored
// blob as a process loads them at start), and holds it under 4 KB.
func TestLookupIndexMemory(t *testing.T) {
	const n = 20000
	items := make([]item.Item, n)
	for i := range items {
		items[i] = item.Item{Title: fmt.Sprintf("Story number %d about kernel %d thing %d", i, i*7, i*13),
			Link: fmt.Sprintf("https://news.example/%d", i)}
	}
	dedup.Assign(items, "news")
	ls := make([]story.Lookup, n)
	for i, it := range items {
		ls[i] = story.Lookup{Item: it.Key, Keys: it.StoryKeys, Buckets: it.Buckets}
	}
	blob := story.EncodeLookups(ls, 1)
	items, ls = nil, nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var x story.LookupIndex
	if err := story.DecodeLookups(blob, x.Add); err != nil {
		t.Fatal(err)
	}
	blob = ""
	runtime.GC()
	runtime.ReadMemStats(&after)
	perItem := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / n
	t.Logf("%d items, %d entries: %.0f bytes/item", n, x.Len(), perItem)
	if perItem > 4096 {
		t.Errorf("%.0f bytes/item, want under 4096", perItem)
	}
	runtime.KeepAlive(&x)
}

// TestLookupsBlob round-trips a save's lookups with their times, and
// reads a blob of the former layout (no times) with time 0.
func TestLookupsBlob(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	blob := story.EncodeLookups([]story.Lookup{{Item: "l:1", Keys: []string{"r:linux/6.13"}, Buckets: []string{"b00:0"}, At: at}}, 99)
	type rec struct {
		field, item string
		at, exp     int64
	}
	var got []rec
	add := func(f, it string, at, exp int64) { got = append(got, rec{f, it, at, exp}) }
	if err := story.DecodeLookups(blob, add); err != nil {
		t.Fatal(err)
	}
	want := []rec{{"r:linux/6.13", "l:1", at.Unix(), 99}, {"b00:0", "l:1", at.Unix(), 99}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got = nil
	if err := story.DecodeLookups("2r\nl:1\n\tb00:0\n", add); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []rec{{"b00:0", "l:1", 0, 99}}) {
		t.Errorf("former layout: %v", got)
	}
}
