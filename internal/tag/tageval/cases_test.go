package tageval

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestCases checks the shipped rules on items written for each kind of
// news the topics must hold on (issue 13's classes): a lore mail filed by
// its list, release news in press wording, security vocabulary,
// maintainers as people, architectures by name, and short aggregator
// headlines with no summary. want must all be among the item's topics,
// not none of them.
func TestCases(t *testing.T) {
	lore := func(list, subject string) item.Item {
		return item.Item{Title: subject, Link: "https://lore.kernel.org/" + list + "/20260101.1@example.org/"}
	}
	headline := func(title string) item.Item { return item.Item{Title: title, Link: "https://example.org/story"} }
	tests := []struct {
		it        item.Item
		want, not []string
	}{
		// The list says the subsystem, unless the subject says more.
		{lore("netdev", "Re: question about GRO on veth"), []string{"networking"}, []string{"patches"}},
		{lore("linux-arm-kernel", "Re: boot hang on the Rock 5B"), []string{"architectures"}, nil},
		{lore("linux-riscv", "[PATCH v2 1/3] riscv: add Zicbom support"), []string{"architectures", "patches"}, nil},
		{lore("linux-mm", "Re: what happened to the LRU lock"), []string{"memory-management"}, nil},
		{lore("linux-fsdevel", "[PATCH] vfs: fix a d_path race"), []string{"filesystems", "patches"}, nil},
		{lore("bpf", "[PATCH bpf-next] selftests/bpf: add a test"), []string{"bpf", "patches"}, nil},
		{lore("rust-for-linux", "Re: pinned initialisation questions"), []string{"rust-for-linux"}, nil},
		{lore("linux-kernel", "Re: something about timers"), nil, []string{"networking", "filesystems", "drivers"}},
		{lore("linux-kernel", "[PATCH] mm: shrink the LRU lock hold time"), []string{"memory-management", "patches"}, nil},
		{lore("linux-kernel", "[PATCH] drm/amdgpu: fix a leak"), []string{"drivers", "patches"}, nil},
		{lore("linux-kernel", "[GIT PULL] Networking for v7.1-rc3"), []string{"networking", "patches"}, []string{"releases"}},
		{lore("linux-cve-announce", "CVE-2026-12345: net: sched: fix a use-after-free"), []string{"security", "networking"}, nil},
		{lore("linux-kernel", "[PATCH 6.6 000/123] 6.6.30-rc1 review"), []string{"releases", "patches"}, nil},
		// Press wording of releases; a feature landing is not a release.
		{headline("Linux Kernel 7.2 Officially Released"), []string{"releases"}, nil},
		{headline("Linux 7.1 Announced"), []string{"releases"}, nil},
		{headline("What's new in Linux 7.4"), []string{"releases"}, nil},
		{headline("The Linux 7.3 changelog"), nil, nil},
		{headline("Linux 6.18 is this year's LTS kernel"), []string{"releases"}, nil},
		{headline("Linux 6.1 reaches end of life"), []string{"releases"}, nil},
		{headline("Intel's new GPU driver will land in Linux 7.2"), []string{"drivers"}, []string{"releases"}},
		// Security vocabulary.
		{headline("Linux kernel use-after-free lets local users gain root"), []string{"security"}, nil},
		{headline("Local privilege escalation in the Linux kernel's io_uring"), []string{"security"}, nil},
		{headline("New speculative-execution attack leaks kernel memory on Intel CPUs"), []string{"security"}, nil},
		{headline("Defeating KASLR on arm64"), []string{"security"}, nil},
		{headline("Chrome zero-day exploited in the wild"), nil, []string{"security"}},
		{headline("Critical flaw in a WordPress plugin"), nil, []string{"security"}},
		// Maintainers as people and governance.
		{headline("Torvalds on Rust: it is not going away"), []string{"maintainers"}, nil},
		{headline("Kroah-Hartman says new drivers should be written in Rust"), []string{"maintainers"}, nil},
		{headline("bcachefs maintainer steps down"), []string{"maintainers", "filesystems"}, nil},
		{headline("Red Hat loses another veteran kernel developer"), []string{"maintainers"}, nil},
		{headline("Greg Kroah-Hartman releases Linux 6.12.5"), []string{"releases"}, []string{"maintainers"}},
		// Architectures by name, with kernel context.
		{headline("LoongArch gains KVM support in Linux 7.1"), []string{"architectures"}, nil},
		{headline("Linux 7.2 drops the Itanium port"), []string{"architectures"}, nil},
		{headline("RISC-V single-board computer for 40 euros"), nil, []string{"architectures"}},
		// Rust, in and out of the kernel; rust that is not Rust.
		{headline("Announcing Rust 1.95.0"), []string{"rust"}, []string{"rust-for-linux"}},
		{headline("A fast JSON parser in Rust"), []string{"rust"}, nil},
		{headline("Nova, the Rust GPU driver, merged for Linux 7.2"), []string{"rust-for-linux", "drivers"}, []string{"rust"}},
		{headline("How to remove rust from cast iron"), nil, []string{"rust", "rust-for-linux"}},
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
