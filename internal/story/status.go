package story

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// patch is the member's patch subject: the tagger's, else its title's.
func (m Member) patch() *item.Patch {
	if m.Patch != nil {
		return m.Patch
	}
	return extract.Patch(m.Title)
}

// Status is where the story's patch series or pull request stands, from
// what its members' mails say: each version posted (vN, N patches, by
// whom), the review trailers given, and every status a maintainer or bot
// announced (applied, merged, added to or failed for a stable tree),
// newest first. Nil for a story with no patch mail.
func (s *Story) Status() *item.Status {
	return statusOf(s.Members)
}

// ItemStatus is the status of an item that is a story of its own (a
// patch nobody answered yet), nil for anything else.
func ItemStatus(it item.Item) *item.Status {
	return statusOf([]Member{memberOf(it)})
}

func statusOf(members []Member) *item.Status {
	type version struct {
		first, named Member // the earliest post, the cover letter or single patch
		patches      int
	}
	var order []int
	versions := map[int]*version{}
	var st item.Status
	var reviewed time.Time
	for _, m := range members {
		if m.Alias {
			continue
		}
		if p := m.patch(); p != nil && !m.Reply && m.Event == nil {
			v := max(p.Version, 1)
			if p.Kind == "GIT PULL" {
				v = 0 // a pull request has no versions or patches
			}
			ver := versions[v]
			if ver == nil {
				ver = &version{first: m}
				versions[v] = ver
				order = append(order, v)
			}
			if m.Published.Before(ver.first.Published) {
				ver.first = m
			}
			if p.Index == 0 && ver.named.Key == "" {
				ver.named = m
			}
			if v > 0 {
				ver.patches = max(ver.patches, p.Total, 1)
			}
		}
		if m.Event != nil {
			e := *m.Event
			e.When, e.Message = m.Published, m.Link
			if e.Who == "" && !isBot(m.Author) {
				e.Who = m.Author
			}
			st.Events = append(st.Events, e)
		}
		for _, r := range m.Reviews {
			if !slices.Contains(st.Reviews, r) {
				st.Reviews = append(st.Reviews, r)
				reviewed = later(reviewed, m.Published)
			}
		}
	}
	if len(order) == 0 && len(st.Events) == 0 {
		return nil
	}
	for _, v := range order {
		ver := versions[v]
		named := ver.named
		if named.Key == "" {
			named = ver.first
		}
		st.Events = append(st.Events, item.Event{State: item.StatePosted, Version: v, Patches: ver.patches,
			Who: named.Author, When: ver.first.Published, Message: named.Link, Text: named.Title})
	}
	if len(st.Reviews) > 0 {
		var who []string
		for _, r := range st.Reviews {
			if !slices.Contains(who, r.Who) {
				who = append(who, r.Who)
			}
		}
		st.Events = append(st.Events, item.Event{State: item.StateReviewed, When: reviewed, Who: strings.Join(who, ", ")})
	}
	slices.SortStableFunc(st.Events, func(a, b item.Event) int {
		if c := b.When.Compare(a.When); c != 0 {
			return c
		}
		return cmp.Compare(stateRank(b.State), stateRank(a.State))
	})
	return &st
}

// stateRank orders states of one instant: the later in a patch's life
// first.
func stateRank(s string) int {
	return slices.Index([]string{item.StatePosted, item.StateReviewed, item.StateApplied,
		item.StateMerged, item.StateStableFailed, item.StateStable}, s)
}

// isBot reports whether a mail's author is one of kernel.org's bots
// (pr-tracker-bot, patchwork-bot+netdevbpf): they announce, someone else
// did it.
func isBot(author string) bool {
	a := strings.ToLower(author)
	return strings.Contains(a, "bot+") || strings.HasSuffix(a, "-bot") || strings.HasSuffix(a, " bot") || strings.HasPrefix(a, "patchwork-bot")
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
