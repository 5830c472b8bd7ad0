package parse

import (
	"os"
	"testing"
	"time"
)

// TestInReplyTo reads RFC 4685 threading from a real lore feed: the reply
// names its parent mail, the pull request nothing.
func TestInReplyTo(t *testing.T) {
	body, err := os.ReadFile("testdata/lore-btrfs_pull-merged_2020-01-28.atom")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(body, "application/atom+xml", "https://lore.kernel.org/linux-btrfs/new.atom", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range f.Items {
		got[it.Title] = it.InReplyTo
	}
	if got["[GIT PULL] Btrfs updates for 5.6"] != "" {
		t.Errorf("the pull request answers %q", got["[GIT PULL] Btrfs updates for 5.6"])
	}
	want := "https://lore.kernel.org/linux-btrfs/cover.1580142284.git.dsterba@suse.com/"
	if r := got["Re: [GIT PULL] Btrfs updates for 5.6"]; r != want {
		t.Errorf("the reply answers %q, want its parent", r)
	}
}
