package dedup

import (
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Member is one item of a story, with what Representative ranks it by.
type Member struct {
	Item item.Item
	// Priority is the source's feeds.yaml priority (higher wins).
	Priority int
	// FirstSeen is when kernelwire first stored the item.
	FirstSeen time.Time
}

// Representative returns the index of the member that stands for the
// story in curated feeds, -1 for none. Replies and status notes (a
// maintainer's or bot's mail saying a patch was applied, merged or added
// to stable) never represent a story that has a post of its own. Among
// the rest:
//   - a patch series (members carrying patch subjects of different
//     versions) is represented by its newest version, since that is the
//     one reviewers act on; ties as below;
//   - among patch mails, a cover letter or a single patch ("[PATCH v2
//     0/4]", "[PATCH v2]") stands for its series, never one of its
//     numbered patches;
//   - a report (a news article, an announcement) comes before a bare
//     release record ("6.23: mainline" linking to kernel.org's home page,
//     a GitHub release titled "1.71.0") and an aggregator's post: its
//     title, link and summary tell the reader most; the record stays in
//     the story as coverage;
//   - a free report comes before a subscriber-only one (LWN's "[$] ..."
//     titles): when LWN makes an article free, about a week later, a copy
//     of it that a reader can open heads the story;
//   - then the highest source priority wins, ties going to the first
//     seen, then to the lower index so the choice is deterministic.
func Representative(members []Member) int {
	// What better compares is computed once per member, not once per
	// comparison: a story of a long thread re-elects its representative
	// over hundreds of members at every save that adds one.
	ranks := make([]rank, len(members))
	series, first := false, -1
	nonReply := false
	for i, m := range members {
		r := &ranks[i]
		r.patch = patchOf(m.Item)
		r.note = isNote(m.Item)
		r.report = isReport(m.Item)
		r.free = !SubscriberOnly(m.Item.Title)
		if !r.note {
			nonReply = true
		}
		if r.patch != nil {
			v := max(r.patch.Version, 1)
			if first >= 0 && v != first {
				series = true
			}
			first = v
		}
	}
	best := -1
	for i := range members {
		if nonReply && ranks[i].note {
			continue
		}
		if best < 0 || better(&members[i], &members[best], &ranks[i], &ranks[best], series) {
			best = i
		}
	}
	return best
}

// rank is what better compares of a member besides its priority and first
// sighting: computed from its item once per Representative.
type rank struct {
	patch  *item.Patch
	note   bool // a reply or a status note (isNote)
	report bool // isReport
	free   bool // not subscriber-only
}

// isNote reports whether it answers another post: a reply, or a status
// note about a patch.
func isNote(it item.Item) bool {
	return IsReply(it) || it.Extracted.Event != nil
}

// better reports whether a (ranked ra) ranks strictly above b (rb).
func better(a, b *Member, ra, rb *rank, series bool) bool {
	if series {
		va, vb := versionOf(ra.patch), versionOf(rb.patch)
		if va != vb {
			return va > vb
		}
	}
	if pa, pb := ra.patch, rb.patch; pa != nil && pb != nil && (pa.Index == 0) != (pb.Index == 0) {
		return pa.Index == 0
	}
	if ra.report != rb.report {
		return ra.report
	}
	if ra.free != rb.free {
		return ra.free
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.FirstSeen.Before(b.FirstSeen)
}

// versionOf is the patch version of an item whose patch subject is p: v1
// when unnumbered, 0 when it is no patch (so a news article never outranks
// the series' newest mail).
func versionOf(p *item.Patch) int {
	if p == nil {
		return 0
	}
	return max(p.Version, 1)
}

// isReport reports whether it is a report a reader can read: neither an
// aggregator's post nor a bare release record.
func isReport(it item.Item) bool {
	if aggregatorHost(linkHost(it.Link)) {
		return false
	}
	// kernel.org's kdist links every release to its home page.
	if it.Link != "" && IdentityURL(it.Link) == "" {
		return false
	}
	return !bareRelease(it.Title)
}

// channelWords may follow a version in a bare release record's title:
// kdist's "6.13-rc2: mainline", "6.12.5: stable", "next-20251201".
var channelWords = map[string]bool{"mainline": true, "stable": true, "longterm": true, "eol": true, "next": true, "linux": true}

// bareRelease reports whether title is only versions and channel words.
func bareRelease(title string) bool {
	ws := words(title)
	version := false
	for _, w := range ws {
		switch {
		case isVersionWord(w) || isDigit(w[0]):
			version = true
		case !channelWords[w]:
			return false
		}
	}
	return version
}

// SubscriberOnly reports whether title marks an article for subscribers
// only: LWN's "[$] " prefix, until LWN makes the article free.
func SubscriberOnly(title string) bool {
	return strings.HasPrefix(strings.TrimSpace(title), "[$]")
}
