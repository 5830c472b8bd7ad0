package storytest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
)

// Memory is a story.Reader and story.Writer over maps: the reference
// application of plans. It keeps index entries by date as bbolt does (an
// entry left behind when its date moves would list a story twice, which
// Check reports; Redis's ZADD would hide it), summaries as Redis does (on
// the representative), and seen marks that never expire.
type Memory struct {
	items     map[string]story.Stored
	marks     map[string]string
	stories   map[string]story.Story
	entries   map[entry]bool
	summaries map[string]story.Summary
	lookups   story.LookupIndex
	now       time.Time
	lookupTTL time.Duration
}

type entry struct {
	kind      story.IndexKind
	name, key string
	published int64
}

// Index names one index of a store.
type Index struct {
	Kind story.IndexKind
	Name string
}

var (
	_ story.Reader = (*Memory)(nil)
	_ story.Writer = (*Memory)(nil)
)

// NewMemory returns an empty Memory whose lookups live for the default
// story window's lookup TTL.
func NewMemory() *Memory {
	return &Memory{items: map[string]story.Stored{}, marks: map[string]string{}, stories: map[string]story.Story{},
		entries: map[entry]bool{}, summaries: map[string]story.Summary{}, lookupTTL: story.LookupTTL(0)}
}

// Save plans the save of items for src at now and applies it.
func (m *Memory) Save(rules story.Rules, src string, items []item.Item, now time.Time) (*story.Plan, error) {
	m.now = now
	p, err := story.PlanSave(m, rules, src, items, now)
	if err != nil {
		return nil, err
	}
	return p, p.Apply(m)
}

// Mark implements story.Reader.
func (m *Memory) Mark(key string) (string, bool) { h, ok := m.marks[key]; return h, ok }

// Item implements story.Reader.
func (m *Memory) Item(key string) (story.Stored, bool, error) {
	si, ok := m.items[key]
	return si, ok, nil
}

// Story implements story.Reader.
func (m *Memory) Story(id string) (story.Story, bool, error) {
	s, ok := m.stories[id]
	return s, ok, nil
}

// Lookup implements story.Reader.
func (m *Memory) Lookup(field string) ([]story.Hit, error) {
	return m.lookups.Live(field, m.now.UnixMilli()), nil
}

// PutItem implements story.Writer. The item's features are prepared
// once, as the stores' Records do.
func (m *Memory) PutItem(si story.Stored) error {
	si.Features = dedup.Prepare(si.Item)
	m.items[si.Item.Key] = si
	return nil
}

// PutMark implements story.Writer.
func (m *Memory) PutMark(key, hash string) error {
	m.marks[key] = hash
	return nil
}

// Link implements story.Writer.
func (m *Memory) Link(key, id string) error {
	if si, ok := m.items[key]; ok {
		si.Story = id
		m.items[key] = si
	}
	return nil
}

func entryOf(e story.IndexEntry) entry {
	return entry{e.Kind, e.Name, e.Key, e.Published.UnixNano()}
}

// RemoveEntry implements story.Writer.
func (m *Memory) RemoveEntry(e story.IndexEntry) error {
	delete(m.entries, entryOf(e))
	return nil
}

// AddEntry implements story.Writer.
func (m *Memory) AddEntry(e story.IndexEntry) error {
	m.entries[entryOf(e)] = true
	return nil
}

// PutStory implements story.Writer.
func (m *Memory) PutStory(s story.Story) error {
	m.stories[s.ID] = s
	return nil
}

// DeleteStory implements story.Writer.
func (m *Memory) DeleteStory(id string) error {
	delete(m.stories, id)
	return nil
}

// ClearSummary implements story.Writer.
func (m *Memory) ClearSummary(key string) error {
	delete(m.summaries, key)
	return nil
}

// SetSummary implements story.Writer.
func (m *Memory) SetSummary(key string, sum story.Summary) error {
	m.summaries[key] = sum
	return nil
}

// RecordLookups implements story.Writer.
func (m *Memory) RecordLookups(ls []story.Lookup) error {
	m.lookups.AddAll(ls, m.now.Add(m.lookupTTL).UnixMilli())
	return nil
}

// Indexes lists every index that holds an entry, sorted.
func (m *Memory) Indexes() []Index {
	set := map[Index]bool{}
	for e := range m.entries {
		set[Index{e.kind, e.name}] = true
	}
	return slices.SortedFunc(maps.Keys(set), func(a, b Index) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
}

// Items lists index x as a store's Items does: newest first, ties by key,
// each story's representative with its summary.
func (m *Memory) Items(x Index) []item.Item {
	var es []entry
	for e := range m.entries {
		if e.kind == x.Kind && e.name == x.Name {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.published, a.published), cmp.Compare(a.key, b.key))
	})
	out := make([]item.Item, 0, len(es))
	for _, e := range es {
		si, ok := m.items[e.key]
		if !ok {
			continue
		}
		it := si.Item
		if sum, ok := m.summaries[e.key]; ok {
			sum.Apply(&it)
		}
		out = append(out, it)
	}
	return out
}

// Keys returns the keys of every stored item, sorted.
func (m *Memory) Keys() []string { return slices.Sorted(maps.Keys(m.items)) }

// Check reports what no sequence of plans may leave: an index holding a
// key twice, an entry whose item is not stored, a story record whose
// members do not point at it, or one whose representative is not listed
// in "all".
func (m *Memory) Check() error {
	seen := map[Index]map[string]bool{}
	for e := range m.entries {
		x := Index{e.kind, e.name}
		if seen[x] == nil {
			seen[x] = map[string]bool{}
		}
		if seen[x][e.key] {
			return fmt.Errorf("index %c:%s lists %s twice", x.Kind, x.Name, e.key)
		}
		seen[x][e.key] = true
		if _, ok := m.items[e.key]; !ok {
			return fmt.Errorf("index %c:%s lists %s, which is not stored", x.Kind, x.Name, e.key)
		}
	}
	for id, s := range m.stories {
		for _, mb := range s.Members {
			if mb.Alias {
				continue
			}
			if si, ok := m.items[mb.Key]; !ok || si.Story != id {
				return fmt.Errorf("story %s: member %s points at %q", id, mb.Key, si.Story)
			}
		}
		if !seen[Index{Kind: story.IndexAll}][s.Rep] {
			return fmt.Errorf("story %s: representative %s not listed", id, s.Rep)
		}
	}
	return nil
}
