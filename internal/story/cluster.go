package story

import (
	"cmp"
	"slices"
	"strings"
	"sync"
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
	at := storyTime(it).Unix()
	for tier, keys := range [2][]string{it.StoryKeys, it.Buckets} {
		for _, k := range keys {
			found, err := pl.r.Lookup(k)
			if err != nil {
				return "", err
			}
			pl.batchHits = pl.lookups.appendGet(pl.batchHits[:0], k)
			pl.judged = JudgedInto(pl.judged, found, pl.batchHits, at, tier == 1)
			for _, h := range pl.judged {
				if seen[h.Key] {
					continue
				}
				seen[h.Key] = true
				si, err := pl.item(h.Key)
				if err != nil {
					return "", err
				}
				if si != nil {
					tiers[tier] = append(tiers[tier], si)
				}
			}
		}
		if tier == 0 {
			named, err := pl.named(it, seen)
			if err != nil {
				return "", err
			}
			tiers[0] = append(tiers[0], named...)
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

// named returns the stored items that it names by their key, as long as
// they are stored: the mail it answers, the earlier versions its cover
// letter links to, the article an aggregator points at. The lookup index
// forgets them after the story window, but a reply to a mail of last
// month is still in that mail's thread, and the versions of a series a
// month apart are still one series. It reads one item per key: an item
// names few (a reply its parent, a cover letter its earlier versions).
func (pl *planner) named(it item.Item, seen map[string]bool) ([]*Stored, error) {
	var out []*Stored
	for _, k := range it.StoryKeys {
		if seen[k] || !dedup.IsLinkKey(k) {
			continue
		}
		seen[k] = true
		si, err := pl.item(k)
		if err != nil {
			return nil, err
		}
		if si != nil {
			out = append(out, si)
		}
	}
	return out, nil
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
// each field's items are a chain back through hit and prev from its last,
// so recording one costs no slice of its own and reading the last MaxLive
// costs no walk past them. An item saved twice is recorded twice; its
// candidates are taken once (clusterInto).
type batchLookups struct {
	last map[string]int32
	hit  []Hit
	prev []int32
}

// batchStorage recycles batchLookups' map and slices across saves: grown
// afresh for every save they were a large share of a plan's garbage.
var batchStorage sync.Pool

// newBatchLookups returns an empty batchLookups, on recycled storage when
// there is some.
func newBatchLookups() batchLookups {
	if b, ok := batchStorage.Get().(*batchLookups); ok {
		return *b
	}
	return batchLookups{}
}

// recycle empties b and hands its storage to the next save; b must not be
// used afterwards.
func (b *batchLookups) recycle() {
	if b.last == nil {
		return
	}
	clear(b.last)
	clear(b.hit)
	batchStorage.Put(&batchLookups{last: b.last, hit: b.hit[:0], prev: b.prev[:0]})
	*b = batchLookups{}
}

// add records key, of story time at, under field.
func (b *batchLookups) add(field, key string, at int64) {
	if b.last == nil {
		b.last = map[string]int32{}
	}
	p, ok := b.last[field]
	if !ok {
		p = -1
	}
	b.last[field] = int32(len(b.hit))
	b.hit = append(b.hit, Hit{key, at})
	b.prev = append(b.prev, p)
}

// appendGet appends the MaxLive items recorded last under field to dst,
// in the order recorded.
func (b *batchLookups) appendGet(dst []Hit, field string) []Hit {
	i, ok := b.last[field]
	if !ok {
		return dst
	}
	start := len(dst)
	for ; i >= 0 && len(dst)-start < MaxLive; i = b.prev[i] {
		dst = append(dst, b.hit[i])
	}
	slices.Reverse(dst[start:])
	return dst
}

// MaxJudged bounds the candidates an item is judged against under one
// field: the MaxJudged nearest to it in story time. Same-story items are
// near in time (SameStory never joins items further apart than
// dedup.Window, nor recurring titles 36 hours apart), while a field
// shared by hundreds of items in a window is a common word pair or a
// formulaic title, and judging all of them made ingest quadratic in such
// items. Fields of fewer items are judged whole, as before the bound.
const MaxJudged = 32

// windowSeconds is dedup.Window in seconds, with a second of slack for
// Hit times being truncated to seconds.
const windowSeconds = int64(dedup.Window/time.Second) + 1

// Judged returns the hits of one field that an item of story time at
// (unix seconds) is judged against: of found (what a Reader's Lookup
// returned) and batch (what the batch recorded before it, in order), for
// a bucket, those within dedup.Window of at (a bucket candidate further
// apart SameStory always vetoes: the one rule before the window, a shared
// identity key, would have found it under that key first); then at most
// MaxJudged, the nearest in time, ties by key. A hit of unknown time
// counts as at at. The result is found's sorted by key, so that
// candidates' order does not depend on who recorded them first, then
// batch's in order; neither argument is modified.
func Judged(found, batch []Hit, at int64, bucket bool) []Hit {
	return JudgedInto(make([]Hit, 0, min(len(found)+len(batch), MaxJudged)), found, batch, at, bucket)
}

// JudgedInto is Judged returning its hits in buf's memory while they fit
// (buf's contents are overwritten; it must not share memory with found or
// batch): a planner judges every field of every item, and reuses one
// slice for all of them.
func JudgedInto(buf, found, batch []Hit, at int64, bucket bool) []Hit {
	out := buf[:0]
	nFound := 0
	for i, list := range [2][]Hit{found, batch} {
		for _, h := range list {
			if !bucket || h.dist(at) <= windowSeconds {
				out = append(out, h)
			}
		}
		if i == 0 {
			nFound = len(out)
		}
	}
	if len(out) > MaxJudged {
		out, nFound = nearest(out, nFound, at)
	}
	slices.SortFunc(out[:nFound], func(a, b Hit) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func (h Hit) dist(at int64) int64 {
	if h.At == 0 {
		return 0
	}
	d := h.At - at
	return max(d, -d)
}

// nearest keeps the MaxJudged hits of hs nearest to at (ties by key, then
// position), in their order; the first nFound are found's, and so are the
// first of those kept it returns.
func nearest(hs []Hit, nFound int, at int64) ([]Hit, int) {
	ds := make([]int64, len(hs))
	for i, h := range hs {
		ds[i] = h.dist(at)
	}
	// The MaxJudged-th smallest distance: everything nearer is kept, and
	// of those at it, the first by key.
	kth := slices.Clone(ds)
	slices.Sort(kth)
	limit := kth[MaxJudged-1]
	below := 0
	var ties []int
	for i, d := range ds {
		switch {
		case d < limit:
			below++
		case d == limit:
			ties = append(ties, i)
		}
	}
	slices.SortStableFunc(ties, func(i, j int) int { return strings.Compare(hs[i].Key, hs[j].Key) })
	keep := make([]bool, len(hs))
	for _, i := range ties[:MaxJudged-below] {
		keep[i] = true
	}
	out := hs[:0:0]
	n := 0
	for i, h := range hs {
		if ds[i] < limit || keep[i] {
			out = append(out, h)
			if i < nFound {
				n++
			}
		}
	}
	return out, n
}
