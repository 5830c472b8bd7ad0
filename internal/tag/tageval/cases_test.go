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
	tests := []topicCase{
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

		// Issue 13, second pass: each class with wording the first pass
		// did not hold on. The list says the subsystem for every list of
		// the table, reply or not, whatever the subject.
		{lore("linux-wireless", "Re: firmware crash after resume"), []string{"networking"}, []string{"patches"}},
		{lore("linux-block", "Re: hang in blk_mq_freeze_queue"), []string{"filesystems"}, nil},
		{lore("linuxppc-dev", "Re: boot failure on a G5"), []string{"architectures"}, nil},
		{lore("linux-s390", "[PATCH] s390/boot: drop dead code"), []string{"architectures", "patches"}, nil},
		{lore("loongarch", "Re: question about the LSX context"), []string{"architectures"}, nil},
		{lore("linux-usb", "Re: device not enumerated"), []string{"drivers"}, nil},
		{lore("ksummit", "Re: the state of review in 2026"), []string{"maintainers"}, nil},
		{lore("linux-api", "[PATCH v3 2/5] mount: add a flag to move_mount()"), []string{"filesystems", "patches"}, nil},
		{lore("linux-api", "[PATCH] mseal: allow sealing of the vDSO"), []string{"memory-management", "patches"}, nil},
		{lore("linux-kernel", "CVE-2026-4242"), []string{"security"}, nil},
		// A prefix naming two subsystems gives both.
		{lore("linux-kernel", "[PATCH v2 3/7] bpf,landlock: add an inode map"), []string{"bpf", "security", "patches"}, nil},
		{lore("linux-kernel", "[PATCH 2/2] fsdax,xfs: handle a failed page"), []string{"filesystems", "patches"}, nil},
		{lore("linux-kernel", "[PATCH] macb: fix the TX timestamp"), []string{"networking", "patches"}, nil},
		// Press wording of releases.
		{headline("Linux 7.2 Released With New Hardware Support"), []string{"releases"}, nil},
		{headline("Linus Torvalds Announces Linux 7.3-rc1"), []string{"releases"}, nil},
		{headline("Linux 7.3 Is Out: Here Are the Main Changes"), []string{"releases"}, nil},
		{headline("Linux 7.4 release: main changes, Arm, RISC-V and MIPS architectures"), []string{"releases"}, nil},
		{headline("Linux kernel 6.12 reaches its end of life in December"), []string{"releases"}, nil},
		{headline("Greg Kroah-Hartman picks 7.1 as the next long-term support kernel"), []string{"releases"}, nil},
		{headline("New stable kernels 7.1.4 and 6.18.22"), []string{"releases"}, nil},
		{headline("Intel prepares Nova Lake support ahead of Linux 7.3"), nil, []string{"releases"}},
		// Security vocabulary, titles alone.
		{headline("Linux kernel flaw lets attackers escalate privileges"), []string{"security"}, nil},
		{headline("Exploiting a race in the Linux kernel's pipe code"), []string{"security"}, nil},
		{headline("New Linux rootkit hides in io_uring"), []string{"security"}, nil},
		{headline("Heap spraying the Linux kernel for fun and profit"), []string{"security"}, nil},
		{headline("Out-of-bounds write in ksmbd allows remote code execution"), []string{"security"}, nil},
		{headline("A double free in nftables gives root on Ubuntu"), []string{"security", "networking"}, nil},
		{headline("Memory tagging comes to the Linux kernel on arm64"), []string{"security"}, nil},
		{headline("Linux kernel patches a local root hole in the USB stack"), []string{"security"}, nil},
		{headline("CVE-2026-31337 in the Linux netfilter subsystem"), []string{"security", "networking"}, nil},
		{headline("Firefox 150 fixes 12 vulnerabilities"), nil, []string{"security"}},
		// Maintainers: people and governance.
		{headline("Linus Torvalds on AI-written patches"), []string{"maintainers"}, nil},
		{headline("Linus Torvalds: Rust in the kernel is no longer an experiment"), []string{"maintainers"}, nil},
		{headline("Greg Kroah-Hartman wants new drivers written in Rust"), []string{"maintainers"}, nil},
		{headline("Ext4 maintainer Ted Ts'o hands the tree to a new co-maintainer"), []string{"maintainers"}, nil},
		{headline("Kernel developer offers to maintain the orphaned floppy driver"), []string{"maintainers"}, nil},
		{headline("Linux code of conduct committee restricts a developer's participation"), []string{"maintainers"}, nil},
		{headline("Kent Overstreet and Linus Torvalds clash over bcachefs fixes"), []string{"maintainers"}, nil},
		{headline("Jakub Kicinski explains how netdev reviews patches"), []string{"maintainers"}, nil},
		{headline("Torvalds tags Linux 7.2-rc5"), []string{"releases"}, []string{"maintainers"}},
		// Architectures by name.
		{headline("Linux 7.3 removes support for i486 CPUs"), []string{"architectures"}, nil},
		{headline("PowerPC Macs lose support in the Linux kernel"), []string{"architectures"}, nil},
		{headline("Linux kernel adds support for Intel Nova Lake CPUs"), []string{"architectures"}, nil},
		{headline("RISC-V vector support merged into mainline"), []string{"architectures"}, nil},
		{headline("Porting Linux to the Sega Saturn"), []string{"architectures"}, nil},
		{headline("Apple M3 support lands in Asahi Linux's kernel"), []string{"architectures"}, nil},
		{headline("Running x86 Windows games on Arm Linux with FEX"), nil, []string{"architectures"}},
		// Subject topics in aggregator titles.
		{headline("Linux's TCP stack gets a faster congestion control algorithm"), []string{"networking"}, nil},
		{headline("The Linux kernel's new packet socket API"), []string{"networking"}, nil},
		{headline("Linux adds support for Wi-Fi 7 multi-link operation"), []string{"networking"}, nil},
		{headline("A new slab allocator for the Linux kernel"), []string{"memory-management"}, nil},
		{headline("Linux kernel memory overcommit explained"), []string{"memory-management"}, nil},
		{headline("Transparent huge pages for the page cache"), []string{"memory-management"}, nil},
		{headline("Linux gains a driver for the Framework laptop's keyboard"), []string{"drivers"}, nil},
		{headline("AMD open-sources its NPU kernel driver for Linux"), []string{"drivers"}, nil},
		{headline("Nvidia's open GPU kernel modules for Linux reach parity"), []string{"drivers"}, nil},
		{headline("Linux 7.2 adds support for the Steam Deck's display"), []string{"drivers"}, nil},
		{headline("Ext4 gains large atomic writes"), []string{"filesystems"}, nil},
		{headline("A new Linux kernel filesystem for persistent memory"), []string{"filesystems"}, nil},
		{headline("sched_ext schedulers written in Rust"), []string{"scheduler", "bpf"}, nil},
		{headline("Linux's EEVDF scheduler, one year on"), []string{"scheduler"}, nil},
		{headline("Writing a BPF program to trace TCP retransmits"), []string{"bpf"}, nil},
		// Rust for Linux in press wording.
		{headline("R4L: the state of Rust for Linux in 2026"), []string{"rust-for-linux"}, nil},
		{headline("Rust is coming to the DRM subsystem"), []string{"rust-for-linux"}, nil},
		{headline("The kernel's first Rust network driver is merged"), []string{"rust-for-linux"}, nil},
		{headline("Rust 1.99 makes the Linux kernel's minimum version"), []string{"rust-for-linux"}, nil},

		// Issue 13, third pass. A prefix the subsystem table does not
		// know names no subsystem: the subject's words decide.
		{lore("linux-api", "Re: [PATCH v3] fanotify.7, fanotify_init.2: document FAN_REPORT_FID"), []string{"filesystems"}, nil},
		{lore("linux-kernel", "[PATCH] man-pages: document the page cache limits of tmpfs"), []string{"filesystems", "memory-management"}, nil},
		// A known prefix still decides on its own.
		{lore("linux-kernel", "[PATCH] landlock: restrict connecting to UNIX sockets"), []string{"security"}, []string{"networking"}},
		{lore("linux-kernel", "[PATCH] drm/amdgpu: fix a page fault on resume"), []string{"drivers"}, []string{"memory-management"}},
		// A file of the tree named in a subject.
		{lore("linux-riscv", "Re: [PATCH] riscv: move the L2 cache driver to drivers/soc"), []string{"drivers", "architectures"}, nil},
		{lore("linux-kernel", "[PATCH] x86: move the a.out loader to fs/binfmt_aout.c"), []string{"filesystems", "architectures"}, nil},
		// Common words stay out of an unknown prefix's way: a swap of
		// two values is no mm, XFS's realtime volume no scheduling, a
		// filesystem blocking suspend no driver.
		{lore("linux-kernel", "[PATCH v9 7/12] timekeeping: count the floor swap events"), nil, []string{"memory-management"}},
		{lore("linux-xfs", "[PATCH 06/14] punch-alternating: detect realtime files with large extents"), []string{"filesystems"}, []string{"scheduler"}},
		{lore("linux-btrfs", "Re: scrub keeps the system from going to suspend"), []string{"filesystems"}, []string{"drivers"}},
		// Device classes with the kernel as context are drivers.
		{headline("Linux 7.2 sound code adds support for new Intel laptops"), []string{"drivers"}, nil},
		{headline("Talking to a guest over Linux vsock sockets"), []string{"networking"}, nil},
		{lore("linux-kernel", "Re: a question about mm/vmscan.c"), []string{"memory-management"}, nil},
		// The allocator's calls and the memory model's types are mm.
		{lore("kernel-hardening", "Re: should kfree() poison the freed object?"), []string{"memory-management", "security"}, nil},
		{lore("linux-xfs", "[PATCH v2 00/12] fs/dax: fix ZONE_DEVICE page reference counts"), []string{"memory-management", "filesystems"}, nil},
		{lore("linux-btrfs", "Re: [PATCH] btrfs: charge metadata folios to the root memcgroup"), []string{"memory-management", "filesystems"}, nil},
		// Lockdown in its verb form is a hardening feature.
		{lore("linux-api", "[PATCH 12/30] PCI: lock down BAR access when the kernel is locked down"), []string{"security", "drivers"}, nil},
	}
	checkCases(t, tests)
}

// topicCase is an item written for one class of news, the topics it must
// be filed under and those it must not.
type topicCase struct {
	it        item.Item
	want, not []string
}

// lore is a mail of a lore list's; headline an aggregator's or a news
// site's headline with no summary.
func lore(list, subject string) item.Item {
	return item.Item{Title: subject, Link: "https://lore.kernel.org/" + list + "/20260101.1@example.org/"}
}

func headline(title string) item.Item {
	return item.Item{Title: title, Link: "https://example.org/story"}
}

// checkCases tags each case with the shipped rules: every want among its
// topics, none of not.
func checkCases(t *testing.T, tests []topicCase) {
	t.Helper()
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
