package dedup

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestSameStoryPrepared checks that prepared comparison is SameStory: same
// verdict and reason on pairs of the labelled set, in both orders. Each
// item meets its next 20 neighbours (the file groups a story's reports and
// its look-alikes): every pair would recompute features 10^5 times.
func TestSameStoryPrepared(t *testing.T) {
	recs := readJSONL[labelled](t, "testdata/stories.jsonl")
	items := make([]item.Item, len(recs))
	feats := make([]*Features, len(recs))
	for i, r := range recs {
		items[i] = r.item()
		feats[i] = Prepared(items[i]).(*Features)
	}
	same := 0
	for i := range items {
		for j := max(0, i-20); j < min(len(items), i+21); j++ {
			want, wantWhy := SameStory(items[i], items[j])
			got, why := SameStoryPrepared(feats[i], feats[j])
			if got != want || why != wantWhy {
				t.Fatalf("%q vs %q: prepared says %v (%s), SameStory %v (%s)",
					items[i].Title, items[j].Title, got, why, want, wantWhy)
			}
			if got != SamePrepared(feats[i], feats[j]) {
				t.Fatalf("%q vs %q: SamePrepared disagrees", items[i].Title, items[j].Title)
			}
			if got {
				same++
			}
		}
	}
	if same == len(items) {
		t.Fatalf("only identical pairs matched: the set has no same-story pairs?")
	}
}
