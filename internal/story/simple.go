package story

import (
	"fmt"
	"sync"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// simpleItems marks the items that start a story of their own with nothing
// to decide: new to the store (no seen mark, no stored copy), no candidate
// under any of their story keys and buckets, and no key or field shared
// with another item of the batch. Most items of a poll are that; saveSimple
// plans them without the planner's bookkeeping, and no other item of the
// batch can reach them. n is the batch's number of fields.
func (pl *planner) simpleItems(items []item.Item, n int) ([]bool, error) {
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
		if _, marked := pl.mark(it.Key); marked {
			simple[i] = false
			continue
		}
		// Through the planner, so an item that turns out complex is not
		// read twice.
		if si, err := pl.item(it.Key); err != nil || si != nil {
			if err != nil {
				return nil, fmt.Errorf("item %s: %w", it.Key, err)
			}
			simple[i] = false
			continue
		}
		// A stored item it names (cluster's named) is a candidate
		// however old.
		for _, k := range it.StoryKeys {
			if k == it.Key || !dedup.IsLinkKey(k) {
				continue
			}
			si, err := pl.item(k)
			if err != nil {
				return nil, fmt.Errorf("item %s: %w", it.Key, err)
			}
			if si != nil {
				simple[i] = false
				break
			}
		}
		if !simple[i] {
			continue
		}
	fields:
		for _, keys := range [2][]string{it.StoryKeys, it.Buckets} {
			for _, f := range keys {
				found, err := pl.r.Lookup(f)
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

// owners recycles simpleItems' field maps: thousands of entries per save,
// allocated afresh they were a large share of a plan's garbage.
var owners sync.Pool

// saveSimple plans a simple item (see simpleItems) exactly as save, put
// and finish would: stored afresh as a story of one, indexed, recorded
// under its fields.
func (pl *planner) saveSimple(p *Plan, src string, it item.Item, now time.Time) item.Outcome {
	if !pl.admit(&it, src, now) {
		return item.TooOld
	}
	firstSeen(&it, now)
	p.Items = append(p.Items, Stored{Item: it})
	p.Marks = append(p.Marks, Mark{it.Key, it.Hash})
	one := Story{ID: it.Key, Rep: it.Key, Members: []Member{memberOf(it)}}
	p.IndexAdd = append(p.IndexAdd, one.Entries()...)
	p.Lookups = append(p.Lookups, Lookup{it.Key, it.StoryKeys, it.Buckets, storyTime(it)})
	p.Changed = true
	return item.New
}
