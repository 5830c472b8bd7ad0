package dedup

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// labelled is one line of testdata/stories.jsonl (see testdata/README.md).
type labelled struct {
	ID       string    `json:"id"`
	Story    string    `json:"story"`
	Split    string    `json:"split"`
	Source   string    `json:"source"`
	Priority int       `json:"priority"`
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Link     string    `json:"link"`
	GUID     string    `json:"guid"`
	Author   string    `json:"author"`
	Date     time.Time `json:"date"`
	Origin   string    `json:"origin"`
	// InReplyTo, ChangeID and Previous are what the pipeline reads off a
	// lore mail (Atom thr:in-reply-to; b4's change-id and "Link to v1:"
	// lines, found by the series extractor): the real sets carry them.
	InReplyTo string   `json:"in_reply_to"`
	ChangeID  string   `json:"change_id"`
	Previous  []string `json:"previous"`
}

func (l labelled) item() item.Item {
	it := item.Item{Source: l.Source, Title: l.Title, Summary: l.Summary, Link: l.Link, GUID: l.GUID,
		Author: l.Author, InReplyTo: l.InReplyTo, Published: l.Date, FirstSeen: l.Date}
	if l.ChangeID != "" || len(l.Previous) > 0 {
		it.Extracted.Series = &item.Series{ChangeID: l.ChangeID, Previous: l.Previous}
	}
	return it
}

func readJSONL[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// cluster simulates what phase 2's store does, in date order: look up the
// earlier items (within Window) that share a story key or a bucket with
// the new item, verify candidates with SameStory (identity-key candidates
// first, then event keys, then buckets; oldest first), and join the story
// of the first verified one. With mergeExact, a story that another
// candidate sharing an exact key also verifies against is merged in too:
// an item can prove two stories are one ("Stable kernels 6.17.9 and
// 6.12.59" after kernel.org's two releases); one found only by a bucket
// merges only on SameStoryStrong (the same headline, or a key). It returns each
// item's story root and the number of candidates verified.
func cluster(items []item.Item, mergeExact bool) (root []int, checked int) {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].Published.Compare(items[b].Published) })
	parent := make([]int, len(items))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	feats := make([]features, len(items))
	index := map[string][]int{}
	// byKey is the store's item index: an item is found by its key for
	// as long as it is stored, past the lookup window.
	byKey := map[string][]int{}
	for _, i := range order {
		feats[i] = featuresOf(items[i])
		keys := StoryKeys(items[i])
		buckets := Signature(items[i]).Buckets()
		// Candidates by strength of the shared key: identity, then
		// event keys (release, CVE, thread), then buckets; oldest first.
		var tiers [3][]int
		seen := map[int]bool{}
		for n, k := range slices.Concat(keys, buckets) {
			tier := 2
			switch {
			case n < len(feats[i].keys.strong):
				tier = 0
			case n < len(keys):
				tier = 1
			}
			for _, j := range index[k] {
				if feats[i].at.Sub(feats[j].at).Abs() <= Window && !seen[j] {
					seen[j] = true
					tiers[tier] = append(tiers[tier], j)
				}
			}
		}
		// A stored item that one of its identity keys names (the mail it
		// answers, an earlier version its cover letter links to, the
		// article an aggregator points at) is a candidate however old.
		for n, k := range feats[i].keys.strong {
			if n == 0 {
				continue // its own
			}
			for _, j := range byKey[k] {
				if !seen[j] {
					seen[j] = true
					tiers[0] = append(tiers[0], j)
				}
			}
		}
		joined := false
		for tier, cands := range tiers {
			slices.SortStableFunc(cands, func(a, b int) int { return feats[a].at.Compare(feats[b].at) })
			for _, j := range cands {
				if joined && !mergeExact || find(i) == find(j) {
					continue
				}
				checked++
				ok, _ := sameStory(feats[j], feats[i], Window)
				if ok && joined && tier == 2 {
					// A story found only by a bucket merges on strong
					// evidence only (store: Options.SameStrong).
					ok = SameStoryStrong(&Features{feats[j]}, &Features{feats[i]})
				}
				if ok {
					parent[find(j)] = find(i)
					joined = true
				}
			}
		}
		for _, k := range slices.Concat(keys, buckets) {
			index[k] = append(index[k], i)
		}
		if len(feats[i].keys.strong) > 0 {
			byKey[feats[i].keys.strong[0]] = append(byKey[feats[i].keys.strong[0]], i)
		}
	}
	root = make([]int, len(items))
	for i := range root {
		root[i] = find(i)
	}
	return root, checked
}

type pairScore struct{ tp, fp, fn int }

func (s pairScore) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s pairScore) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestStoriesLabelled measures pairwise precision and recall of "same
// story" on the labelled set: every pair of items, predicted same when the
// simulated clustering put them in one story.
func TestStoriesLabelled(t *testing.T) {
	recs := readJSONL[labelled](t, "testdata/stories.jsonl")
	items := make([]item.Item, len(recs))
	byID := map[string]int{}
	for i, r := range recs {
		items[i] = r.item()
		byID[r.ID] = i
	}
	root, checked := cluster(items, true)
	scores := map[string]*pairScore{"all": {}, "dev": {}, "heldout": {}, "unseen": {}}
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			gold, got := recs[i].Story == recs[j].Story, root[i] == root[j]
			splits := []string{"all"}
			if recs[i].Split == recs[j].Split {
				splits = append(splits, recs[i].Split)
			}
			for _, sp := range splits {
				s := scores[sp]
				switch {
				case gold && got:
					s.tp++
				case got:
					s.fp++
				case gold:
					s.fn++
				}
			}
			if gold != got {
				_, why := SameStory(items[i], items[j])
				t.Logf("%-6s %s | %s (%s)", map[bool]string{true: "MISS", false: "MERGE"}[gold], recs[i].Title, recs[j].Title, why)
			}
		}
	}
	negMerged := 0
	negs := readJSONL[struct{ A, B, Why string }](t, "testdata/negatives.jsonl")
	for _, n := range negs {
		a, aok := byID[n.A]
		b, bok := byID[n.B]
		if !aok || !bok {
			t.Fatalf("negatives.jsonl: unknown id in %+v", n)
		}
		if root[a] == root[b] {
			negMerged++
			t.Errorf("hard negative merged (%s): %q | %q", n.Why, recs[a].Title, recs[b].Title)
		}
	}
	for _, sp := range []string{"all", "dev", "heldout", "unseen"} {
		s := scores[sp]
		t.Logf("%-7s pairs: precision %.4f (tp %d, fp %d), recall %.4f (fn %d)", sp, s.precision(), s.tp, s.fp, s.recall(), s.fn)
	}
	t.Logf("items %d, candidates verified %d (%.2f per item), hard negatives merged %d/%d",
		len(items), checked, float64(checked)/float64(len(items)), negMerged, len(negs))
	if s := scores["all"]; s.precision() < 0.98 || s.recall() < 0.90 {
		t.Errorf("precision %.4f (want >= 0.98), recall %.4f (want >= 0.90)", s.precision(), s.recall())
	}
}
