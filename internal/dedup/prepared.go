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

// minStrongJaccard is how alike two titles must be for a text match to be
// strong: the same headline, give or take a word, case and punctuation.
const minStrongJaccard = 0.8

// SameStoryStrong reports whether a and b are one story on evidence strong
// enough to merge the stories each already belongs to: a shared key, or
// (vetoes passed) titles alike to minStrongJaccard. A merely similar title
// is not: "Torvalds: Intel patches are garbage" may match two different
// reports, and merging their stories through it would chain them.
func SameStoryStrong(a, b *Features) bool {
	ok, why := sameStory(a.f, b.f, Window)
	if !ok {
		return false
	}
	if why != ReasonText && why != ReasonRewrite {
		return true
	}
	if why == ReasonRewrite {
		return false
	}
	return jaccard(a.f.toks, b.f.toks) >= minStrongJaccard
}

// jaccard is the Jaccard similarity of two token sets.
func jaccard(a, b []string) float64 {
	shared := 0
	for _, t := range a {
		if containsString(b, t) {
			shared++
		}
	}
	union := len(a) + len(b) - shared
	if union == 0 {
		return 0
	}
	return float64(shared) / float64(union)
}
