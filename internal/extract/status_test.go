package extract

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestStatusLines holds lines from lore archives (linux-arm-kernel,
// linux-btrfs, linux-xfs, netfilter-devel, linux-riscv), the ones a
// status must be read from and the prose around them that must not.
func TestStatusLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Applied to `rust-next` -- thanks everyone!", []string{"Applied to rust-next"}},
		{"Applied to arm64 (for-next/acpi), thanks!", []string{"Applied to arm64 (for-next/acpi)"}},
		{"Applied to mediatek-drm-next [1], thanks.", []string{"Applied to mediatek-drm-next"}},
		{"Applied to the vfs-7.0.btrfs branch of the vfs/vfs.git tree.\nPatches in the vfs-7.0.btrfs branch should appear in linux-next soon.",
			[]string{"Applied to vfs/vfs.git (vfs-7.0.btrfs)"}},
		{"Applied to the review-ilpo-next branch.", []string{"Applied to review-ilpo-next"}},
		{"Applied to linux-kbuild now.\nThanks.", []string{"Applied to linux-kbuild"}},
		{"Applied on stm32-next.", []string{"Applied to stm32-next"}},
		{"Queued in the cxl-next tree.", []string{"Applied to cxl-next"}},
		{"Applied to\n\n   https://git.kernel.org/pub/scm/linux/kernel/git/broonie/sound.git for-5.8\n\nThanks!",
			[]string{"Applied to broonie/sound.git (for-5.8)"}},
		{"Applied to\n\n   local tree regulator/for-5.7\n", []string{"Applied to regulator/for-5.7"}},
		{"Applied, thanks!", []string{"Applied"}},
		{"Thanks, applied,", []string{"Applied"}},
		{"applied to mips-next.", []string{"Applied to mips-next"}},
		{"Hello:\n\nThis series was applied to netdev/net-next.git (master)\nby Pablo Neira Ayuso <pablo@netfilter.org>:\n",
			[]string{"This series was applied to netdev/net-next.git (master) by Pablo Neira Ayuso"}},
		{"The pull request you sent on Mon, 27 Jan 2020 17:30:48 +0100:\n\n> git://git.kernel.org/pub/scm/linux/kernel/git/kdave/linux.git for-5.6-tag\n\nhas been merged into torvalds/linux.git:\nhttps://git.kernel.org/torvalds/c/81a046b18b33\n",
			[]string{"has been merged into torvalds/linux.git"}},
		{`Patch "btrfs: fix periodic reclaim condition" has been added to the 6.18-stable tree`,
			[]string{`Patch "btrfs: fix periodic reclaim condition" has been added to the 6.18-stable tree`}},
		{`FAILED: patch "[PATCH] btrfs: fix periodic reclaim condition" failed to apply to 6.6-stable tree`,
			[]string{`FAILED: patch "[PATCH] btrfs: fix periodic reclaim condition" failed to apply to 6.6-stable tree`}},
		// Prose.
		{"applied, unless that document is changed as well.", nil},
		{"applied to any older kernel releases.  To properly fix this, please", nil},
		{"applied to a tree that isn't in -next you still see the bug in -next", nil},
		{"Applied version contains this:", nil},
		{"picked up.", nil},
		{"applied cleanly.", nil},
		{"> Applied to for-next, thanks!", nil},
	}
	for _, tc := range tests {
		if got := StatusLines(MailText(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("StatusLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(tc.want) > 0 && !mayStatus(tc.in) {
			t.Errorf("mayStatus(%q) = false", tc.in)
		}
	}
}

func TestStatusOf(t *testing.T) {
	reply := "Re: [PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry"
	tests := []struct {
		name, subject string
		found         []string
		want          *item.Event
		patch         string
	}{
		{"maintainer", reply, []string{"Applied to vfs/vfs.git (vfs-7.0.btrfs)"},
			&item.Event{State: item.StateApplied, Tree: "vfs/vfs.git (vfs-7.0.btrfs)", Text: "Applied to vfs/vfs.git (vfs-7.0.btrfs)"}, ""},
		{"no tree", reply, []string{"Applied"}, &item.Event{State: item.StateApplied, Text: "Applied"}, ""},
		{"patchwork-bot", "Re: [PATCH net-next 01/32] netfilter: x", []string{"This series was applied to netdev/net-next.git (master) by Pablo Neira Ayuso"},
			&item.Event{State: item.StateApplied, Tree: "netdev/net-next.git (master)", Who: "Pablo Neira Ayuso",
				Text: "This series was applied to netdev/net-next.git (master) by Pablo Neira Ayuso"}, ""},
		{"pr-tracker-bot", "Re: [GIT PULL] Btrfs updates for 5.6", []string{"has been merged into torvalds/linux.git"},
			&item.Event{State: item.StateMerged, Tree: "torvalds/linux.git", Text: "has been merged into torvalds/linux.git"}, ""},
		{"stable", `Patch "x: fix y" has been added to the 6.12-stable tree`, []string{`Patch "x: fix y" has been added to the 6.12-stable tree`},
			&item.Event{State: item.StateStable, Tree: "6.12-stable", Text: `Patch "x: fix y" has been added to the 6.12-stable tree`}, "x: fix y"},
		{"maintainer tree note", `patch "usb: fix z" added to usb-testing`, []string{`patch "usb: fix z" added to usb-testing`},
			&item.Event{State: item.StateApplied, Tree: "usb-testing", Text: `patch "usb: fix z" added to usb-testing`}, "usb: fix z"},
		{"stable failed", `FAILED: patch "[PATCH] x: fix y" failed to apply to 6.6-stable tree`, []string{`FAILED: patch "[PATCH] x: fix y" failed to apply to 6.6-stable tree`},
			&item.Event{State: item.StateStableFailed, Tree: "6.6-stable", Text: `FAILED: patch "[PATCH] x: fix y" failed to apply to 6.6-stable tree`}, "[PATCH] x: fix y"},
		// A patch quoting its changelog says nothing; a stable note
		// quoted in another mail's body is not that mail's subject.
		{"not a reply", "[PATCH v3] x: fix y", []string{"Applied"}, nil, ""},
		{"quoted note", "Re: stable tree question", []string{`Patch "x" has been added to the 6.12-stable tree`}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, patch := StatusOf(tc.found, tc.subject)
			switch {
			case (got == nil) != (tc.want == nil):
				t.Fatalf("StatusOf = %+v, want %+v", got, tc.want)
			case got != nil && *got != *tc.want:
				t.Errorf("StatusOf = %+v, want %+v", *got, *tc.want)
			}
			if patch != tc.patch {
				t.Errorf("patch subject = %q, want %q", patch, tc.patch)
			}
		})
	}
	if got := StableNote(`Patch "x: fix y" has been added to the 6.12-stable tree`); got != "x: fix y" {
		t.Errorf("StableNote = %q", got)
	}
	if got := StableNote("[PATCH] x: fix y"); got != "" {
		t.Errorf("StableNote of a patch = %q", got)
	}
}

func FuzzStatusLines(f *testing.F) {
	for _, s := range []string{"Applied to `rust-next`, thanks!", "Applied to\n\nlocal tree x", "This series was applied to a\nby B <b@x>:",
		`Patch "x" has been added to the 6.1-stable tree`, "applied to the x branch of the y tree"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found := StatusLines(s)
		ev, _ := StatusOf(found, "Re: "+s)
		if len(found) == 0 && ev != nil {
			t.Fatalf("StatusOf made an event from nothing: %+v", ev)
		}
		if ev != nil && ev.State == "" {
			t.Fatalf("event without a state from %q", s)
		}
	})
}
