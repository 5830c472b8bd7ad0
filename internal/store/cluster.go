package store

import (
	"cmp"
	"slices"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// cluster returns the story a new item joins (its own key for a new
// story), merging stories it proves to be one. Candidates found under a
// story key come before those found under a bucket, oldest first within
// each; the item joins the first that SameStory accepts. Another story
// found under a story key that also verifies is merged in: "Stable
// kernels 6.17.9 and 6.12.59" joins the two releases' stories. One found
// only under a bucket is merged in only on Options.SameStrong's word: text
// alike enough to match is not enough to join two stories.
func (w *world) cluster(it item.Item) (string, error) {
	return w.clusterInto(it, "")
}

// clusterInto is cluster for an item that has joined story joined already
// ("" for none yet): another source carrying a stored article (an alias)
// is in that article's story, and its own headline and keys may prove
// another story the same.
func (w *world) clusterInto(it item.Item, joined string) (string, error) {
	tiers := [2][]*StoredItem{}
	seen := map[string]bool{it.Key: true}
	for tier, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			found, err := w.r.Lookup(k)
			if err != nil {
				return "", err
			}
			for _, list := range [2][]string{found, w.lookups.get(k)} {
				for _, c := range list {
					if seen[c] {
						continue
					}
					seen[c] = true
					si, err := w.item(c)
					if err != nil {
						return "", err
					}
					if si != nil {
						tiers[tier] = append(tiers[tier], si)
					}
				}
			}
		}
		slices.SortStableFunc(tiers[tier], func(a, b *StoredItem) int {
			return storyTime(a.Item).Compare(storyTime(b.Item))
		})
	}
	same, strong := w.sameAs(it)
	for tier, cands := range tiers {
		for _, c := range cands {
			sid := w.storyID(c)
			if sid == joined || joined != "" && tier == 1 && strong == nil {
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
			if err := w.merge(sid, joined); err != nil {
				return "", err
			}
		}
	}
	return cmp.Or(joined, it.Key), nil
}

// sameAs returns SameStory(candidate, it) and SameStrong(candidate, it)
// (nil without it), with prepared features when the options have them:
// each stored copy is prepared once per save (a copy changed by the batch
// is a new pointer, so it is prepared afresh).
func (w *world) sameAs(it item.Item) (same, strong func(c *StoredItem) bool) {
	if w.opts.Prepare == nil || w.opts.SamePrepared == nil {
		return func(c *StoredItem) bool { return w.opts.SameStory(c.Item, it) }, nil
	}
	var pi any
	prepared := func(c *StoredItem) (any, any) {
		if pi == nil {
			pi = w.opts.Prepare(it)
		}
		pc, ok := w.prepared[c]
		if !ok {
			pc = w.opts.Prepare(c.Item)
			w.prepared[c] = pc
		}
		return pc, pi
	}
	same = func(c *StoredItem) bool { return w.opts.SamePrepared(prepared(c)) }
	if w.opts.SameStrong != nil {
		strong = func(c *StoredItem) bool { return w.opts.SameStrong(prepared(c)) }
	}
	return same, strong
}

func storyTime(it item.Item) time.Time {
	if !it.Published.IsZero() {
		return it.Published
	}
	return it.FirstSeen
}
