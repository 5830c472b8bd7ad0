package story_test

import (
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// TestLateMailJoinsNamedStory saves mails that name a stored mail long
// after the lookup index forgot it: a reply to a patch five weeks old, a
// reply under another subject, and a v2 whose cover letter links to v1
// ("Link to v1:") a month later. Each joins the story of the mail it
// names; an unrelated mail of the same day does not.
func TestLateMailJoinsNamedStory(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mail := loreMailer("linux-btrfs", t0, "R. Viewer")
	v2 := mail("[PATCH v2] btrfs: reorder the zone reset", "v2@x", "", 30*24*time.Hour)
	v2.Extracted.Series = &item.Series{Previous: []string{"https://lore.kernel.org/linux-btrfs/v1@x/"}}
	polls := []struct {
		it   item.Item
		want string // the first mail of the story it must join, "" for its own
	}{
		{mail("[PATCH] btrfs: fix the zone reset order", "v1@x", "", 0), ""},
		{v2, "v1@x"},
		{mail("Re: [PATCH] btrfs: fix the zone reset order", "r1@y", "v1@x", 35*24*time.Hour), "v1@x"},
		{mail("[PATCH] btrfs: drop an unused variable", "other@x", "", 36*24*time.Hour), ""},
		{mail("zone resets, was: Re: [PATCH] btrfs", "r2@y", "r1@y", 50*24*time.Hour), "v1@x"},
	}
	m := storytest.NewMemory()
	for i, p := range polls {
		batch := []item.Item{p.it}
		dedup.Assign(batch, "linux-btrfs")
		if _, err := m.Save(story.Rules{}, "linux-btrfs", batch, p.it.Published.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := m.Check(); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		si, ok, _ := m.Item(batch[0].Key)
		if !ok {
			t.Fatalf("poll %d: %q not stored", i+1, p.it.Title)
		}
		want := batch[0].Key
		if p.want != "" {
			w := []item.Item{{Link: "https://lore.kernel.org/linux-btrfs/" + p.want + "/"}}
			dedup.Assign(w, "linux-btrfs")
			want = w[0].Key
		}
		if got := si.Story; (got == "" && want != batch[0].Key) || (got != "" && got != want) {
			t.Errorf("poll %d: %q in story %q, want %q", i+1, p.it.Title, got, want)
		}
	}
}
