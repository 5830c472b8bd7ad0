package storetest

import (
	"testing"

	"github.com/kernelwire/kernelwire/internal/store"
)

// testCoverageComments checks that a report's comment count reaches the
// coverage its story lists (Related.Comments), and the representative
// keeps its own.
func testCoverageComments(t *testing.T, open Opener) {
	e := newEnv(t, open, StoryOptions(storyPriorities))
	lwn := report("lwn", "Linux 6.17 released", "https://lwn.net/Articles/5/", 2*hour, "releases")
	lwn.Comments = 12
	hn := report("hn", "Linux 6.17 released", "https://lwn.net/Articles/5/", hour)
	hn.Comments = 142
	e.saveSrc(t, lwn)
	e.saveSrc(t, hn)
	items := e.items(t, store.Query{})
	if len(items) != 1 {
		t.Fatalf("%d stories, want 1", len(items))
	}
	rep := items[0]
	if rep.Source != "lwn" || rep.Comments != 12 {
		t.Errorf("representative %s with %d comments, want lwn with 12", rep.Source, rep.Comments)
	}
	if len(rep.Related) != 1 || rep.Related[0].Source != "hn" || rep.Related[0].Comments != 142 {
		t.Errorf("coverage %+v, want hn with 142 comments", rep.Related)
	}
}
