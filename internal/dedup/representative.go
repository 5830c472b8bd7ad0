package dedup

import (
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
//   - otherwise the highest source priority wins, ties going to the first
//     seen, then to the lower index so the choice is deterministic.
func Representative(members []Member) int {
	best := -1
	series := isSeries(members)
	nonReply := false
	for _, m := range members {
		if !isNote(m.Item) {
			nonReply = true
			break
		}
	}
	for i, m := range members {
		if nonReply && isNote(m.Item) {
			continue
		}
		if best < 0 || better(m, members[best], series) {
			best = i
		}
	}
	return best
}

// isSeries reports whether members hold more than one version of a patch.
func isSeries(members []Member) bool {
	first := -1
	for _, m := range members {
		p := patchOf(m.Item)
		if p == nil {
			continue
		}
		v := max(p.Version, 1)
		if first >= 0 && v != first {
			return true
		}
		first = v
	}
	return false
}

// isNote reports whether it answers another post: a reply, or a status
// note about a patch.
func isNote(it item.Item) bool {
	return IsReply(it) || it.Extracted.Event != nil
}

// better reports whether a ranks strictly above b.
func better(a, b Member, series bool) bool {
	if series {
		va, vb := patchVersion(a.Item), patchVersion(b.Item)
		if va != vb {
			return va > vb
		}
	}
	if pa, pb := patchOf(a.Item), patchOf(b.Item); pa != nil && pb != nil && (pa.Index == 0) != (pb.Index == 0) {
		return pa.Index == 0
	}
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.FirstSeen.Before(b.FirstSeen)
}

// patchVersion is the item's patch version: v1 when unnumbered, 0 when it
// is no patch (so a news article never outranks the series' newest mail).
func patchVersion(it item.Item) int {
	p := patchOf(it)
	if p == nil {
		return 0
	}
	return max(p.Version, 1)
}
