package story

import (
	"cmp"
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// cluster returns the story a new item joins (its own key for a new
// story), merging stories it proves to be one. Candidates found under a
// story key come before those found under a bucket, oldest first within
// each; the item joins the first that SameStory accepts. Another story
// found under a story key that also verifies is merged in: "Stable
// kernels 6.17.9 and 6.12.59" joins the two releases' stories. One found
// only under a bucket is merged in only on dedup.SameStoryStrong's word: text
// alike enough to match is not enough to join two stories.
func (pl *planner) cluster(it item.Item) (string, error) {
	return pl.clusterInto(it, "")
}

// clusterInto is cluster for an item that has joined story joined already
// ("" for none yet): another source carrying a stored article (an alias)
// is in that article's story, and its own headline and keys may prove
// another story the same.
func (pl *planner) clusterInto(it item.Item, joined string) (string, error) {
	tiers := [2][]*Stored{}
	seen := map[string]bool{it.Key: true}
	for tier, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			found, err := pl.r.Lookup(k)
			if err != nil {
				return "", err
			}
			for _, list := range [2][]string{found, pl.lookups.get(k)} {
				for _, c := range list {
					if seen[c] {
						continue
					}
					seen[c] = true
					si, err := pl.item(c)
					if err != nil {
						return "", err
					}
					if si != nil {
						tiers[tier] = append(tiers[tier], si)
					}
				}
			}
		}
		slices.SortStableFunc(tiers[tier], func(a, b *Stored) int {
			return storyTime(a.Item).Compare(storyTime(b.Item))
		})
	}
	same, strong := pl.sameAs(it)
	for tier, cands := range tiers {
		for _, c := range cands {
			sid := pl.storyID(c)
			if sid == joined {
				continue
			}
			if joined != "" && tier == 1 {
				if !strong(c) {
					continue
				}
			} else if !same(c) {
				continue
			}
			if joined == "" {
				joined = sid
				continue
			}
			var err error
			if joined, err = pl.merge(sid, joined); err != nil {
				return "", err
			}
		}
	}
	return cmp.Or(joined, it.Key), nil
}

// sameAs returns dedup's SameStory(candidate, it) and SameStoryStrong
// (candidate, it) on prepared features: each stored copy is prepared once
// per save (a copy changed by the batch is a new pointer, so it is
// prepared afresh).
func (pl *planner) sameAs(it item.Item) (same, strong func(c *Stored) bool) {
	var pi *dedup.Features
	prepared := func(c *Stored) (*dedup.Features, *dedup.Features) {
		if pi == nil {
			pi = dedup.Prepare(it)
		}
		pc, ok := pl.prepared[c]
		if !ok {
			if pc = c.Features; pc == nil {
				pc = dedup.Prepare(c.Item)
			}
			pl.prepared[c] = pc
		}
		return pc, pi
	}
	same = func(c *Stored) bool {
		ok, _ := dedup.SameStoryPrepared(prepared(c))
		return ok
	}
	strong = func(c *Stored) bool { return dedup.SameStoryStrong(prepared(c)) }
	return same, strong
}

func storyTime(it item.Item) time.Time {
	if !it.Published.IsZero() {
		return it.Published
	}
	return it.FirstSeen
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
