package dedup

import (
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

var day0 = time.Date(2025, 11, 30, 12, 0, 0, 0, time.UTC)

func at(title string, hours float64) item.Item {
	return item.Item{Title: title, Published: day0.Add(time.Duration(hours * float64(time.Hour)))}
}

// slashdotted is it as a news digest's story (Slashdot's own page).
func slashdotted(it item.Item) item.Item {
	it.Link = "https://tech.slashdot.org/story/25/11/30/1200000/" + strings.ReplaceAll(strings.ToLower(it.Title), " ", "-")
	return it
}

// posted is it at link, with guid (an aggregator's discussion page or a
// publisher's id).
func posted(it item.Item, link, guid string) item.Item {
	it.Link, it.GUID = link, guid
	return it
}

func TestSameStory(t *testing.T) {
	lore := func(it item.Item, link, author string) item.Item { it.Link, it.Author = link, author; return it }
	tests := []struct {
		name string
		a, b item.Item
		want bool
		why  Reason
	}{
		{"same article, other titles", item.Item{Title: "A", Link: "https://lwn.net/Articles/1/rss"},
			item.Item{Title: "B", Link: "https://lwn.net/SubscriberLink/1/x/"}, true, ReasonIdentity},
		{"kernel release, three outlets", at("Linux 6.18 Released", 0), at("The 6.18 kernel has been released", 1), true, ReasonRelease},
		{"rc1 vs rc2", at("Kernel prepatch 6.13-rc1", 0), at("Kernel prepatch 6.13-rc2", 2), false, VetoKernelVersion},
		{"stable point releases", at("Stable kernel 6.12.5", 0), at("Stable kernel 6.12.6", 1), false, VetoKernelVersion},
		{"different CVEs", at("Linux kernel flaw CVE-2024-1086 exploited", 0), at("Linux kernel flaw CVE-2024-26581 exploited", 0), false, VetoCVE},
		{"same CVE, other words", at("StackRot (CVE-2023-3269): Linux kernel privilege escalation", 0),
			at("StackRot: Linux kernel flaw lets local users gain root (CVE-2023-3269)", 12), true, ReasonCVE},
		{"release vs pre-release testing", at("Announcing Rust 1.70.0", 0), at("1.70.0 pre-release testing", -48), false, VetoStage},
		{"release vs article on that version", at("Linux 6.18 Released", 0), at("Linux 6.18 Will Further Complicate Non-GPL Out-of-Tree File-Systems", -24), false, VetoStage},
		{"recurring title, next week", at("Security updates for Thursday", 0), at("Security updates for Thursday", 24*7-1), false, VetoRecurring},
		{"recurring title, next day", at("Security updates for Thursday", 0), at("Security updates for Friday", 24), false, VetoNumber},
		{"recurring title, same day", at("Security updates for Thursday", 0), at("Security updates for Thursday", 3), true, ReasonText},
		{"one word and a year in common", at("Advent of Code 2025", 0), at("Advent of Sysadmin 2025", 2), false, ReasonDissimilar},
		{"a version is not a year", at("GNOME 47 released", 0), at("GNOME 47 Released With Accent Colors, Better Small Screen Support", 2), true, ReasonText},
		{"numbered newsletter", at("This Week in Rust 500", 0), at("This Week in Rust 501", 24*7-1), false, VetoNumber},
		{"day one vs day two", at("Reports from OSPM 2026, day one", 0), at("Reports from OSPM 2026, day two", 24), false, VetoNumber},
		{"different speakers", at("Greg Kroah-Hartman says Rust drivers are welcome", 0), at("Linus Torvalds says Rust drivers are welcome", 1), false, VetoSpeaker},
		{"same speaker, shortened", at("Linus Torvalds Calls Intel Patches 'Complete and Utter Garbage'", 0),
			at("Torvalds: Intel's patches are 'complete and utter garbage'", 5), true, ReasonText},
		{"outside the window", at("Fedora considers hardlinking identical files", 0), at("Fedora considers hardlinking identical files", 24*8), false, VetoWindow},
		{"headline inside a longer one", at("Fedora considers hardlinking identical files in /usr", 0),
			at("Fedora Considers Hardlinking Identical /usr Files By Default For Deduplicating RPM Assets", 20), true, ReasonText},
		{"unrelated", at("Linux 6.17 EDAC Code Supports Several Newer Intel CPUs", 0), at("More Intel Driver Maintainer Changes In Linux 6.17", 1), false, ReasonDissimilar},
		{"series versions", lore(at("[PATCH v2 0/5] rust: add foo", 0), "https://lore.kernel.org/r4l/a@x/", "A"),
			lore(at("[PATCH v3 0/5] rust: add foo", 72), "https://lore.kernel.org/r4l/b@x/", "A"), true, ReasonThread},
		{"parts of one series", lore(at("[PATCH v3 0/5] rust: add foo", 0), "https://lore.kernel.org/r4l/a@x/", "A"),
			lore(at("[PATCH v3 2/5] rust: foo: add bar", 0.01), "https://lore.kernel.org/r4l/b@x/", "A"), true, ReasonThread},
		{"a digest's own headline for a report", slashdotted(at("Regulators Fine Zorbex Over Quellium Battery Fires", 6)),
			at("Zorbex pays Quellium recall fine", 0), true, ReasonRewrite},
		{"two digest stories", slashdotted(at("Regulators Fine Zorbex Over Quellium Battery Fires", 6)),
			slashdotted(at("Zorbex pays Quellium recall fine", 0)), false, ReasonDissimilar},
		{"an explainer beside a digest's report", slashdotted(at("Regulators Fine Zorbex Over Quellium Battery Fires", 6)),
			at("Why Zorbex pays the Quellium recall fine", 0), false, ReasonDissimilar},
		{"a digest three days later", slashdotted(at("Regulators Fine Zorbex Over Quellium Battery Fires", 72)),
			at("Zorbex pays Quellium recall fine", 0), false, ReasonDissimilar},
		{"a short title sharing two words with a long digest headline",
			slashdotted(at("Coast Guard Boards Tanker Suspected Of Cutting Quellium Cable Off Zorbex Island Overnight", 6)),
			at("The Legacy of Quellium Zorbex", 0), false, ReasonDissimilar},
		{"a digest sharing one rare word", slashdotted(at("Regulators Fine Zorbex Over Battery Fires", 6)),
			at("Zorbex ships a cheaper laptop", 0), false, ReasonDissimilar},
		{"aggregators' posts of one home page", posted(at("Quorbit", 0), "https://quorbit.dev/", "https://news.ycombinator.com/item?id=1"),
			posted(at("Quorbit - a tiny, embeddable build tool", 2), "https://quorbit.dev", "https://lobste.rs/s/abc/quorbit"), true, ReasonTarget},
		{"one home page, the publisher's own posts", posted(at("Quorbit", 0), "https://quorbit.dev/", "tag:quorbit.dev,2025:1"),
			posted(at("Quorbit - a tiny, embeddable build tool", 2), "https://quorbit.dev", "tag:quorbit.dev,2025:2"), false, ReasonDissimilar},
		{"different patches", at("[PATCH] rust: alloc: add Vec::pop", 0), at("[PATCH] rust: alloc: add Vec::push", 1), false, VetoPatch},
		{"reply joins its thread", lore(at("Linux 6.18", 0), "https://lore.kernel.org/lkml/a@x/", "Linus"),
			lore(at("Re: Linux 6.18", 9), "https://lore.kernel.org/lkml/b@y/", "Greg"), true, ReasonThread},
		{"reply joins nothing else", at("Re: Linux 6.18", 0), at("Linux 6.18 Released", 1), false, VetoReply},
		{"weekly pull, same subject", at("[GIT PULL] x86 fixes", 0), at("[GIT PULL] x86 fixes", 24*6), false, VetoRecurring},
		{"same subject, another sender", lore(at("[PATCH] MAINTAINERS: update my email address", 0), "https://lore.kernel.org/lkml/a@x/", "A"),
			lore(at("[PATCH v2] MAINTAINERS: update my email address", 30), "https://lore.kernel.org/lkml/b@x/", "B"), false, VetoPatch},
		{"versions tied by change-id, subject renamed", series(lore(at("[PATCH 0/3] fs: add mgtime", 0), "https://lore.kernel.org/fsdevel/a@x/", "A"), "20240913-mgtime-20c98bcda88e"),
			series(lore(at("[PATCH v2 0/3] fs: multigrain timestamps", 24*3), "https://lore.kernel.org/fsdevel/b@x/", "A"), "20240913-mgtime-20c98bcda88e"), true, ReasonIdentity},
		{"v2 links to v1, subject renamed", lore(at("[PATCH 0/4] btrfs: stop duplicating VFS code", 0), "https://lore.kernel.org/linux-btrfs/cover.1767801889.git.fdmanana@suse.com/", "fdmanana"),
			series(lore(at("[PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry", 24*5), "https://lore.kernel.org/linux-btrfs/cover.1768307858.git.fdmanana@suse.com/", "fdmanana"),
				"", "https://lore.kernel.org/linux-btrfs/cover.1767801889.git.fdmanana@suse.com/"), true, ReasonIdentity},
		{"b4 thank-you for part of a series", lore(at("[PATCH v4 0/4] procfs: make reference pidns more user-visible", 0), "https://lore.kernel.org/linux-api/a@x/", "A"),
			lore(at("Re: (subset) [PATCH v4 0/4] procfs: make reference pidns more user-visible", 30), "https://lore.kernel.org/linux-api/b@y/", "Christian Brauner"), true, ReasonThread},
		{"stable note finds its patch", lore(at("[PATCH v2 1/2] btrfs: fix periodic reclaim condition", 0), "https://lore.kernel.org/linux-btrfs/a@x/", "A"),
			lore(at(`Patch "btrfs: fix periodic reclaim condition" has been added to the 6.18-stable tree`, 24*4), "https://lore.kernel.org/stable-commits/b@y/", "Sasha Levin"), true, ReasonThread},
		// Real cases of the real labelled sets (testdata/real-dev.jsonl).
		{"one amount, two spellings", at("Nvidia takes $1B stake in Nokia", 0), at("Nvidia Takes $1 Billion Stake In Nokia", 30), true, ReasonText},
		{"thousands, two spellings", at("780,000 Windows Users Downloaded Linux Distro Zorin OS in the Last 5 Weeks", 0),
			at("780k Windows Users Downloaded Linux Distro Zorin OS in the Last 5 Weeks", 20), true, ReasonText},
		{"two amounts", at("Amazon Plans To Cut As Many As 30,000 Corporate Jobs", 0), at("Amazon Says It Will Cut 14,000 Corporate Jobs", 15), false, VetoNumber},
		{"two commit ids", at("[ANNOUNCE] xfs-linux: iomap-for-next updated to 213f627104da", 0),
			at("[ANNOUNCE] xfs-linux: for-next updated to ae29e4220fd3", 2), false, VetoNumber},
		{"only common words shared", at("Are large language models worth it?", 0),
			at("Exploring the limits of large language models as quant traders", 20), false, ReasonDissimilar},
		{"two series of one length sent together", reply(lore(at("[PATCH 2/3] xfs_db: support the needsrepair feature flag", 0), "https://lore.kernel.org/linux-xfs/p2@x/", "Darrick"), "https://lore.kernel.org/linux-xfs/cover1@x/"),
			reply(lore(at("[PATCH 1/3] misc: fix valgrind complaints", 0.01), "https://lore.kernel.org/linux-xfs/q1@x/", "Darrick"), "https://lore.kernel.org/linux-xfs/cover2@x/"), false, VetoPatch},
		{"a part answers its cover letter", lore(at("[PATCHSET 0/3] various: random fixes", 0), "https://lore.kernel.org/linux-xfs/cover2@x/", "Darrick"),
			reply(lore(at("[PATCH 1/3] misc: fix valgrind complaints", 0.01), "https://lore.kernel.org/linux-xfs/q1@x/", "Darrick"), "https://lore.kernel.org/linux-xfs/cover2@x/"), true, ReasonIdentity},
		{"another series' part, unthreaded cover", lore(at("[PATCH 0/3] btrfs: fix check of missing file extents", 0), "https://lore.kernel.org/linux-btrfs/c@x/", "Josef"),
			reply(lore(at("[PATCH 1/3] btrfs: add a comment describing block-rsvs", 0.1), "https://lore.kernel.org/linux-btrfs/d@x/", "Josef"), "https://lore.kernel.org/linux-btrfs/e@x/"), false, VetoPatch},
		{"a reply is about its own series", reply(lore(at("Re: [PATCH v3 4/5] RISC-V: Export few kernel symbols", 0), "https://lore.kernel.org/linux-riscv/r@x/", "Christoph"), "https://lore.kernel.org/linux-riscv/atish@x/"),
			lore(at("[PATCH v4 03/20] RISC-V: Export few kernel symbols", 30), "https://lore.kernel.org/linux-riscv/anup@x/", "Anup"), false, VetoReply},
		{"a reply and the next version", reply(lore(at("Re: [PATCH v5 00/42] idmapped mounts", 0), "https://lore.kernel.org/linux-api/r@x/", "Darrick"), "https://lore.kernel.org/linux-api/v5@x/"),
			lore(at("[PATCH v6 00/40] idmapped mounts", 30), "https://lore.kernel.org/linux-api/v6@x/", "Christian"), true, ReasonThread},
		{"version last in the subject", lore(at("[RFC][PATCH 0/8] Mount, FS, Block and Keyrings notifications [ver #2]", 0), "https://lore.kernel.org/linux-api/a@x/", "David Howells"),
			lore(at("[RFC][PATCH 00/10] Mount, FS, Block and Keyrings notifications [ver #3]", 40), "https://lore.kernel.org/linux-api/b@x/", "David Howells"), true, ReasonThread},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := SameStory(tc.a, tc.b)
			if got != tc.want || why != tc.why {
				t.Errorf("SameStory(%q, %q) = %v, %s; want %v, %s", tc.a.Title, tc.b.Title, got, why, tc.want, tc.why)
			}
			if got2, why2 := SameStory(tc.b, tc.a); got2 != got || why2 != why {
				t.Errorf("not symmetric: %v, %s", got2, why2)
			}
		})
	}
}

// series sets what the series extractor finds on it.
func series(it item.Item, changeID string, previous ...string) item.Item {
	it.Extracted.Series = &item.Series{ChangeID: changeID, Previous: previous}
	return it
}

func TestRepresentative(t *testing.T) {
	m := func(title string, prio int, hours float64) Member {
		return Member{Item: item.Item{Title: title}, Priority: prio, FirstSeen: day0.Add(time.Duration(hours * float64(time.Hour)))}
	}
	linked := func(title, link string, prio int, hours float64) Member {
		mb := m(title, prio, hours)
		mb.Item.Link = link
		return mb
	}
	tests := []struct {
		name    string
		members []Member
		want    int
	}{
		{"none", nil, -1},
		{"highest priority", []Member{m("HN", 20, 0), m("LWN", 85, 2), m("Phoronix", 60, 1)}, 1},
		{"tie: first seen", []Member{m("B", 50, 2), m("A", 50, 1)}, 1},
		{"tie: lower index", []Member{m("A", 50, 1), m("B", 50, 1)}, 0},
		{"newest series version", []Member{m("[PATCH v3 0/5] foo: bar", 10, 0), m("[PATCH v4 0/5] foo: bar", 10, 9), m("[PATCH 0/5] foo: bar", 90, -9)}, 1},
		{"a reply never represents", []Member{m("Re: Linux 6.18", 99, 0), m("Linux 6.18", 10, 1)}, 1},
		{"only replies", []Member{m("Re: x", 1, 1), m("Re: x", 2, 2)}, 1},
		// lore serves a series newest first, so its last patch may be
		// seen first: the cover letter still stands for it.
		{"the cover letter, not a numbered patch", []Member{m("[PATCH v2 4/4] btrfs: use x", 10, 0), m("[PATCH v2 0/4] btrfs: stop y", 10, 0),
			m("[PATCH v2 1/4] fs: export z", 10, 0), m("[PATCH 0/4] btrfs: stop y", 10, -99)}, 1},
		{"a single patch", []Member{m("[PATCH] x: y", 10, 1), m("Re: [PATCH] x: y", 10, 0)}, 0},
		{"a status note never represents", []Member{withEvent(m(`Patch "x: y" has been added to the 6.12-stable tree`, 50, 0)), m("[PATCH] x: y", 10, 1)}, 1},
		{"a report over kernel.org's record", []Member{
			linked("6.23: mainline", "https://www.kernel.org/", 100, 0),
			linked("Linux 6.23 released", "https://lwn.net/Articles/1000000/", 3, 1)}, 1},
		{"a report over a bare GitHub release", []Member{
			linked("1.71.0", "https://github.com/rust-lang/rust/releases/tag/1.71.0", 50, 0),
			linked("Rust 1.71.0 released", "https://lwn.net/Articles/937900/", 3, 1)}, 1},
		{"a report over an aggregator's post", []Member{
			linked("Linux 6.23 Released", "https://news.ycombinator.com/item?id=1", 90, 0),
			linked("Linux 6.23 is out", "https://www.phoronix.com/news/Linux-6.23", 10, 1)}, 1},
		{"records among themselves by priority", []Member{
			linked("6.23: mainline", "https://www.kernel.org/", 100, 1),
			linked("Linux 6.23 Released", "https://news.ycombinator.com/item?id=1", 90, 0)}, 0},
		{"a free copy over a subscriber-only report", []Member{
			linked("[$] A pair of workqueue improvements", "https://lwn.net/Articles/935039/", 90, 0),
			linked("A pair of workqueue improvements", "https://lwn.net/Articles/935039/", 3, 1)}, 1},
		{"a subscriber-only report over an aggregator's post", []Member{
			linked("A pair of workqueue improvements", "https://news.ycombinator.com/item?id=2", 3, 0),
			linked("[$] A pair of workqueue improvements", "https://lwn.net/Articles/935039/", 3, 1)}, 1},
		{"reports among themselves by priority", []Member{
			linked("Linux 6.23 released", "https://lwn.net/Articles/1/", 3, 0),
			linked("Announcing Linux 6.23", "https://lore.kernel.org/r/CAHk-6.23@mail.gmail.com", 100, 1)}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Representative(tc.members); got != tc.want {
				t.Errorf("Representative = %d, want %d", got, tc.want)
			}
		})
	}
}

func withEvent(m Member) Member {
	m.Item.Extracted.Event = &item.Event{State: item.StateStable}
	return m
}

// TestInReplyTo: a mail that answers another (Atom threading) is in its
// story whatever its subject, and a series' patches whose cover letter
// went to another list are one story through the parent they share.
func TestInReplyTo(t *testing.T) {
	cover := "https://lore.kernel.org/linux-btrfs/20260108141934.2052404-1-hch@lst.de/"
	a := item.Item{Title: "[PATCH 03/11] nfs: split nfs_update_timestamps", Author: "Christoph Hellwig", Published: day0,
		Link: "https://lore.kernel.org/linux-btrfs/20260108141934.2052404-4-hch@lst.de/", InReplyTo: cover}
	b := item.Item{Title: "[PATCH 06/11] fs: factor out a sync_lazytime helper", Author: "Christoph Hellwig", Published: day0.Add(2 * 24 * time.Hour),
		Link: "https://lore.kernel.org/linux-btrfs/20260108141934.2052404-7-hch@lst.de/", InReplyTo: cover}
	if ok, why := SameStory(a, b); !ok || why != ReasonIdentity {
		t.Errorf("siblings of one cover letter: %v, %s", ok, why)
	}
	parent := item.Item{Title: "[GIT PULL] Btrfs updates for 5.6", Link: "https://lore.kernel.org/linux-btrfs/cover.1580142284.git.dsterba@suse.com/", Published: day0}
	renamed := item.Item{Title: "Re: your pull request", Published: day0.Add(time.Hour), InReplyTo: parent.Link,
		Link: "https://lore.kernel.org/linux-btrfs/158025480492.16364.6553027097982015044.pr-tracker-bot@kernel.org/"}
	if ok, why := SameStory(parent, renamed); !ok || why != ReasonIdentity {
		t.Errorf("a reply under another subject: %v, %s", ok, why)
	}
}

// reply sets the mail it answers (Atom thr:in-reply-to).
func reply(it item.Item, parent string) item.Item {
	it.InReplyTo = parent
	return it
}
