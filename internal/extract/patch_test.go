package extract

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestPatch(t *testing.T) {
	tests := []struct {
		in   string
		want *item.Patch
	}{
		{"[PATCH v3 02/11] rust: kernel: add foo", &item.Patch{Kind: "PATCH", Version: 3, Index: 2, Total: 11, Subsystem: "rust"}},
		{"[PATCH RFC net-next v2 0/5] net: phy: add Rust driver", &item.Patch{Kind: "RFC", Version: 2, Index: 0, Total: 5, Subsystem: "net"}},
		{"[GIT PULL] Rust for 6.14", &item.Patch{Kind: "GIT PULL"}},
		{"[RFC PATCH] mm: make folios larger", &item.Patch{Kind: "RFC", Subsystem: "mm"}},
		{"Re: [PATCH v2 1/3] drm/nova: add firmware loading", &item.Patch{Kind: "PATCH", Version: 2, Index: 1, Total: 3, Subsystem: "drm/nova"}},
		{"RE: Re: [PATCH] x86/mm: fix TLB flush", &item.Patch{Kind: "PATCH", Subsystem: "x86/mm"}},
		{"Re: (subset) [PATCH v4 0/4] procfs: make reference pidns more user-visible", &item.Patch{Kind: "PATCH", Version: 4, Total: 4, Subsystem: "procfs"}},
		{"Re: [f2fs-dev] [PATCH 00/24] vfs: require filesystems to explicitly opt-in to lease support", &item.Patch{Kind: "PATCH", Total: 24, Subsystem: "vfs"}},
		{"[PATCHv4 3/7] btrfs: fix scrub", &item.Patch{Kind: "PATCH", Version: 4, Index: 3, Total: 7, Subsystem: "btrfs"}},
		{"[PATCH 6.1 123/456] ext4: fix race", &item.Patch{Kind: "PATCH", Index: 123, Total: 456, Subsystem: "ext4"}},
		{"[PATCH RESEND] input: add driver", &item.Patch{Kind: "PATCH", Subsystem: "input"}},
		{"[GIT PULL] sched_ext: changes for v6.14", &item.Patch{Kind: "GIT PULL", Subsystem: "sched_ext"}},
		{"[PATCH bpf-next] [RFC] bpf: verifier: tweak", &item.Patch{Kind: "PATCH", Subsystem: "bpf"}},
		{"  [patch v1 1/1] Documentation: fix typo", &item.Patch{Kind: "PATCH", Version: 1, Index: 1, Total: 1, Subsystem: "Documentation"}},
		{`[PATCH] Revert "mm: foo"`, &item.Patch{Kind: "PATCH"}},
		// Not patch subjects.
		{"[$] Large folios for anonymous memory", nil},
		{"New Rust [PATCH] series posted for Nova", nil},
		{"Linus Torvalds merges the Rust patches", nil},
		{"[ANNOUNCE] v6.6-rt15", nil},
		{"[PATCH without a closing bracket", nil},
		{"Rust 1.83.0 released", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Patch(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Patch(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzPatch(f *testing.F) {
	for _, s := range []string{"[PATCH v3 02/11] rust: kernel: add foo", "Re: [RFC PATCH] mm: x",
		"[GIT PULL] Rust for 6.14", "[$] LWN", "[PATCHv9999 99999/1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Patch(s)
		if p == nil {
			return
		}
		switch p.Kind {
		case "PATCH", "RFC", "GIT PULL":
		default:
			t.Errorf("Patch(%q).Kind = %q", s, p.Kind)
		}
		if p.Version < 0 || p.Index < 0 || p.Total < 0 {
			t.Errorf("Patch(%q) = %+v: negative numbers", s, p)
		}
		if strings.ContainsAny(p.Subsystem, " \t:") {
			t.Errorf("Patch(%q).Subsystem = %q", s, p.Subsystem)
		}
	})
}
