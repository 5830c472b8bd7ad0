package dedup

import (
	"testing"
	"time"

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
		feats[i] = Prepare(items[i])
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
			if got {
				same++
			}
		}
	}
	if same == len(items) {
		t.Fatalf("only identical pairs matched: the set has no same-story pairs?")
	}
}

// TestSameStoryStrong checks which matches are strong enough to merge two
// stories: keys and all-but-identical headlines, not merely similar ones.
func TestSameStoryStrong(t *testing.T) {
	at := func(title, link string) *Features {
		return Prepare(item.Item{Title: title, Link: link, Published: time.Date(2024, 11, 17, 22, 0, 0, 0, time.UTC)})
	}
	torvaldsA := at("Torvalds: Intel patches are garbage", "https://news.example/1")
	torvaldsB := at("Torvalds says Intel patches are complete and utter garbage, blasts Meltdown fix", "https://news.example/2")
	if same, why := SameStoryPrepared(torvaldsA, torvaldsB); !same {
		t.Fatalf("the similar pair does not even match (%s): the case tests nothing", why)
	}
	for _, tc := range []struct {
		a, b *Features
		want bool
	}{
		{at("LWN.Net Celebrates Its 20th Birthday", "https://linux.slashdot.org/story/1"),
			at("LWN.net celebrates its 20th birthday", "https://lwn.net/Articles/743699/"), true},
		{at("Linux 6.13 released", "https://lwn.net/Articles/1/"),
			at("6.13: mainline", "https://www.kernel.org/"), true}, // a release key
		// Similar enough to match (shorter headline inside the longer),
		// not to merge stories.
		{torvaldsA, torvaldsB, false},
		{at("Linux 6.13-rc1", "https://lwn.net/Articles/2/"),
			at("Linux 6.13-rc2", "https://lwn.net/Articles/3/"), false},
	} {
		if got := SameStoryStrong(tc.a, tc.b); got != tc.want {
			t.Errorf("%q vs %q: strong %v, want %v", tc.a.f.toks, tc.b.f.toks, got, tc.want)
		}
		if same, _ := SameStoryPrepared(tc.a, tc.b); tc.want && !same {
			t.Errorf("%q vs %q: strong but not the same story", tc.a.f.toks, tc.b.f.toks)
		}
	}
}
