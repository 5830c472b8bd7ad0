package story_test

import (
	"cmp"
	"fmt"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// TestSeriesNewestCoverRepresents saves a series through the store the
// way a lore list delivers it: v2 (a cover letter and two patches) and a
// reply to its last patch, then v3's five patches before their cover
// letter (a slow list), then v3's cover letter. The story is one entry
// throughout, and once v3's cover letter is in, it represents the
// story: never v2's "[PATCH v2 2/2]", nor a numbered patch of v3.
func TestSeriesNewestCoverRepresents(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mail := loreMailer("linux-mm", t0, "")
	v2 := []item.Item{
		mail("[PATCH v2 0/2] mm: make reclaim of foo cheaper", "v2-0@x", "", 0),
		mail("[PATCH v2 1/2] mm: add foo_reclaim()", "v2-1@x", "v2-0@x", time.Second),
		mail("[PATCH v2 2/2] mm: use foo_reclaim() in kswapd", "v2-2@x", "v2-0@x", 2*time.Second),
		mail("Re: [PATCH v2 2/2] mm: use foo_reclaim() in kswapd", "r1@y", "v2-2@x", time.Hour),
	}
	var v3parts []item.Item
	for i, s := range []string{"mm: add foo_reclaim()", "mm: use foo_reclaim() in kswapd", "mm: foo: count reclaimed pages",
		"mm: foo: document the tunable", "selftests/mm: test foo reclaim"} {
		v3parts = append(v3parts, mail(fmt.Sprintf("[PATCH v3 %d/5] %s", i+1, s), fmt.Sprintf("v3-%d@x", i+1), "v3-0@x",
			48*time.Hour+time.Duration(i+1)*time.Second))
	}
	v3cover := mail("[PATCH v3 0/5] mm: make reclaim of foo cheaper", "v3-0@x", "", 48*time.Hour)
	polls := []struct {
		batch []item.Item
		want  string
	}{
		{v2, "[PATCH v2 0/2] mm: make reclaim of foo cheaper"},
		{v3parts, ""}, // v3 without its cover letter: any v3 mail, checked below
		{[]item.Item{v3cover}, "[PATCH v3 0/5] mm: make reclaim of foo cheaper"},
	}
	m := storytest.NewMemory()
	all := storytest.Index{Kind: story.IndexAll}
	for i, p := range polls {
		now := t0.Add(time.Duration(i) * 49 * time.Hour)
		batch := append([]item.Item(nil), p.batch...)
		dedup.Assign(batch, "linux-mm")
		if _, err := m.Save(story.Rules{}, "linux-mm", batch, now); err != nil {
			t.Fatal(err)
		}
		if err := m.Check(); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		items := m.Items(all)
		if len(items) != 1 {
			t.Fatalf("poll %d: %d entries, want the series as one: %q", i+1, len(items), titles(items))
		}
		got := items[0].Title
		switch {
		case p.want != "" && got != p.want:
			t.Errorf("poll %d: shown %q, want %q", i+1, got, p.want)
		case p.want == "" && got[:10] != "[PATCH v3 ":
			t.Errorf("poll %d: shown %q, want a v3 mail", i+1, got)
		}
	}
}

// loreMailer makes the mails of a lore list's: A. Developer's, posted at
// t0 plus at; one with a parent answers the mail of that id, and is
// replier's when replier is set (a review; a series' patches, answering
// their cover letter, are still their author's).
func loreMailer(list string, t0 time.Time, replier string) func(title, id, parent string, at time.Duration) item.Item {
	return func(title, id, parent string, at time.Duration) item.Item {
		it := item.Item{Source: list, Title: title, Author: "A. Developer",
			Link: "https://lore.kernel.org/" + list + "/" + id + "/", Published: t0.Add(at)}
		if parent != "" {
			it.InReplyTo = "https://lore.kernel.org/" + list + "/" + parent + "/"
			it.Author = cmp.Or(replier, it.Author)
		}
		return it
	}
}
