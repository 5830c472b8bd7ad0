package dedup

import "github.com/kernelwire/kernelwire/internal/item"

// Features is what SameStory compares of one item (its keys, title tokens,
// versions, CVE ids, speakers and marks), computed once by Prepare. A
// store that compares a new item with many candidates prepares each item
// once instead of once per pair: computing features is most of
// SameStory's cost.
type Features struct{ f features }

// Prepare computes the item's features.
func Prepare(it item.Item) *Features { return &Features{featuresOf(it)} }

// SameStoryPrepared is SameStory on prepared items: same verdict, same
// reason.
func SameStoryPrepared(a, b *Features) (bool, Reason) { return sameStory(a.f, b.f, Window) }
