package storetest

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// testSeriesStatus saves three real polls of a lore list following one
// patch series (storytest.SeriesPolls): v1 and its replies, v2 and a
// review, v2 applied. The series is one entry, v2's cover letter, whose
// status the backend keeps with the story and hands back through Items:
// applied to vfs/vfs.git (vfs-7.0.btrfs), the review, both versions.
func testSeriesStatus(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(nil))
	for i, f := range storytest.SeriesPolls(t) {
		e.save(t, f.Source, storytest.MailBatch(t, f, storytest.SeriesPollTimes[i])...)
	}
	items := e.items(t, store.Query{Topic: "patches"})
	if len(items) != 1 {
		t.Fatalf("Items(patches): %d entries, want the series as one", len(items))
	}
	it := items[0]
	if it.Title != "[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry" || it.Replies != 11 {
		t.Fatalf("entry %q with %d replies, want v2's cover letter with 11", it.Title, it.Replies)
	}
	cur := it.Status.Current()
	if cur.State != item.StateApplied || cur.Tree != "vfs/vfs.git (vfs-7.0.btrfs)" || cur.Who != "Christian Brauner" {
		t.Fatalf("status %+v, want applied to vfs/vfs.git (vfs-7.0.btrfs) by Christian Brauner", cur)
	}
	var states []string
	for _, ev := range it.Status.Events {
		states = append(states, ev.State)
	}
	if want := []string{item.StateApplied, item.StateReviewed, item.StatePosted, item.StatePosted}; !slices.Equal(states, want) {
		t.Fatalf("states %q, want %q", states, want)
	}
	if got := e.count(t, "patches"); got != 1 {
		t.Fatalf("Count(patches) = %d, want 1", got)
	}
}

// testCVERecord stores a kernel CNA announcement with its record (the
// extracted facts survive the store) and lets later press coverage naming
// the CVE join its story.
func testCVERecord(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(nil))
	cve := &item.CVE{ID: "CVE-2024-26581", Fixed: []string{"6.6.17", "6.7.5", "6.8-rc4"}, Introduced: []string{"6.5"},
		Commits: []string{"1296c110c5a0"}, Files: []string{"net/netfilter/nft_set_rbtree.c"}, Subsystems: []string{"networking"},
		Ranges: []item.CVERange{{Introduced: "6.5", IntroducedCommit: "f718863aca46", Fixed: "6.6.17", FixedCommit: "1296c110c5a0"}}}
	ann := item.Item{Source: "cve-announce", Title: "CVE-2024-26581: netfilter: nft_set_rbtree: skip end interval element from gc",
		Link: "https://lore.kernel.org/linux-cve-announce/2024022257-CVE-2024-26581-00ee@gregkh/", Published: T0().Add(-5 * hour),
		Topics: []string{"networking", "security"}, Extracted: item.Extracted{CVEs: []string{cve.ID}, CVE: cve}}
	press := item.Item{Source: "news", Title: "Linux kernel netfilter flaw CVE-2024-26581 lets attackers gain root",
		Link: "https://news.example/2024/cve-2024-26581", Published: T0().Add(-2 * hour), Topics: []string{"security"},
		Extracted: item.Extracted{CVEs: []string{cve.ID}}}
	for _, it := range []*item.Item{&ann, &press} {
		batch := []item.Item{*it}
		dedup.Assign(batch, it.Source)
		*it = batch[0]
	}
	e.saveSrc(t, ann)
	e.saveSrc(t, press)
	items := e.items(t, store.Query{Topic: "security"})
	if len(items) != 1 {
		t.Fatalf("Items(security): %d entries, want the CVE as one story", len(items))
	}
	got := items[0]
	if got.Key != ann.Key || got.Extracted.CVE == nil || !slices.Equal(got.Extracted.CVE.Fixed, cve.Fixed) ||
		!slices.Equal(got.Extracted.CVE.Subsystems, cve.Subsystems) || len(got.Extracted.CVE.Ranges) != 1 {
		t.Fatalf("entry %q with record %+v, want the announcement with its record", got.Title, got.Extracted.CVE)
	}
	if len(got.Related) != 1 || got.Related[0].URL != press.Link {
		t.Fatalf("related %+v, want the press report", got.Related)
	}
	if n := e.count(t, "networking"); n != 1 {
		t.Fatalf("Count(networking) = %d, want the announcement under its subsystem", n)
	}
}
