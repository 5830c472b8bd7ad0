package tageval

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestArchSupportAndCPUFlawCases: Linux itself dropping or preparing a
// CPU's support is architectures (platform support and its removal), a
// distribution or an application doing so is not; a speculative-execution
// attack named in the title is kernel security on its name alone.
func TestArchSupportAndCPUFlawCases(t *testing.T) {
	headline := func(title string) item.Item { return item.Item{Title: title, Link: "https://example.org/story"} }
	const arch, sec = "architectures", "security"
	tests := []struct {
		it        item.Item
		want, not []string
	}{
		{headline("Linux drops support for i486"), []string{arch}, nil},
		{headline("Linux removes support for the Alpha EV4"), []string{arch}, nil},
		{headline("Linux to remove support for old ARM boards"), []string{arch}, nil},
		{headline("AMD Zen 6 support being prepared for Linux"), nil, nil},
		{headline("Ubuntu drops support for i386 packages on Linux"), nil, []string{arch}},
		{headline("Steam for Linux drops support for 32-bit x86"), nil, []string{arch}},
		{headline("Firefox ends support for 32-bit Linux on x86"), nil, []string{arch}},
		{headline("Linux Mint drops support for 32-bit x86"), nil, []string{arch}},
		{headline("Retbleed: arbitrary speculative code execution"), []string{sec}, nil},
		{headline("Zenbleed leaks registers across processes"), []string{sec}, nil},
		{headline("Branch History Injection hits Intel CPUs again"), []string{sec}, nil},
		{headline("Inception review: a dream within a dream"), nil, []string{sec}},
	}
	_, tg := shipped(t)
	for _, tc := range tests {
		it := tc.it
		tg.Tag(&it, "case", nil)
		for _, w := range tc.want {
			if !it.HasTopic(w) {
				t.Errorf("%q: topics %q, want %s (matched %v)", tc.it.Title, it.Topics, w, it.Matched)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(it.Topics, n) {
				t.Errorf("%q: filed under %s by %+v, want not", tc.it.Title, n, it.Matched[n])
			}
		}
	}
}
