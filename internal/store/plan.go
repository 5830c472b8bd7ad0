package store

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Plan is everything a clustered SaveItems writes, decided in Go.
// Backends apply it in this order: Items, Marks, Links, IndexRemove,
// IndexAdd, Stories, DeleteStories, Lookups, then Summaries (ClearSummary
// before SetSummary), then retention.
type Plan struct {
	Outcomes []Outcome
	Joined   int
	// Items are stored whole, replacing any stored copy, with their story.
	Items []StoredItem
	// Marks are seen marks to (re)set: key -> hash.
	Marks []Mark
	// Links point items outside the batch at a story ("" for their own).
	Links       []Link
	IndexRemove []IndexEntry
	IndexAdd    []IndexEntry
	Stories     []Story
	// DeleteStories are records that no longer exist (merged away).
	DeleteStories []string
	// Lookups record items under story keys and buckets.
	Lookups []Lookup
	// ClearSummary lists former representatives; SetSummary the current
	// ones (a Redis representative carries its story's summary so Items
	// needs no extra round trip).
	ClearSummary []string
	SetSummary   []KeySummary
	// Changed reports whether readers' output changes (Version bump).
	Changed bool
}

// Mark is one seen mark to set.
type Mark struct{ Key, Hash string }

// Link points item Key at Story.
type Link struct{ Key, Story string }

// Lookup records Item under its story keys and buckets. The slices are
// the item's own (item.Item.StoryKeys and Buckets): never modified.
type Lookup struct {
	Item          string
	Keys, Buckets []string
}

// KeySummary is the summary of the story Key represents.
type KeySummary struct {
	Key     string
	Summary Summary
}

// world is the state PlanSave works on: what it read, overlaid with what
// the batch changed so far, so that later items of a batch see earlier ones.
type world struct {
	r        StoryReader
	opts     Options
	items    map[string]*StoredItem // read or written; nil: known absent
	stories  map[string]*Story      // read or written; nil: none (singleton or deleted)
	marks    map[string]string      // marks set by the batch
	lookups  batchLookups           // lookups added by the batch
	orig     map[string]*Story      // touched stories as read (nil: none)
	touched  []string               // ids in first-touch order
	gone     map[string]bool        // stories merged away
	batch    []string               // keys stored by the batch, in order
	relinked map[string]string      // items outside the batch moved to a story
	prepared map[*StoredItem]any    // Options.Prepare of candidates, by copy
}

// PlanSave decides a clustered SaveItems of items for src at now.
func PlanSave(r StoryReader, opts Options, src string, items []item.Item, now time.Time) (*Plan, error) {
	// n is the batch's number of lookup fields (~26 per item: 24 buckets
	// and the story keys).
	n := 0
	for _, it := range items {
		n += len(it.StoryKeys) + len(it.Buckets)
	}
	w := &world{
		r: r, opts: opts, items: map[string]*StoredItem{}, stories: map[string]*Story{},
		marks: map[string]string{}, orig: map[string]*Story{},
		gone: map[string]bool{}, relinked: map[string]string{}, prepared: map[*StoredItem]any{},
	}
	p := &Plan{
		Outcomes: make([]Outcome, len(items)), Lookups: make([]Lookup, 0, len(items)),
		Items: make([]StoredItem, 0, len(items)), Marks: make([]Mark, 0, len(items)),
		IndexAdd: make([]IndexEntry, 0, 4*len(items)),
	}
	simple, err := w.simpleItems(items, n)
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		if simple[i] {
			p.Outcomes[i] = w.saveSimple(p, src, it, now)
			continue
		}
		o, err := w.save(p, src, it, now)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", it.Key, err)
		}
		p.Outcomes[i] = o
	}
	return p, w.finish(p)
}

// simpleItems marks the items that start a story of their own with nothing
// to decide: new to the store (no seen mark, no stored copy), no candidate
// under any of their story keys and buckets, and no key or field shared
// with another item of the batch. Most items of a poll are that; saveSimple
// plans them without the world's bookkeeping, and no other item of the
// batch can reach them. n is the batch's number of fields.
func (w *world) simpleItems(items []item.Item, n int) ([]bool, error) {
	simple := make([]bool, len(items))
	owner, _ := owners.Get().(map[string]int)
	if owner == nil {
		owner = make(map[string]int, n)
	}
	defer func() {
		clear(owner)
		owners.Put(owner)
	}()
	// An item the batch holds twice is not simple either: its second copy
	// must see the first (a duplicate or an update, never new twice).
	byKey := make(map[string]int, len(items))
	for i, it := range items {
		simple[i] = true
		if j, ok := byKey[it.Key]; ok {
			simple[i], simple[j] = false, false
		} else {
			byKey[it.Key] = i
		}
		for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
			for _, f := range keys {
				j, ok := owner[f]
				switch {
				case !ok:
					owner[f] = i
				case j != i:
					simple[i], simple[j] = false, false
				}
			}
		}
	}
	for i, it := range items {
		if !simple[i] {
			continue
		}
		if _, marked := w.mark(it.Key); marked {
			simple[i] = false
			continue
		}
		// Through the world, so an item that turns out complex is not
		// read twice.
		if si, err := w.item(it.Key); err != nil || si != nil {
			if err != nil {
				return nil, fmt.Errorf("item %s: %w", it.Key, err)
			}
			simple[i] = false
			continue
		}
	fields:
		for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
			for _, f := range keys {
				found, err := w.r.Lookup(f)
				if err != nil {
					return nil, fmt.Errorf("item %s: %w", it.Key, err)
				}
				if len(found) > 0 {
					simple[i] = false
					break fields
				}
			}
		}
	}
	return simple, nil
}

// admit readies an item of src for saving, or reports it older than
// MaxAge: it takes src when it names none, and loses what only Items adds
// (its story's coverage).
func (w *world) admit(it *item.Item, src string, now time.Time) bool {
	if w.opts.MaxAge > 0 && !it.Published.IsZero() && it.Published.Before(now.Add(-w.opts.MaxAge)) {
		return false
	}
	if it.Source == "" {
		it.Source = src
	}
	it.Related, it.Replies = nil, 0
	return true
}

// firstSeen dates an item stored afresh: first seen now unless it says
// otherwise, published when first seen unless it says otherwise.
func firstSeen(it *item.Item, now time.Time) {
	if it.FirstSeen.IsZero() {
		it.FirstSeen = now
	}
	if it.Published.IsZero() {
		it.Published = it.FirstSeen
	}
}

// owners recycles simpleItems' field maps: thousands of entries per save,
// allocated afresh they were a large share of a plan's garbage.
var owners sync.Pool

// saveSimple plans a simple item (see simpleItems) exactly as save, put
// and finish would: stored afresh as a story of one, indexed, recorded
// under its fields.
func (w *world) saveSimple(p *Plan, src string, it item.Item, now time.Time) Outcome {
	if !w.admit(&it, src, now) {
		return TooOld
	}
	firstSeen(&it, now)
	p.Items = append(p.Items, StoredItem{Item: it})
	p.Marks = append(p.Marks, Mark{it.Key, it.Hash})
	one := Story{ID: it.Key, Rep: it.Key, Members: []Member{memberOf(it, w.opts.IsReply)}}
	p.IndexAdd = append(p.IndexAdd, one.Entries()...)
	p.Lookups = append(p.Lookups, Lookup{it.Key, it.StoryKeys, it.Buckets})
	p.Changed = true
	return New
}

func (w *world) mark(key string) (string, bool) {
	if h, ok := w.marks[key]; ok {
		return h, true
	}
	return w.r.Mark(key)
}

func (w *world) item(key string) (*StoredItem, error) {
	if si, ok := w.items[key]; ok {
		return si, nil
	}
	si, found, err := w.r.Item(key)
	if err != nil {
		return nil, err
	}
	var p *StoredItem
	if found {
		p = &si
	}
	w.items[key] = p
	return p, nil
}

// storyID is the id of key's story.
func (w *world) storyID(si *StoredItem) string {
	return cmp.Or(si.Story, si.Item.Key)
}

// story returns story id, synthesising the record of a story of one item.
func (w *world) story(id string) (*Story, error) {
	if w.gone[id] {
		return nil, nil
	}
	if s, ok := w.stories[id]; ok {
		if s != nil {
			return s, nil
		}
	} else {
		s, found, err := w.r.Story(id)
		if err != nil {
			return nil, err
		}
		if found {
			w.stories[id] = &s
			return &s, nil
		}
		w.stories[id] = nil
	}
	si, err := w.item(id)
	if err != nil || si == nil || w.storyID(si) != id {
		return nil, err
	}
	return &Story{ID: id, Rep: id, Members: []Member{memberOf(si.Item, w.opts.IsReply)}}, nil
}

// touch remembers story id as it was before the batch changed it.
func (w *world) touch(id string) error {
	if _, ok := w.orig[id]; ok {
		return nil
	}
	s, err := w.story(id)
	if err != nil {
		return err
	}
	if s != nil {
		c := *s
		c.Members = slices.Clone(s.Members)
		s = &c
	}
	w.orig[id] = s
	w.touched = append(w.touched, id)
	return nil
}

func (w *world) save(p *Plan, src string, it item.Item, now time.Time) (Outcome, error) {
	if !w.admit(&it, src, now) {
		return TooOld, nil
	}
	markHash, marked := w.mark(it.Key)
	old, err := w.item(it.Key)
	if err != nil {
		return 0, err
	}
	if marked && (markHash == it.Hash || old == nil || old.Item.Source != src) {
		// Known: a duplicate, pruned (never resurrected) or owned by the
		// source that first carried it. The mark keeps the stored hash so
		// that source's own updates still compare against it. Another
		// source carrying the same article is coverage of its story.
		p.Marks = append(p.Marks, Mark{it.Key, markHash})
		w.marks[it.Key] = markHash
		if old != nil && old.Item.Source != it.Source {
			added, err := w.addAlias(p, old, it)
			if err != nil {
				return 0, err
			}
			if added {
				// The alias's own headline may bridge to another story.
				if _, err := w.clusterInto(it, w.storyID(w.items[old.Item.Key])); err != nil {
					return 0, err
				}
			}
		}
		return Duplicate, nil
	}
	outcome := New
	if marked {
		outcome = Updated
		it.Source, it.FirstSeen = old.Item.Source, old.Item.FirstSeen
		if it.Published.IsZero() {
			it.Published = old.Item.Published
		}
	} else {
		// A mark that expired while the item was still stored makes it
		// new again: stored afresh, in the story it already had.
		firstSeen(&it, now)
	}
	var sid string
	if old != nil {
		sid = w.storyID(old)
	} else if sid, err = w.cluster(it); err != nil {
		return 0, err
	}
	if err := w.put(p, it, sid); err != nil {
		return 0, err
	}
	if outcome == New && old == nil && sid != it.Key {
		p.Joined++
	}
	p.Marks = append(p.Marks, Mark{it.Key, it.Hash})
	w.marks[it.Key] = it.Hash
	for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			w.lookups.add(k, it.Key)
		}
	}
	p.Lookups = append(p.Lookups, Lookup{it.Key, it.StoryKeys, it.Buckets})
	p.Changed = true
	return outcome, nil
}

// put stores it as a member of story sid.
func (w *world) put(p *Plan, it item.Item, sid string) error {
	if err := w.touch(sid); err != nil {
		return err
	}
	s, err := w.story(sid)
	if err != nil {
		return err
	}
	m := memberOf(it, w.opts.IsReply)
	if s == nil {
		// A new story of its own.
		s = &Story{ID: sid, Rep: it.Key}
	}
	i := slices.IndexFunc(s.Members, func(x Member) bool { return x.Key == it.Key && !x.Alias })
	if i >= 0 {
		s.Members[i] = m
	} else {
		s.Members = append(s.Members, m)
	}
	w.setStory(sid, s)
	st := ""
	if len(s.Members) > 1 {
		st = sid
	}
	si := &StoredItem{Item: it, Story: st}
	w.items[it.Key] = si
	if !slices.Contains(w.batch, it.Key) {
		w.batch = append(w.batch, it.Key)
	}
	delete(w.relinked, it.Key)
	return nil
}

// addAlias records another source carrying the stored item's article;
// added is false when it was recorded already.
func (w *world) addAlias(p *Plan, stored *StoredItem, it item.Item) (added bool, err error) {
	sid := w.storyID(stored)
	s, err := w.story(sid)
	if err != nil || s == nil {
		return false, err
	}
	if slices.ContainsFunc(s.Members, func(m Member) bool { return m.Key == it.Key && m.Source == it.Source }) {
		return false, nil
	}
	if err := w.touch(sid); err != nil {
		return false, err
	}
	if s, err = w.story(sid); err != nil {
		return false, err
	}
	m := memberOf(it, w.opts.IsReply)
	m.Alias = true
	if m.Published.IsZero() {
		m.Published = stored.Item.Published
	}
	s.Members = append(s.Members, m)
	w.setStory(sid, s)
	p.Changed = true
	return true, nil
}

// merge moves every member of story from into story into.
func (w *world) merge(from, into string) error {
	for _, id := range []string{from, into} {
		if err := w.touch(id); err != nil {
			return err
		}
	}
	fs, err := w.story(from)
	if err != nil {
		return err
	}
	is, err := w.story(into)
	if err != nil || fs == nil || is == nil {
		return err
	}
	for _, m := range fs.Members {
		if !m.Alias {
			w.link(m.Key, into)
		}
		if slices.ContainsFunc(is.Members, func(x Member) bool { return x.Key == m.Key && x.Alias == m.Alias && x.Source == m.Source }) {
			continue
		}
		is.Members = append(is.Members, m)
	}
	w.stories[from] = nil
	w.gone[from] = true
	w.setStory(into, is)
	return nil
}

// setStory stores s as story id's current state, links its members to it
// and re-elects the representative.
func (w *world) setStory(id string, s *Story) {
	w.stories[id] = s
	var cands []int
	for i, m := range s.Members {
		if !m.Alias {
			cands = append(cands, i)
		}
	}
	members := make([]item.Item, len(cands))
	for j, i := range cands {
		members[j] = s.Members[i].item()
	}
	best := 0
	// One candidate is its own representative: most stories, and
	// Representative would rank a one-element slice.
	if w.opts.Representative != nil && len(members) > 1 {
		best = w.opts.Representative(members)
	} else {
		for j := range members {
			if members[j].FirstSeen.Before(members[best].FirstSeen) {
				best = j
			}
		}
	}
	if best >= 0 && best < len(cands) {
		s.Rep = s.Members[cands[best]].Key
	}
	if len(s.Members) < 2 {
		return
	}
	for _, i := range cands {
		if si := w.items[s.Members[i].Key]; si != nil && si.Story != id {
			w.link(si.Item.Key, id)
		}
	}
}

// link points member key at story id, in the batch's copy if it has one,
// else with a Link.
func (w *world) link(key, id string) {
	if si := w.items[key]; si != nil {
		c := *si
		c.Story = id
		w.items[key] = &c
	}
	if !slices.Contains(w.batch, key) {
		w.relinked[key] = id
	}
}

// finish turns the batch's changes into the plan's writes.
func (w *world) finish(p *Plan) error {
	for _, k := range w.batch {
		p.Items = append(p.Items, *w.items[k])
	}
	for _, k := range slices.Sorted(maps.Keys(w.relinked)) {
		p.Links = append(p.Links, Link{k, w.relinked[k]})
	}
	for _, id := range w.touched {
		o := w.orig[id]
		n, err := w.story(id)
		if err != nil {
			return err
		}
		var oldE, newE []IndexEntry
		if o != nil {
			oldE = o.Entries()
		}
		if n != nil {
			newE = n.Entries()
		}
		// Exact both ways: an entry whose date moved is removed and added
		// again. bbolt keys entries by date, so one left behind would list
		// the story twice.
		p.IndexRemove = append(p.IndexRemove, entriesMinus(oldE, newE)...)
		p.IndexAdd = append(p.IndexAdd, entriesMinus(newE, oldE)...)
		hadRecord := o != nil && len(o.Members) > 1
		hasRecord := n != nil && len(n.Members) > 1
		switch {
		case hasRecord:
			n.Version = 1
			if hadRecord {
				n.Version = o.Version + 1
			}
			p.Stories = append(p.Stories, *n)
		case hadRecord:
			p.DeleteStories = append(p.DeleteStories, id)
		}
		if hadRecord && (!hasRecord || n.Rep != o.Rep) {
			p.ClearSummary = append(p.ClearSummary, o.Rep)
		}
		if hasRecord {
			p.SetSummary = append(p.SetSummary, KeySummary{n.Rep, n.Summarize()})
		}
	}
	if len(p.IndexAdd)+len(p.IndexRemove)+len(p.Stories)+len(p.DeleteStories) > 0 {
		p.Changed = true
	}
	return nil
}

// entriesMinus returns the entries of a that b lacks: same index, key and
// date.
func entriesMinus(a, b []IndexEntry) []IndexEntry {
	var out []IndexEntry
	for _, e := range a {
		if !slices.ContainsFunc(b, func(x IndexEntry) bool {
			return x.Kind == e.Kind && x.Name == e.Name && x.Key == e.Key && x.Published.Equal(e.Published)
		}) {
			out = append(out, e)
		}
	}
	return out
}

// batchLookups are the fields a batch recorded its items under, in order:
// each field's items are a chain through item and next, so recording one
// costs no slice of its own.
type batchLookups struct {
	head map[string]int32
	item []string
	next []int32
}

// add records key under field, once.
func (b *batchLookups) add(field, key string) {
	if b.head == nil {
		b.head = map[string]int32{}
	}
	h, ok := b.head[field]
	if !ok {
		b.head[field] = int32(len(b.item))
		b.item = append(b.item, key)
		b.next = append(b.next, -1)
		return
	}
	for i := h; ; i = b.next[i] {
		if b.item[i] == key {
			return
		}
		if b.next[i] < 0 {
			b.next[i] = int32(len(b.item))
			b.item = append(b.item, key)
			b.next = append(b.next, -1)
			return
		}
	}
}

// get returns the keys recorded under field, in the order recorded.
func (b *batchLookups) get(field string) []string {
	h, ok := b.head[field]
	if !ok {
		return nil
	}
	var out []string
	for i := h; i >= 0; i = b.next[i] {
		out = append(out, b.item[i])
	}
	return out
}
