package store_test

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

// memReader is a StoryReader over maps that applies plans to itself, so
// the planner can be measured without a backend.
type memReader struct {
	items   map[string]store.StoredItem
	marks   map[string]string
	stories map[string]store.Story
	index   store.LookupIndex
	now     time.Time
}

func newMemReader(now time.Time) *memReader {
	return &memReader{items: map[string]store.StoredItem{}, marks: map[string]string{},
		stories: map[string]store.Story{}, now: now}
}

func (m *memReader) Mark(key string) (string, bool) { h, ok := m.marks[key]; return h, ok }

func (m *memReader) Item(key string) (store.StoredItem, bool, error) {
	si, ok := m.items[key]
	return si, ok, nil
}

func (m *memReader) Story(id string) (store.Story, bool, error) {
	s, ok := m.stories[id]
	return s, ok, nil
}

func (m *memReader) Lookup(key string) ([]string, error) {
	return m.index.Live(key, m.now.UnixMilli()), nil
}

func (m *memReader) apply(p *store.Plan) {
	for _, si := range p.Items {
		m.items[si.Item.Key] = si
	}
	for _, mk := range p.Marks {
		m.marks[mk.Key] = mk.Hash
	}
	for _, l := range p.Links {
		if si, ok := m.items[l.Key]; ok {
			si.Story = l.Story
			m.items[l.Key] = si
		}
	}
	for _, s := range p.Stories {
		m.stories[s.ID] = s
	}
	for _, id := range p.DeleteStories {
		delete(m.stories, id)
	}
	m.index.AddAll(p.Lookups, m.now.Add(time.Hour).UnixMilli())
}

// BenchmarkPlanSave plans the clustered saves of the ten fixture feeds
// into an empty store: the planner's share of a clustered ingest.
func BenchmarkPlanSave(b *testing.B) {
	batches := storetest.FixtureBatches(b, "../parse/testdata")
	opts := storetest.StoryOptions(nil)
	now := storetest.T0()
	n := 0
	for _, batch := range batches {
		n += len(batch)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := newMemReader(now)
		for _, batch := range batches {
			p, err := store.PlanSave(r, opts, batch[0].Source, batch, now)
			if err != nil {
				b.Fatal(err)
			}
			r.apply(p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
}

// TestLookupIndex checks Add, Live and Sweep on fields of one and of
// several entries.
func TestLookupIndex(t *testing.T) {
	var x store.LookupIndex
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
	var ls []store.Lookup
	n := 0
	for _, batch := range storetest.FixtureBatches(b, "../parse/testdata") {
		for _, it := range batch {
			ls = append(ls, store.Lookup{Item: it.Key, Keys: it.StoryKeys, Buckets: it.Buckets})
			n += len(it.StoryKeys) + len(it.Buckets)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var x store.LookupIndex
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
	ls := make([]store.Lookup, n)
	for i, it := range items {
		ls[i] = store.Lookup{Item: it.Key, Keys: it.StoryKeys, Buckets: it.Buckets}
	}
	blob := store.EncodeLookups(ls, 1)
	items, ls = nil, nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var x store.LookupIndex
	if err := store.DecodeLookups(blob, x.Add); err != nil {
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
