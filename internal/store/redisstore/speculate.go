package redisstore

import (
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
)

// Speculative saves. A save plans from a snapshot of what it depends on:
// the batch's items, the candidates the lookup index names and their
// stories. Reading that costs a round trip, as much as the write on a
// local Redis. But a process mostly saves what it
// saved before (its own sources' items, candidates it wrote itself), so it
// remembers, per item and story, exactly what its reads returned and its
// writes left, and plans from that. An item it knows nothing of is taken
// to be absent. The write script checks every one of those values (the
// item tokens and story versions it checks on any write after a
// concurrent change, and the lookup stream after the index's cursor); when
// one is wrong it writes nothing and returns what a read would have, so a
// miss costs the same two round trips as a save that read first.

// maxRemembered bounds the items (and the stories) a process remembers;
// beyond it half are forgotten, which only costs misses.
const maxRemembered = 8192

// absentToken is the token of an item with no hash and no mark.
const absentToken = "|||"

// keyed is a value noted for key.
type keyed[V any] struct {
	key string
	v   V
}

// written is what a clustered write leaves in Redis, as planArgs encoded
// it.
type written struct {
	items   []keyed[snapItem] // without mark and token: see marks
	marks   []keyed[string]
	links   []keyed[string] // item key -> story
	stories []keyed[snapStory]
	deleted []string // story ids
}

// stored reports whether the item has a hash (it may have only a mark).
func (v snapItem) stored() bool { return v.data != "" }

// tokenOf is layout.lua's tokenOf.
func tokenOf(mark, src, st, sc string) string { return mark + "|" + src + "|" + st + "|" + sc }

// scoreOf is the score a token was made of.
func scoreOf(v snapItem) string {
	if v.score != "" {
		return v.score
	}
	return v.token[strings.LastIndexByte(v.token, '|')+1:]
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// speculate returns a snapshot of what this process remembers, or nil
// when it cannot: its index was never caught up with the stream, or a
// candidate or a story is not remembered.
func (s *Store) speculate(items []item.Item, now time.Time) *snapshot {
	m := s.index
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.synced {
		return nil
	}
	snap := &snapshot{now: now, items: map[string]snapItem{}, stories: map[string]snapStory{}, records: s.records,
		lookups: map[string][]story.Hit{}, fields: batchFields(items), version: "-", cursor: m.cursor, speculative: true}
	batch := make(map[string]bool, len(items))
	for _, it := range items {
		batch[it.Key] = true
		if v, ok := m.items[it.Key]; ok {
			snap.items[it.Key] = v
		} else {
			snap.items[it.Key] = snapItem{token: absentToken}
		}
	}
	nowMs := now.UnixMilli()
	ok := eachField(items, func(f string) []story.Hit { return m.x.Live(f, nowMs) }, func(f string, hits, judged []story.Hit) bool {
		snap.lookups[f] = hits
		for _, h := range hits {
			if v, ok := snap.items[h.Key]; ok && v.token == absentToken && batch[h.Key] {
				// Recorded, so stored: not absent after all.
				return false
			}
		}
		for _, h := range judged {
			if _, ok := snap.items[h.Key]; ok {
				continue
			}
			v, ok := m.items[h.Key]
			if !ok || !v.stored() {
				return false
			}
			snap.items[h.Key] = v
		}
		return true
	})
	if !ok {
		return nil
	}
	for _, v := range snap.items {
		if v.story == "" {
			continue
		}
		if _, ok := snap.stories[v.story]; ok {
			continue
		}
		st, ok := m.stories[v.story]
		if !ok {
			return nil
		}
		snap.stories[v.story] = st
	}
	return snap
}

// remember notes what a successful write, planned from snap, left in
// Redis: what snap held, changed by what the write wrote (w). m.mu is
// held.
func (m *memIndex) remember(snap *snapshot, w *written) {
	if m.items == nil {
		m.items = map[string]snapItem{}
		m.stories = map[string]snapStory{}
	}
	for k, v := range snap.items {
		if v.stored() || v.mark != "" {
			m.items[k] = v
		} else {
			delete(m.items, k)
		}
	}
	for id, v := range snap.stories {
		m.stories[id] = v
	}
	for _, x := range w.items {
		m.items[x.key] = x.v
	}
	for _, x := range w.marks {
		v := m.items[x.key]
		v.mark = x.v
		v.token = tokenOf(v.mark, v.source, v.story, scoreOf(v))
		m.items[x.key] = v
	}
	for _, l := range w.links {
		v, ok := m.items[l.key]
		if !ok || !v.stored() {
			// storysave.lua links only items that exist.
			continue
		}
		v.story = l.v
		v.token = tokenOf(v.mark, v.source, v.story, scoreOf(v))
		m.items[l.key] = v
	}
	for _, x := range w.stories {
		m.stories[x.key] = x.v
	}
	for _, id := range w.deleted {
		m.stories[id] = snapStory{}
	}
	forgetHalf(m.items)
	forgetHalf(m.stories)
}

// forgetHalf empties a map that outgrew maxRemembered down to half of it
// (map order picks which).
func forgetHalf[V any](m map[string]V) {
	if len(m) <= maxRemembered {
		return
	}
	for k := range m {
		delete(m, k)
		if len(m) <= maxRemembered/2 {
			return
		}
	}
}
