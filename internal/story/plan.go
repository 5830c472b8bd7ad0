package story

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// Rules are the settings a plan follows.
type Rules struct {
	// MaxAge refuses items published longer ago than this (zero: no
	// limit); a zero Published is not judged (an update keeps the stored
	// date, a new item is dated when first seen).
	MaxAge time.Duration
	// Priority ranks sources (feeds.yaml priority, higher wins) when
	// several carry one story; a source not listed ranks 0.
	Priority map[string]int
}

// planner is the state PlanSave works on: what it read, overlaid with
// what the batch changed so far, so that later items of a batch see
// earlier ones.
type planner struct {
	r       Reader
	rules   Rules
	now     time.Time
	items   map[string]*Stored // read or written; nil: known absent
	stories map[string]*Story  // read or written; nil: none (singleton or deleted)
	marks   map[string]string  // marks set by the batch
	lookups batchLookups       // lookups added by the batch
	// batchHits and judged are clusterInto's scratch: one field's hits
	// from the batch, and the hits judged of it.
	batchHits, judged []Hit
	orig              map[string]*Story           // touched stories as read (nil: none)
	touched           []string                    // ids in first-touch order
	gone              map[string]bool             // stories merged away
	batch             []string                    // keys stored by the batch, in order
	inBatch           map[string]bool             // batch's keys as a set: a poll may store tens of thousands
	relinked          map[string]string           // items outside the batch moved to a story
	prepared          map[*Stored]*dedup.Features // of candidates, by copy
	elect             map[string]bool             // stories whose representative is to be elected
}

// PlanSave decides the save of a poll's items for source src at now:
// each item's outcome and story, and every write that follows. Items must
// carry Key, Hash, StoryKeys and Buckets (dedup.Assign); an item with no
// Source is src's.
func PlanSave(r Reader, rules Rules, src string, items []item.Item, now time.Time) (*Plan, error) {
	// n is the batch's number of lookup fields (~26 per item: 24 buckets
	// and the story keys).
	n := 0
	for _, it := range items {
		n += len(it.StoryKeys) + len(it.Buckets)
	}
	pl := &planner{
		r: r, rules: rules, now: now, items: map[string]*Stored{}, stories: map[string]*Story{},
		marks: map[string]string{}, orig: map[string]*Story{},
		gone: map[string]bool{}, relinked: map[string]string{}, prepared: map[*Stored]*dedup.Features{},
		elect: map[string]bool{}, inBatch: make(map[string]bool, len(items)), lookups: newBatchLookups(),
	}
	defer pl.lookups.recycle()
	p := &Plan{
		Outcomes: make([]item.Outcome, len(items)), Lookups: make([]Lookup, 0, len(items)),
		Items: make([]Stored, 0, len(items)), Marks: make([]Mark, 0, len(items)),
		IndexAdd: make([]IndexEntry, 0, 4*len(items)),
	}
	simple, err := pl.simpleItems(items, n)
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		if simple[i] {
			p.Outcomes[i] = pl.saveSimple(p, src, it, now)
			continue
		}
		o, err := pl.save(p, src, it, now)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", it.Key, err)
		}
		p.Outcomes[i] = o
	}
	return p, pl.finish(p)
}

// admit readies an item of src for saving, or reports it older than
// MaxAge: it takes src when it names none, and loses what only the store
// sets (its story's coverage, id and last change).
func (pl *planner) admit(it *item.Item, src string, now time.Time) bool {
	if pl.rules.MaxAge > 0 && !it.Published.IsZero() && it.Published.Before(now.Add(-pl.rules.MaxAge)) {
		return false
	}
	ready(it, src)
	return true
}

// ready is admit once the item is young enough.
func ready(it *item.Item, src string) {
	if it.Source == "" {
		it.Source = src
	}
	it.Related, it.Replies, it.Status, it.StoryID, it.StoryUpdated = nil, 0, nil, "", time.Time{}
}

// Fresh is it as a save of src at now stores it when it is new to the
// store, whatever story it joins: what a backend can encode ahead of the
// save, outside whatever serialises saves. A plan may store it otherwise
// (an update keeps the stored copy's first sighting, a free copy changes
// its title): a backend uses what it encoded only for an item the plan
// stores exactly as Fresh made it.
func Fresh(it item.Item, src string, now time.Time) item.Item {
	ready(&it, src)
	firstSeen(&it, now)
	return it
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

func (pl *planner) mark(key string) (string, bool) {
	if h, ok := pl.marks[key]; ok {
		return h, true
	}
	return pl.r.Mark(key)
}

func (pl *planner) item(key string) (*Stored, error) {
	if si, ok := pl.items[key]; ok {
		return si, nil
	}
	si, found, err := pl.r.Item(key)
	if err != nil {
		return nil, err
	}
	var p *Stored
	if found {
		p = &si
	}
	pl.items[key] = p
	return p, nil
}

// storyID is the id of key's story.
func (pl *planner) storyID(si *Stored) string {
	return cmp.Or(si.Story, si.Item.Key)
}

// story returns story id, synthesising the record of a story of one item.
func (pl *planner) story(id string) (*Story, error) {
	if pl.gone[id] {
		return nil, nil
	}
	if s, ok := pl.stories[id]; ok {
		if s != nil {
			return s, nil
		}
	} else {
		s, found, err := pl.r.Story(id)
		if err != nil {
			return nil, err
		}
		if found {
			pl.stories[id] = &s
			return &s, nil
		}
		pl.stories[id] = nil
	}
	si, err := pl.item(id)
	if err != nil || si == nil || pl.storyID(si) != id {
		return nil, err
	}
	return &Story{ID: id, Rep: id, Members: []Member{memberOf(si.Item)}, Updated: si.Item.StoryUpdated}, nil
}

// touch remembers story id as it was before the batch changed it.
func (pl *planner) touch(id string) error {
	if _, ok := pl.orig[id]; ok {
		return nil
	}
	s, err := pl.story(id)
	if err != nil {
		return err
	}
	if s != nil {
		c := *s
		c.Members = slices.Clone(s.Members)
		s = &c
	}
	pl.orig[id] = s
	pl.touched = append(pl.touched, id)
	return nil
}

func (pl *planner) save(p *Plan, src string, it item.Item, now time.Time) (item.Outcome, error) {
	if !pl.admit(&it, src, now) {
		return item.TooOld, nil
	}
	markHash, marked := pl.mark(it.Key)
	old, err := pl.item(it.Key)
	if err != nil {
		return 0, err
	}
	if marked && (markHash == it.Hash || old == nil || old.Item.Source != src) {
		// Known: a duplicate, pruned (never resurrected) or owned by the
		// source that first carried it. The mark keeps the stored hash so
		// that source's own updates still compare against it. Another
		// source carrying the same article is coverage of its story.
		if old != nil && old.Item.Source != it.Source && pl.rules.Priority[it.Source] > pl.rules.Priority[old.Item.Source] {
			return pl.takeOver(p, old, it, now)
		}
		p.Marks = append(p.Marks, Mark{it.Key, markHash})
		pl.marks[it.Key] = markHash
		if old != nil && old.Item.Source != it.Source {
			added, err := pl.addAlias(p, old, it)
			if err != nil {
				return 0, err
			}
			if added {
				// The alias's own headline may bridge to another story.
				if _, err := pl.clusterInto(it, pl.storyID(pl.items[old.Item.Key])); err != nil {
					return 0, err
				}
			}
			if freed(old.Item, it) {
				// A free copy of a subscriber-only article (LWN's "[$]",
				// free a week later): the stored item takes its text, so
				// the story is updated in place under its free title.
				// The mark keeps the stored hash: the first source
				// listing the article as it was is still a duplicate.
				up := old.Item
				up.Title = it.Title
				up.Summary, up.Content = cmp.Or(it.Summary, up.Summary), cmp.Or(it.Content, up.Content)
				up.StoryUpdated = changed(old.Item.StoryUpdated, now)
				if err := pl.put(p, up, pl.storyID(pl.items[old.Item.Key])); err != nil {
					return 0, err
				}
				p.Changed = true
				return item.Updated, nil
			}
		}
		return item.Duplicate, nil
	}
	outcome := item.New
	if marked {
		outcome = item.Updated
		// Changed in place: readers' entry (of a story of its own) is
		// updated, and says so.
		it.Source, it.FirstSeen = old.Item.Source, old.Item.FirstSeen
		it.StoryUpdated = changed(old.Item.StoryUpdated, now)
		if freed(it, old.Item) {
			// Freed by another source's copy (above): the first source's
			// changed listing keeps the free title.
			it.Title = old.Item.Title
		}
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
		sid = pl.storyID(old)
	} else if sid, err = pl.cluster(it); err != nil {
		return 0, err
	}
	if err := pl.put(p, it, sid); err != nil {
		return 0, err
	}
	if outcome == item.New && old == nil && sid != it.Key {
		p.Joined++
	}
	p.Marks = append(p.Marks, Mark{it.Key, it.Hash})
	pl.marks[it.Key] = it.Hash
	at := storyTime(it).Unix()
	for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			pl.lookups.add(k, it.Key, at)
		}
	}
	p.Lookups = append(p.Lookups, Lookup{it.Key, it.StoryKeys, it.Buckets, storyTime(it)})
	p.Changed = true
	return outcome, nil
}

// takeOver stores it, the same article as the stored item (one identity)
// from a source ranked above the one that first carried it (the
// publisher's own feed after an aggregator linked it), in the stored
// item's place: the entry readers hold is updated in place under the
// better source, whichever poll happened to finish first, and the first
// source becomes coverage of the story.
func (pl *planner) takeOver(p *Plan, old *Stored, it item.Item, now time.Time) (item.Outcome, error) {
	prev := old.Item
	sid := pl.storyID(old)
	it.FirstSeen = prev.FirstSeen
	it.StoryUpdated = changed(prev.StoryUpdated, now)
	if it.Published.IsZero() {
		it.Published = prev.Published
	}
	if err := pl.put(p, it, sid); err != nil {
		return 0, err
	}
	s, err := pl.story(sid)
	if err != nil {
		return 0, err
	}
	// The new owner is no longer an alias of itself; the first source is.
	s.Members = slices.DeleteFunc(s.Members, func(m Member) bool { return m.Alias && m.Key == it.Key && m.Source == it.Source })
	if !slices.ContainsFunc(s.Members, func(m Member) bool { return m.Alias && m.Key == prev.Key && m.Source == prev.Source }) {
		m := memberOf(prev)
		m.Alias = true
		s.Members = append(s.Members, m)
	}
	pl.setStory(sid, s)
	if si := pl.items[it.Key]; si != nil && len(s.Members) > 1 && si.Story != sid {
		c := *si
		c.Story = sid
		pl.items[it.Key] = &c
	}
	p.Marks = append(p.Marks, Mark{it.Key, it.Hash})
	pl.marks[it.Key] = it.Hash
	at := storyTime(it).Unix()
	for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			pl.lookups.add(k, it.Key, at)
		}
	}
	p.Lookups = append(p.Lookups, Lookup{it.Key, it.StoryKeys, it.Buckets, storyTime(it)})
	p.Changed = true
	return item.Updated, nil
}

// put stores it as a member of story sid.
func (pl *planner) put(p *Plan, it item.Item, sid string) error {
	if err := pl.touch(sid); err != nil {
		return err
	}
	s, err := pl.story(sid)
	if err != nil {
		return err
	}
	m := memberOf(it)
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
	pl.setStory(sid, s)
	st := ""
	if len(s.Members) > 1 {
		st = sid
	}
	si := &Stored{Item: it, Story: st}
	pl.items[it.Key] = si
	if !pl.inBatch[it.Key] {
		pl.inBatch[it.Key] = true
		pl.batch = append(pl.batch, it.Key)
	}
	delete(pl.relinked, it.Key)
	return nil
}

// addAlias records another source carrying the stored item's article;
// added is false when it was recorded already.
func (pl *planner) addAlias(p *Plan, stored *Stored, it item.Item) (added bool, err error) {
	sid := pl.storyID(stored)
	s, err := pl.story(sid)
	if err != nil || s == nil {
		return false, err
	}
	if slices.ContainsFunc(s.Members, func(m Member) bool { return m.Key == it.Key && m.Source == it.Source }) {
		return false, nil
	}
	if err := pl.touch(sid); err != nil {
		return false, err
	}
	if s, err = pl.story(sid); err != nil {
		return false, err
	}
	m := memberOf(it)
	m.Alias = true
	if m.Published.IsZero() {
		m.Published = stored.Item.Published
	}
	s.Members = append(s.Members, m)
	pl.setStory(sid, s)
	p.Changed = true
	return true, nil
}

// merge makes stories a and b one and returns its id: the older story's
// (first published earlier), since that is the id readers have held the
// longest. The other's entry stops changing in readers that stored it.
func (pl *planner) merge(a, b string) (string, error) {
	for _, id := range []string{a, b} {
		if err := pl.touch(id); err != nil {
			return "", err
		}
	}
	sa, err := pl.story(a)
	if err != nil {
		return "", err
	}
	sb, err := pl.story(b)
	if err != nil {
		return "", err
	}
	switch {
	case sa == nil:
		return b, nil
	case sb == nil:
		return a, nil
	}
	from, into, fs, is := a, b, sa, sb
	if sa.older(sb) {
		from, into, fs, is = b, a, sb, sa
	}
	for _, m := range fs.Members {
		if !m.Alias {
			pl.link(m.Key, into)
		}
		if slices.ContainsFunc(is.Members, func(x Member) bool { return x.Key == m.Key && x.Alias == m.Alias && x.Source == m.Source }) {
			continue
		}
		is.Members = append(is.Members, m)
	}
	pl.stories[from] = nil
	pl.gone[from] = true
	pl.setStory(into, is)
	return into, nil
}

// setStory stores s as story id's current state and links its members to
// it. Its representative is elected once the batch is planned (elect), not
// at every change: a story of a long thread gains many members in one save.
func (pl *planner) setStory(id string, s *Story) {
	pl.stories[id] = s
	pl.elect[id] = true
	if len(s.Members) < 2 {
		return
	}
	for _, m := range s.Members {
		if m.Alias {
			continue
		}
		if si := pl.items[m.Key]; si != nil && si.Story != id {
			pl.link(si.Item.Key, id)
		}
	}
}

// electRep elects s's representative among its members that are no alias.
func (pl *planner) electRep(s *Story) {
	var cands []int
	for i, m := range s.Members {
		if !m.Alias {
			cands = append(cands, i)
		}
	}
	best := 0
	// One candidate is its own representative: most stories, and
	// Representative would rank a one-element slice.
	if len(cands) > 1 {
		members := make([]dedup.Member, len(cands))
		for j, i := range cands {
			m := s.Members[i]
			members[j] = dedup.Member{Item: m.item(), Priority: pl.rules.Priority[m.Source], FirstSeen: m.FirstSeen}
		}
		best = dedup.Representative(members)
	}
	if best >= 0 && best < len(cands) {
		s.Rep = s.Members[cands[best]].Key
	}
}

// link points member key at story id, in the batch's copy if it has one,
// else with a Link.
func (pl *planner) link(key, id string) {
	if si := pl.items[key]; si != nil {
		c := *si
		c.Story = id
		pl.items[key] = &c
	}
	if !pl.inBatch[key] {
		pl.relinked[key] = id
	}
}

// finish turns the batch's changes into the plan's writes.
func (pl *planner) finish(p *Plan) error {
	for _, k := range pl.batch {
		p.Items = append(p.Items, *pl.items[k])
	}
	for _, k := range slices.Sorted(maps.Keys(pl.relinked)) {
		p.Links = append(p.Links, Link{k, pl.relinked[k]})
	}
	for _, id := range pl.touched {
		o := pl.orig[id]
		n, err := pl.story(id)
		if err != nil {
			return err
		}
		if n != nil && pl.elect[id] {
			pl.electRep(n)
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
			if !hadRecord || !n.shows(o) {
				var prev time.Time
				if o != nil {
					prev = o.Updated
				}
				n.Updated = changed(prev, pl.now)
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

// changed is a story's last change when it changes again at now: now, or
// a second after the previous change when that is not earlier in whole
// seconds (the precision of feed dates), so that readers always see the
// date move forward, however quickly two polls follow each other.
// freed reports whether free is a free copy of stored, an article for
// subscribers only (dedup.SubscriberOnly): the same key, a title without
// the mark.
func freed(stored, free item.Item) bool {
	return dedup.SubscriberOnly(stored.Title) && !dedup.SubscriberOnly(free.Title) && strings.TrimSpace(free.Title) != ""
}

func changed(prev, now time.Time) time.Time {
	if last := prev.Truncate(time.Second); !now.Truncate(time.Second).After(last) {
		return last.Add(time.Second)
	}
	return now
}
