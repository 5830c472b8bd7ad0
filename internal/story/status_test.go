package story_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// TestSeriesStatus follows a real series through three polls of its lore
// list: v1 and its replies, v2 (whose cover letter links to v1) and a
// review, then v2 applied. It is one story throughout, represented by the
// newest version's cover letter, never by a numbered patch, with its
// replies counted, its own patches not listed as coverage, and its status
// newest first.
func TestSeriesStatus(t *testing.T) {
	m := storytest.NewMemory()
	polls := storytest.SeriesPolls(t)
	all := storytest.Index{Kind: story.IndexAll}
	type want struct {
		title   string
		replies int
		states  []string
	}
	wants := []want{
		{"[PATCH 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry", 9,
			[]string{item.StatePosted}},
		{"[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry", 10,
			[]string{item.StateReviewed, item.StatePosted, item.StatePosted}},
		{"[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry", 11,
			[]string{item.StateApplied, item.StateReviewed, item.StatePosted, item.StatePosted}},
	}
	for i, f := range polls {
		now := storytest.SeriesPollTimes[i]
		batch := storytest.MailBatch(t, f, now)
		if _, err := m.Save(story.Rules{}, f.Source, batch, now); err != nil {
			t.Fatal(err)
		}
		if err := m.Check(); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		items := m.Items(all)
		if len(items) != 1 {
			t.Fatalf("poll %d: %d entries, want the series as one: %q", i+1, len(items), titles(items))
		}
		it, w := items[0], wants[i]
		if it.Title != w.title {
			t.Errorf("poll %d: shown %q, want %q", i+1, it.Title, w.title)
		}
		if it.Replies != w.replies {
			t.Errorf("poll %d: %d replies, want %d", i+1, it.Replies, w.replies)
		}
		if len(it.Related) != 0 {
			t.Errorf("poll %d: the series' own mails listed as coverage: %+v", i+1, it.Related)
		}
		if got := states(it.Status); !slices.Equal(got, w.states) {
			t.Errorf("poll %d: states %q, want %q", i+1, got, w.states)
		}
	}
	st := m.Items(all)[0].Status
	cur := st.Current()
	if cur.State != item.StateApplied || cur.Tree != "vfs/vfs.git (vfs-7.0.btrfs)" || cur.Who != "Christian Brauner" ||
		!cur.When.Equal(time.Date(2026, 1, 14, 16, 20, 36, 0, time.UTC)) ||
		cur.Message != "https://lore.kernel.org/linux-btrfs/20260114-holprig-flaggen-f8c095e1a439@brauner/" {
		t.Errorf("current status = %+v", cur)
	}
	if !slices.Contains(st.Reviews, item.Review{Kind: "Reviewed-by", Who: "David Sterba"}) {
		t.Errorf("reviews = %+v", st.Reviews)
	}
	v2 := st.Events[2]
	if v2.Version != 2 || v2.Patches != 4 || v2.Who != "fdmanana" ||
		v2.Message != "https://lore.kernel.org/linux-btrfs/cover.1768307858.git.fdmanana@suse.com/" {
		t.Errorf("v2 posted = %+v", v2)
	}
}

func TestItemStatus(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := story.ItemStatus(item.Item{Title: "[PATCH v3 0/7] rust: add foo", Author: "A", Published: at, Link: "https://lore.kernel.org/r/x@y"})
	if cur := st.Current(); cur.State != item.StatePosted || cur.Version != 3 || cur.Patches != 7 || cur.Who != "A" {
		t.Errorf("ItemStatus = %+v", cur)
	}
	pull := story.ItemStatus(item.Item{Title: "[GIT PULL] Rust for 6.14", Published: at})
	if cur := pull.Current(); cur.State != item.StatePosted || cur.Version != 0 || cur.Patches != 0 {
		t.Errorf("pull ItemStatus = %+v", cur)
	}
	if got := story.ItemStatus(item.Item{Title: "Linux 6.13 released"}); got != nil {
		t.Errorf("news has a status: %+v", got)
	}
}

func titles(items []item.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

func states(st *item.Status) []string {
	if st == nil {
		return nil
	}
	var out []string
	for _, e := range st.Events {
		out = append(out, e.State)
	}
	return out
}

// TestBotStatus reads the kernel.org bots' mails of two real threads: a
// pull request merged (pr-tracker-bot) and a series applied
// (patchwork-bot, which names who applied it).
func TestBotStatus(t *testing.T) {
	tests := []struct {
		file, src, title string
		want             item.Event
		replies          int
	}{
		{"lore-btrfs_pull-merged_2020-01-28.atom", "linux-btrfs", "[GIT PULL] Btrfs updates for 5.6",
			item.Event{State: item.StateMerged, Tree: "torvalds/linux.git"}, 1},
		{"lore-netfilter_series-applied-patchwork_2022-09-11.atom", "netfilter-devel", "[PATCH bpf-next v5 0/6] Support direct writes to nf_conn:mark",
			item.Event{State: item.StateApplied, Tree: "bpf/bpf-next.git (master)", Who: "Alexei Starovoitov"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			m := storytest.NewMemory()
			now := time.Date(2022, 9, 12, 0, 0, 0, 0, time.UTC)
			if _, err := m.Save(story.Rules{}, tc.src, storytest.MailBatch(t, storytest.LoreFixture(t, tc.file, tc.src), now), now); err != nil {
				t.Fatal(err)
			}
			items := m.Items(storytest.Index{Kind: story.IndexAll})
			if len(items) != 1 {
				t.Fatalf("%d entries, want one: %q", len(items), titles(items))
			}
			it := items[0]
			cur := it.Status.Current()
			if it.Title != tc.title || it.Replies != tc.replies || cur.State != tc.want.State || cur.Tree != tc.want.Tree || cur.Who != tc.want.Who {
				t.Errorf("%q (%d replies): current %+v, want %q with %d replies, %+v", it.Title, it.Replies, cur, tc.title, tc.replies, tc.want)
			}
		})
	}
}
