package story_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// lookalikes returns n items with formulaic titles, a minute apart, as
// a mailing list and a news site make them: patch series whose subjects
// differ in a number and a word or two, their replies, and recurring
// headlines ("Security updates for Thursday", "This week in Rust 523").
// Every title shares most of its words with thousands of others, so its
// buckets are shared by thousands.
func lookalikes(n int, src string) []item.Item {
	subsystems := []string{"net", "mm", "bpf", "rust", "x86"}
	verbs := []string{"fix", "add", "remove", "rework"}
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
	out := make([]item.Item, n)
	for i := range out {
		var title, link string
		switch i % 4 {
		case 0, 1:
			// A series of 12 and its replies; series differ in a word
			// and the number of the part they rework.
			title = fmt.Sprintf("[PATCH v%d %d/12] %s: %s the %s helper, part %d", 1+(i/24)%3, 1+(i/2)%12,
				subsystems[(i/24)%5], verbs[(i/120)%4], subsystems[(i/600)%5], i/24)
			if i%4 == 1 {
				title = "Re: " + title
			}
			link = fmt.Sprintf("https://lore.kernel.org/list/%d-%s@example.org/", i, src)
		case 2:
			title = "Security updates for " + days[(i/4)%5]
			link = fmt.Sprintf("https://news.example/%s/%d/", src, i)
		default:
			title = fmt.Sprintf("This week in Rust %d", i/4)
			link = fmt.Sprintf("https://news.example/%s/twir-%d/", src, i)
		}
		out[i] = item.Item{Source: src, Title: title, Link: link, Published: t0().Add(-time.Duration(i) * time.Minute)}
	}
	dedup.Assign(out, src)
	return out
}

// BenchmarkPlanLookalike plans and applies the saves of n look-alike
// items into an empty storytest.Memory, in polls of 25 items and as one
// feed holding them all (the 50,000-item feed of issue 10). Ingest cost
// is linear in items when ns/item stays flat as n doubles:
//
//	go test -run '^$' -bench PlanLookalike -count 6 ./internal/story | benchstat -col /items -
func BenchmarkPlanLookalike(b *testing.B) {
	for _, per := range []int{25, 0} {
		for _, n := range []int{2500, 5000, 10000} {
			name := fmt.Sprintf("batch=%d/items=%d", per, n)
			if per == 0 {
				name = fmt.Sprintf("batch=all/items=%d", n)
			}
			b.Run(name, func(b *testing.B) {
				items := lookalikes(n, "list")
				size := per
				if size == 0 {
					size = n
				}
				for b.Loop() {
					m := storytest.NewMemory()
					for i := 0; i < n; i += size {
						batch := items[i:min(i+size, n)]
						if _, err := m.Save(story.Rules{}, "list", batch, t0()); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
			})
		}
	}
}

// countingReader counts the stored items a plan reads: its candidates.
type countingReader struct {
	*storytest.Memory
	items int
}

func (r *countingReader) Item(key string) (story.Stored, bool, error) {
	r.items++
	return r.Memory.Item(key)
}

// TestLookalikeCandidatesBounded checks that what a save reads does not
// grow with the look-alike items stored before it (MaxLive, MaxJudged):
// the same 25 formulaic titles read about as many candidates next to
// 4,800 stored look-alikes as next to 9,600 (2,049 and 2,341 when
// written). Unbounded, they read twice as many.
func TestLookalikeCandidatesBounded(t *testing.T) {
	reads := map[int]int{}
	for _, n := range []int{4800, 9600} {
		m := storytest.NewMemory()
		// The memory's clock, for the lookups' expiry.
		if _, err := m.Save(story.Rules{}, "old", nil, t0()); err != nil {
			t.Fatal(err)
		}
		// Stored as a save would leave them, without planning them.
		for _, it := range lookalikes(n, "old") {
			it.FirstSeen = t0()
			if err := m.PutItem(story.Stored{Item: it}); err != nil {
				t.Fatal(err)
			}
			if err := m.RecordLookups([]story.Lookup{{Item: it.Key, Keys: it.StoryKeys, Buckets: it.Buckets, At: it.Published}}); err != nil {
				t.Fatal(err)
			}
		}
		r := &countingReader{Memory: m}
		if _, err := story.PlanSave(r, story.Rules{}, "new", lookalikes(25, "new"), t0()); err != nil {
			t.Fatal(err)
		}
		reads[n] = r.items
	}
	t.Logf("candidate reads of one save of 25: %v", reads)
	if reads[4800] == 0 || float64(reads[9600]) > 1.3*float64(reads[4800]) {
		t.Errorf("a save next to 9,600 look-alikes read %d items, next to 4,800 %d", reads[9600], reads[4800])
	}
}
