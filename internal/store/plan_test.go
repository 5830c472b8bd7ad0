package store_test

import (
	"slices"
	"testing"
	"time"

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
