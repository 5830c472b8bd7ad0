package extract

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestKernelVersions(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Linux 6.13-rc1 released", []string{"6.13-rc1"}},
		{"Greg Kroah-Hartman releases 6.12.5", []string{"6.12.5"}},
		{"Linux 6.13", []string{"6.13"}},
		{"Tag v6.14 pushed", []string{"6.14"}},
		{"5.15.180", []string{"5.15.180"}},
		{"5.7-rc4: mainline", []string{"5.7-rc4"}},
		{"5.7: mainline", []string{"5.7"}},
		{"4.19.121: longterm", []string{"4.19.121"}},
		{"Kernel prepatch 4.12-rc2", []string{"4.12-rc2"}},
		{"Stable kernels 4.4.4, 3.14.63, and 3.10.99", []string{"4.4.4", "3.14.63", "3.10.99"}},
		{"The first half of the 7.2 merge window", []string{"7.2"}},
		{"EXT4 Shows Wild Gains In Linux 6.17", []string{"6.17"}},
		{"linux-6.12.5.tar.xz", []string{"6.12.5"}},
		{"the 2.6.32 kernel and Linux 2.6.32", []string{"2.6.32"}},
		{"Linux 6.1 and Linux 6.1", []string{"6.1"}},
		// Negatives.
		{"192.168.1.1", nil},
		{"ping 10.0.0.1 or 4.4.4.4", nil},
		{"Announcing Rust 1.83.0", nil},
		{"Rust 1.83 released", nil},
		{"Firefox 133 is out", nil},
		{"Git 2.55.0 released", nil},
		{"KDE Plasma 6.5.3 bugfix", nil},
		{"Mesa 25.2-rc3 Released", nil},
		{"Wine 9.0-rc1 is out", nil},
		{"Ubuntu 24.04 LTS and Ubuntu 18.04", nil},
		{"Python 3.13.1", nil},
		{"on 05.12.2024 and 2024.12.05", nil},
		{"version 6.12abc", nil},
		{"Plasma 6.5 lands", nil},
		{"libfoo v2.3 tagged", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := KernelVersions(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("KernelVersions(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzKernelVersions(f *testing.F) {
	for _, s := range []string{"Linux 6.13-rc1", "Stable kernels 4.4.4, 3.14.63, and 3.10.99",
		"192.168.1.1", "Rust 1.83.0", "v6.14", "5.7: mainline", "linux-6.12.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range KernelVersions(s) {
			// Every result must appear in the input, normalised.
			if !strings.Contains(strings.ToLower(s), v) {
				t.Errorf("KernelVersions(%q) returned %q, not in input", s, v)
			}
			if strings.HasPrefix(v, "v") || strings.Count(v, ".") > 2 || strings.Count(v, ".") < 1 {
				t.Errorf("KernelVersions(%q) returned malformed %q", s, v)
			}
		}
		for _, c := range CVEs(s) {
			if !strings.HasPrefix(c, "CVE-") || !strings.Contains(strings.ToUpper(s), c) {
				t.Errorf("CVEs(%q) returned %q", s, c)
			}
		}
	})
}

// versionScan is the unanchored regexp versionMatches replaces; it stays
// here as the reference the fast scan must agree with.
var versionScan = regexp.MustCompile(`(?:^|[^\w.])([vV])?(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?(-[rR][cC]\d{1,2})?`)

var versionSeeds = []string{
	"Linux 6.13-rc1 released", "v6.14 and V5.4.2", "192.168.1.1", "1.2.3.4.5", "xv6.1 v6.1",
	"a12.5 (12.5) 123.4", "é6.1 ü5.4.3-rc2", "6.1.2.3-rc1", "5.7-rc4: mainline", "..6.1", "6.12abc 6.1_2",
	"\xff6.1", "6.1v6.2 6.1 6.2", "-v6.1", "kernels 4.4.4, 3.14.63, and 3.10.99",
}

func TestVersionMatches(t *testing.T) {
	for _, s := range versionSeeds {
		checkVersionMatches(t, s)
	}
}

func FuzzVersionMatches(f *testing.F) {
	for _, s := range versionSeeds {
		f.Add(s)
	}
	f.Fuzz(checkVersionMatches)
}

func checkVersionMatches(t *testing.T, s string) {
	want := versionScan.FindAllStringSubmatchIndex(s, -1)
	got := versionMatches(s)
	if len(got) != len(want) {
		t.Fatalf("versionMatches(%q) = %v, want %v", s, got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("versionMatches(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestMayHoldVersion(t *testing.T) {
	for s, want := range map[string]bool{"Linux <b>6.13</b>": true, "v6.1": true, "no numbers.": false, "a.b 6.": false, "": false, ".5": false} {
		if got := mayHoldVersion(s); got != want {
			t.Errorf("mayHoldVersion(%q) = %v, want %v", s, got, want)
		}
		if !mayHoldVersion(s) && len(KernelVersions(s)) > 0 {
			t.Errorf("mayHoldVersion(%q) is false, KernelVersions finds %q", s, KernelVersions(s))
		}
	}
}
