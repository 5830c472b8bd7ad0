package story_test

import (
	"fmt"
	"runtime"
	"slices"
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
	x.Add("b00:00000001", "k1", 100)
	x.Add("b00:00000001", "k2", 200)
	x.Add("b00:00000001", "k0", 300)
	x.Add("b00:00000001", "k1", 150) // renewed
	x.Add("r:linux/6.13", "k1", 100)
	if got := x.Live("b00:00000001", 120); !slices.Equal(got, []string{"k0", "k1", "k2"}) {
		t.Errorf("live at 120: %v", got)
	}
	if got := x.Live("r:linux/6.13", 100); got != nil {
		t.Errorf("live at its expiry: %v, want none", got)
	}
	if x.Len() != 4 {
		t.Errorf("len %d, want 4", x.Len())
	}
	x.Sweep(160)
	if got := x.Live("b00:00000001", 0); !slices.Equal(got, []string{"k0", "k2"}) {
		t.Errorf("after sweep at 160: %v", got)
	}
	if x.Len() != 2 || x.Live("r:linux/6.13", 0) != nil {
		t.Errorf("after sweep at 160: len %d, want 2", x.Len())
	}
	x.Sweep(1000)
	if x.Len() != 0 || x.Live("b00:00000001", 0) != nil {
		t.Errorf("after sweep at 1000: len %d, want 0", x.Len())
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
