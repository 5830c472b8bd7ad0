package extract

import (
	"slices"
	"strings"
	"testing"
)

func TestSubjectPrefixes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"[PATCH v2 3/7] net: phy: micrel: fix the LED", []string{"net/phy/micrel"}},
		{"[PATCH v3 3/8] PM / devfreq: imx: Register interconnect device", []string{"PM/devfreq/imx"}},
		{"[PATCH] bpf, x86: fix the JIT", []string{"bpf", "x86"}},
		{"Re: [PATCH] drm/amdgpu: fix a leak", []string{"drm/amdgpu"}},
		{"[RFC 03/10] x86/mm, mm,kernel: add teardown", []string{"x86/mm", "mm", "kernel"}},
		{"Re: btrfs: convert metadata from raid5 to raid1", []string{"btrfs"}},
		{"[PATCH] MAINTAINERS: mark the HFS filesystem as orphaned", []string{"MAINTAINERS"}},
		{"[PATCH net-next] [RFC] bpf: verifier: tweak", []string{"bpf/verifier"}},
		{"[GIT PULL] Rust for 6.14", []string{"Rust"}},
		{"[GIT PULL] Char/Misc/IIO driver updates for 6.14-rc1", []string{"Char/Misc/IIO"}},
		{"Re: [GIT PULL] sched_ext: changes for v6.14", []string{"sched_ext"}},
		{"[GIT PULL] \"quoted\" tree", nil},
		{"[PATCH] no prefix here", nil},
		{"Linux 6.17: what's new", nil},
		{"[MAINTAINERS SUMMIT] Maintainer burnout", nil},
		{"Re: Random memory corruption with v5.2", nil},
		{"a: b: c: d: e: f", []string{"a/b/c/d"}},
		{"a, b: c, d: e", []string{"a", "b"}},
		{"[PATCH without a closing bracket: x", nil},
		{"", nil},
	}
	for _, tc := range tests {
		if got := SubjectPrefixes(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("SubjectPrefixes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSubjectPrefixes(f *testing.F) {
	f.Add("[PATCH v2 3/7] net: phy: micrel: fix")
	f.Add("Re: x86/mm, mm: y")
	f.Fuzz(func(t *testing.T, s string) {
		got := SubjectPrefixes(s)
		for _, c := range got {
			if c == "" || strings.ContainsAny(c, " :,") {
				t.Errorf("SubjectPrefixes(%q) returned %q", s, c)
			}
		}
	})
}
