package dedup

import (
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// realScores clusters one real labelled split (testdata/real-*.jsonl) as
// the store would and scores every pair of its items: all of them, the
// aggregator and news items ("/agg/" ids) and the mails ("/lore/" ids).
// logMisses says whether to log the pairs it gets wrong: only for dev,
// which the rules are tuned on. The blind split's misses are never shown.
func realScores(t *testing.T, path string, logMisses bool) (map[string]*pairScore, map[string]int, []int) {
	t.Helper()
	recs := readJSONL[labelled](t, path)
	items := make([]item.Item, len(recs))
	byID := make(map[string]int, len(recs))
	for i, r := range recs {
		items[i] = r.item()
		byID[r.ID] = i
	}
	root, _ := cluster(items, true)
	class := func(id string) string {
		if strings.Contains(id, "/lore/") {
			return "lore"
		}
		return "agg"
	}
	scores := map[string]*pairScore{"all": {}, "agg": {}, "lore": {}}
	logged := map[string]int{}
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			gold, got := recs[i].Story == recs[j].Story, root[i] == root[j]
			if !gold && !got {
				continue
			}
			cls := []string{"all"}
			if c := class(recs[i].ID); c == class(recs[j].ID) {
				cls = append(cls, c)
			}
			for _, c := range cls {
				s := scores[c]
				switch {
				case gold && got:
					s.tp++
				case got:
					s.fp++
				default:
					s.fn++
				}
			}
			if c := cls[len(cls)-1]; gold != got && logMisses && logged[c] < 200 {
				logged[c]++
				_, why := SameStory(items[i], items[j])
				t.Logf("%-6s %-4s %s | %s (%s)", map[bool]string{true: "MISS", false: "MERGE"}[gold], c, recs[i].Title, recs[j].Title, why)
			}
		}
	}
	stories := map[string]int{}
	for _, r := range recs {
		stories[r.Story]++
	}
	multi := 0
	for _, n := range stories {
		if n > 1 {
			multi++
		}
	}
	negs := readJSONL[struct{ A, B, Why string }](t, "testdata/real-negatives.jsonl")
	var merged []int
	for n, neg := range negs {
		a, aok := byID[neg.A]
		b, bok := byID[neg.B]
		if aok != bok {
			t.Fatalf("real-negatives.jsonl: %s and %s are in different splits", neg.A, neg.B)
		}
		if aok && root[a] == root[b] {
			merged = append(merged, n)
		}
	}
	return scores, map[string]int{"items": len(recs), "stories": len(stories), "multi": multi}, merged
}

func logScores(t *testing.T, split string, scores map[string]*pairScore, counts map[string]int) {
	t.Helper()
	t.Logf("%s: %d items, %d stories (%d with several items)", split, counts["items"], counts["stories"], counts["multi"])
	for _, c := range []string{"all", "agg", "lore"} {
		s := scores[c]
		t.Logf("%-5s %-4s pairs: precision %.4f (tp %d, fp %d), recall %.4f (fn %d)", split, c, s.precision(), s.tp, s.fp, s.recall(), s.fn)
	}
}

// TestStoriesRealDev gates same-story pairs on the real development set
// (testdata/README.md): weeks of Hacker News, Lobsters, Slashdot and
// SoylentNews front pages and lore list archives, labelled by what the
// items report. Its misses are logged: it is what the rules are tuned on.
func TestStoriesRealDev(t *testing.T) {
	scores, counts, merged := realScores(t, "testdata/real-dev.jsonl", true)
	logScores(t, "dev", scores, counts)
	for _, n := range merged {
		t.Errorf("real-negatives.jsonl line %d: a hard negative was merged", n+1)
	}
	// The target (precision 0.98, recall 0.90) gates all pairs and the
	// mails'. Aggregator headlines, with no summary and often reworded
	// (Slashdot's "Cryptographers Cancel Election Results After Losing
	// Decryption Key" for "Cryptographers Held an Election. They Can't
	// Decrypt the Results"), do not reach its recall on titles alone: they
	// are held at what the rules reach (0.77 when written) so that they
	// cannot fall back (0.77 when written, 0.83 once digests' rewrites
	// matched by rare words), and the gap is an open item, not a passed
	// gate.
	floor := map[string][2]float64{"all": {0.98, 0.90}, "lore": {0.98, 0.90}, "agg": {0.98, 0.83}}
	for _, c := range []string{"all", "agg", "lore"} {
		if s, f := scores[c], floor[c]; s.precision() < f[0] || s.recall() < f[1] {
			t.Errorf("dev %s: precision %.4f (want >= %.2f), recall %.4f (want >= %.2f)", c, s.precision(), f[0], s.recall(), f[1])
		}
	}
}

// TestStoriesRealBlind prints the figures of the blind split, later in
// time than dev for every source. It is scored, never tuned on: it logs
// no pair, neither misses nor merges, and gates nothing but the hard
// negatives (their ids, not their titles).
func TestStoriesRealBlind(t *testing.T) {
	scores, counts, merged := realScores(t, "testdata/real-blind.jsonl", false)
	logScores(t, "blind", scores, counts)
	t.Logf("blind: hard negatives merged %d", len(merged))
}

// TestRepresentativeRealSeries elects the representative of every real
// patch series of the dev set posted in two or more versions (its gold
// story's members): the newest version, by its cover letter when that
// version has one, never a numbered patch of an older version ("[PATCH
// v2 2/2]" over "[PATCH v3 0/5]").
func TestRepresentativeRealSeries(t *testing.T) {
	recs := readJSONL[labelled](t, "testdata/real-dev.jsonl")
	stories := map[string][]Member{}
	for _, r := range recs {
		it := r.item()
		stories[r.Story] = append(stories[r.Story], Member{Item: it, FirstSeen: it.Published})
	}
	checked := 0
	for _, members := range stories {
		newest, cover := 0, false
		for _, m := range members {
			if p := patchOf(m.Item); p != nil && !IsReply(m.Item) {
				if v := max(p.Version, 1); v > newest {
					newest, cover = v, false
				}
				if max(p.Version, 1) == newest && p.Index == 0 {
					cover = true
				}
			}
		}
		if newest < 2 {
			continue
		}
		checked++
		rep := members[Representative(members)].Item
		p := patchOf(rep)
		if p == nil || max(p.Version, 1) != newest || cover && p.Index != 0 {
			t.Errorf("series represented by %q, want v%d's cover letter (has one: %v)", rep.Title, newest, cover)
		}
	}
	t.Logf("%d series in several versions", checked)
	if checked < 20 {
		t.Errorf("only %d series checked", checked)
	}
}

// TestStoriesRealBlind3 prints the figures of the third blind split
// (testdata/README.md): aggregator weeks and lore threads in neither other
// set, labelled before any rule ran on them. Like TestStoriesRealBlind it
// is scored, never tuned on, and logs no pair.
func TestStoriesRealBlind3(t *testing.T) {
	scores, counts, _ := realScores(t, "testdata/real-blind3.jsonl", false)
	logScores(t, "blind3", scores, counts)
}
