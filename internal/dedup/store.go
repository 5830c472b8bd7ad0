package dedup

import (
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

// Clustering returns o with story clustering turned on by dedup's rules:
// the store does not import dedup, so whoever opens it (main, tests)
// injects them here, in one place. A story is represented by the member
// whose source ranks highest by priority (feeds.yaml); a nil priority
// ranks every source alike.
func Clustering(o store.Options, priority func(source string) int) store.Options {
	o.SameStory = Same
	// The prepared pair computes each item's features once per save, not
	// per candidate pair; it gives the same verdicts as Same.
	o.Prepare, o.SamePrepared = Prepared, SamePrepared
	// A story found only by its headline's words is merged into the one an
	// item joined only when the headline is all but the same.
	o.SameStrong = SameStrong
	o.Representative = RepresentativeBy(priority)
	o.IsReply = IsReply
	o.StoryWindow = Window
	return o
}

// Same is SameStory as store.Options.SameStory takes it: the reason is for
// tests and explanations, the store only needs the verdict.
func Same(a, b item.Item) bool {
	ok, _ := SameStory(a, b)
	return ok
}

// RepresentativeBy is Representative as store.Options.Representative takes
// it, ranking sources by priority (feeds.yaml `priority`) and ties by first
// seen.
func RepresentativeBy(priority func(source string) int) func(members []item.Item) int {
	return func(members []item.Item) int {
		ms := make([]Member, len(members))
		for i, it := range members {
			ms[i] = Member{Item: it, FirstSeen: it.FirstSeen}
			if priority != nil {
				ms[i].Priority = priority(it.Source)
			}
		}
		return Representative(ms)
	}
}

// Prepared is Prepare as store.Options.Prepare takes it.
func Prepared(it item.Item) any { return Prepare(it) }

// SamePrepared is SameStoryPrepared as store.Options.SamePrepared takes
// it: a and b come from Prepared.
func SamePrepared(a, b any) bool {
	ok, _ := SameStoryPrepared(a.(*Features), b.(*Features))
	return ok
}

// SameStrong is SameStoryStrong as store.Options.SameStrong takes it: a
// and b come from Prepared.
func SameStrong(a, b any) bool { return SameStoryStrong(a.(*Features), b.(*Features)) }
