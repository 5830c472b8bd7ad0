package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// The 13 topics the project defines, hard-coded so that dropping one
// from feeds.yaml fails here.
var wantSlugs = []string{"rust-for-linux", "rust", "maintainers", "releases", "security", "drivers",
	"filesystems", "memory-management", "networking", "bpf", "scheduler", "architectures", "patches"}

func shippedTagger(t testing.TB) (*Config, *tag.Tagger) {
	t.Helper()
	cfg, err := Load("../../feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tag.Compile(cfg.TagSpec())
	if err != nil {
		t.Fatalf("compile shipped rules: %v", err)
	}
	return cfg, tg
}

func TestShippedConfig(t *testing.T) {
	cfg, tg := shippedTagger(t)
	for _, w := range cfg.Warnings {
		t.Errorf("the shipped config warns: %v", w)
	}
	var got []string
	for _, tp := range cfg.Topics {
		got = append(got, tp.Slug)
		if tp.Title == "" || tp.Description == "" || len(tp.Rules) == 0 {
			t.Errorf("topic %q lacks a title, description or rules", tp.Slug)
		}
	}
	if !slices.Equal(got, wantSlugs) {
		t.Errorf("topics = %q, want %q", got, wantSlugs)
	}
	if n := len(tg.Topics()); n != len(wantSlugs) {
		t.Errorf("compiled %d topics, want %d", n, len(wantSlugs))
	}
	if len(cfg.People) < 15 {
		t.Errorf("%d people, want at least 15", len(cfg.People))
	}
	want := BuiltinDefaults()
	if cfg.Defaults != want {
		t.Errorf("shipped defaults = %+v, want the documented defaults %+v", cfg.Defaults, want)
	}
	prio := map[string]int{}
	for _, s := range cfg.Sources {
		prio[s.Name] = s.Priority
	}
	if !(prio["kernel-org"] > prio["lwn"] && prio["lwn"] > prio["phoronix"]) {
		t.Errorf("priorities %v: want kernel-org > lwn > phoronix", prio)
	}
}

// topicCase is a headline (and optional summary) with the topics it must
// and must not get. Written from the topics' definitions, not from the
// fixtures: the hard negatives are the "does NOT belong" column.
type topicCase struct {
	title, summary string
	want, not      []string
}

var topicCases = []topicCase{
	// rust-for-linux
	{title: "Rust-for-Linux lead Miguel Ojeda on the kernel's Rust policy", want: []string{"rust-for-linux"}},
	{title: "Nova GPU driver gains Rust abstractions for Linux 6.15", want: []string{"rust-for-linux", "drivers"}},
	{title: "[PATCH v3 02/11] rust: kernel: add foo", want: []string{"rust-for-linux", "patches"}},
	{title: "[GIT PULL] Rust for 6.14", want: []string{"rust-for-linux", "patches"}, not: []string{"rust"}},
	{title: "Rust in the kernel: the debate continues", want: []string{"rust-for-linux"}},
	{title: "Linux 6.13 Brings More Rust Code For Drivers", want: []string{"rust-for-linux"}, not: []string{"rust", "releases"}},
	{title: "Kernel Rust minimum version raised to 1.78", want: []string{"rust-for-linux"}},
	{title: "Rust 1.83 released", want: []string{"rust"}, not: []string{"rust-for-linux"}},
	{title: "Preventing rust on car bodies in the salt belt", not: []string{"rust", "rust-for-linux"}},
	{title: "Increasing the glibc and Linux kernel requirements", summary: "Rust toolchains targeting Linux will require glibc 2.17 and kernel 3.2.", not: []string{"rust-for-linux"}},
	{title: "Ubuntu 25.10 switches to Rust coreutils", not: []string{"rust-for-linux"}},
	{title: "A terminal emulator in Rust for Linux desktops", not: []string{"rust-for-linux"}},
	{title: "Linux 6.17 merge window: EXT4, XFS, Rust, networking and forty other things", not: []string{"rust-for-linux"}},
	// rust
	{title: "Announcing Rust 1.56.0 and Rust 2021", want: []string{"rust"}},
	{title: "This Week in Rust 580", want: []string{"rust"}},
	{title: "Cargo adds a new lockfile format for crates", want: []string{"rust"}},
	{title: "Writing a database engine in Rust", want: []string{"rust"}},
	{title: "Announcing Rustup 1.26.0", want: []string{"rust"}},
	{title: "Rust Compiler February 2023 Steering Cycle", want: []string{"rust"}},
	{title: "Rust Belt factory towns face new layoffs", not: []string{"rust"}},
	{title: "Cargo ship runs aground in the Suez canal", not: []string{"rust"}},
	{title: "Facepunch's Rust game gets a new map", not: []string{"rust"}},
	{title: "Rust drivers for the Linux kernel gain momentum", not: []string{"rust"}},
	{title: "Trust and safety at scale", not: []string{"rust"}},
	// maintainers
	{title: "Rust for Linux maintainer steps down citing nontechnical nonsense", want: []string{"maintainers"}},
	{title: "Linus Torvalds Says Intel Needs To Admit It Has Issues With CPUs", want: []string{"maintainers"}},
	{title: "More Intel Driver Maintainer Changes In Linux 6.17", want: []string{"maintainers"}},
	{title: "Kernel code of conduct committee restricts a developer", want: []string{"maintainers"}},
	{title: "Reports from the 2025 Maintainers Summit", summary: "The kernel Maintainers Summit met in Tokyo.", want: []string{"maintainers"}},
	{title: "[PATCH] MAINTAINERS: add Rust reviewers for the block layer", want: []string{"maintainers", "patches"}},
	{title: "Greg Kroah-Hartman releases 6.12.5", want: []string{"releases"}, not: []string{"maintainers"}},
	{title: "Linus Torvalds merges bcachefs fixes for 6.17-rc3", not: []string{"maintainers"}},
	{title: "Intel CEO steps down after poor quarter", not: []string{"maintainers"}},
	{title: "Open source maintainership in the age of AI (Kubernetes blog)", not: []string{"maintainers"}},
	{title: "Jens Axboe posts io_uring zero-copy receive series", not: []string{"maintainers"}},
	// releases
	{title: "Linux 6.13-rc1 released", want: []string{"releases"}},
	{title: "5.7-rc4: mainline", want: []string{"releases"}},
	{title: "4.19.121: longterm", want: []string{"releases"}},
	{title: "Stable kernels 4.4.4, 3.14.63, and 3.10.99", want: []string{"releases"}},
	{title: "The first half of the 7.2 merge window", want: []string{"releases"}},
	{title: "Kernel prepatch 4.12-rc2", want: []string{"releases"}},
	{title: "Linux 6.6 LTS reaches end of life", want: []string{"releases"}},
	{title: "Bcachefs changes will land in Linux 6.14", not: []string{"releases"}},
	{title: "Intel Releases New Driver For Linux 6.17", not: []string{"releases"}},
	{title: "Rust 1.83.0 released", not: []string{"releases"}},
	{title: "Mesa 25.2-rc3 Released With RADV Vulkan Video Fixes", not: []string{"releases"}},
	{title: "Linux 6.17 GPU Drivers Led By Stable Intel Xe3 Panther Lake", not: []string{"releases"}},
	{title: "Rust changes merged for the 6.14 merge window", not: []string{"releases"}},
	// security
	{title: "The \"StackRot\" kernel vulnerability", want: []string{"security"}},
	{title: "Kernel CNA assigns CVE-2024-1086 to nf_tables bug", want: []string{"security", "networking"}},
	{title: "Attack Vector Controls Land In Linux 6.17 To Better Control CPU Security Mitigations", want: []string{"security"}},
	{title: "Linux kernel exploit for use-after-free in io_uring published", want: []string{"security", "filesystems"}},
	{title: "Landlock hardening features for Linux 6.15", want: []string{"security"}},
	{title: "Chrome 131 fixes CVE-2024-12345", not: []string{"security"}},
	{title: "Security updates for Monday", summary: "kernel, curl (CVE-2024-1234) and openssl", not: []string{"security"}},
	{title: "ext4 fix for a rare journal replay bug in Linux 6.12", not: []string{"security"}},
	{title: "Intel Hit With Three Class-Action Lawsuits Over Earnings", not: []string{"security"}},
	{title: "Security Breaches Don't Affect Stock Price, Study Suggests", not: []string{"security"}},
	// drivers
	{title: "Intel IPU7 Driver Merged For Linux 6.17 For Webcams", want: []string{"drivers"}},
	{title: "[PATCH v2 1/3] drm/nova: add firmware loading", want: []string{"drivers", "patches"}},
	{title: "Linux 6.17 GPU Drivers Led By Intel Xe3", want: []string{"drivers"}},
	{title: "USB4 and Thunderbolt improvements for Linux 6.15", want: []string{"drivers"}},
	{title: "New HID driver for Lenovo Legion controllers in the kernel", want: []string{"drivers"}},
	{title: "Mesa 25.2 brings RADV Vulkan video fixes", not: []string{"drivers"}},
	{title: "To Combat Shortage, Nvidia Asks Retailers To Limit Graphics Card Orders", not: []string{"drivers"}},
	{title: "Linux Enablement Begins For Intel Nova Lake CPUs", not: []string{"drivers"}},
	{title: "Ubisoft DRM locks out PC players", not: []string{"drivers"}},
	{title: "Uber driver shortage in Boston", not: []string{"drivers"}},
	// filesystems
	{title: "EXT4 Shows Wild Gains With Better Block Allocation Scalability In Linux 6.17", want: []string{"filesystems"}},
	{title: "Bcachefs removed from mainline", want: []string{"filesystems"}},
	{title: "[$] BPF iterators for filesystems", summary: "the kernel BPF subsystem", want: []string{"filesystems", "bpf"}},
	{title: "io_uring gets a new registered buffer API", want: []string{"filesystems"}},
	{title: "[PATCH 3/7] btrfs: fix scrub race", want: []string{"filesystems", "patches"}},
	{title: "NFS server improvements in Linux 6.14", want: []string{"filesystems"}},
	{title: "Backblaze Hard Drive Stats for 2017", not: []string{"filesystems"}},
	{title: "Fedora Considers Hardlinking Identical /usr Files By Default", not: []string{"filesystems"}},
	{title: "Dropbox drops support for ZFS on Windows", not: []string{"filesystems"}},
	{title: "Large folios for anonymous memory", not: []string{"filesystems"}},
	{title: "File system for your kitchen recipes", not: []string{"filesystems"}},
	// memory-management
	{title: "Large folios for anonymous memory", want: []string{"memory-management"}},
	{title: "Linux 6.17 Memory Management Optimizations, DAMON_STAT & Other Improvements", want: []string{"memory-management"}},
	{title: "Revisiting \"too small to fail\"", want: []string{"memory-management"}},
	{title: "zswap writeback improvements land for Linux 6.8", want: []string{"memory-management"}},
	{title: "[RFC PATCH] mm: make THP the default", want: []string{"memory-management", "patches"}},
	{title: "Memory cgroups gain a new reclaim interface", want: []string{"memory-management"}},
	{title: "Face swap app goes viral", not: []string{"memory-management"}},
	{title: "DRAM prices jump 20% as memory shortage bites", not: []string{"memory-management"}},
	{title: "A new allocator for the Zig standard library", not: []string{"memory-management"}},
	{title: "Firefox memory usage halved", not: []string{"memory-management"}},
	{title: "Soil compaction harms crop yields", not: []string{"memory-management"}},
	// networking
	{title: "[$] IPv6 segment routing", want: []string{"networking"}},
	{title: "[$] The trouble with SMC-R", want: []string{"networking"}},
	{title: "Netfilter flowtable offload in Linux 6.15", want: []string{"networking"}},
	{title: "[PATCH net-next v2 0/5] net: phy: add Rust driver", want: []string{"networking", "patches", "rust-for-linux"}},
	{title: "Linux 6.14 WiFi driver updates for MediaTek mt76", want: []string{"networking", "drivers"}},
	{title: "Asus Is Turning Its Old Routers Into Mesh Wi-Fi Networks", not: []string{"networking"}},
	{title: "After Beating Cable Lobby, Colorado City Moves Ahead With Muni Broadband", not: []string{"networking"}},
	{title: "Can Mesh Networks Save a Dying Web?", not: []string{"networking"}},
	{title: "Twitter Notifies 1.4 Million Users of Interaction With Russian Accounts", not: []string{"networking"}},
	{title: "Facebook Overhauls News Feed for the social network", not: []string{"networking"}},
	// bpf
	{title: "A helper library for BPF arenas", want: []string{"bpf"}},
	{title: "KASAN for JIT-compiled BPF code", want: []string{"bpf"}},
	{title: "sched_ext schedulers ship in more distros", want: []string{"bpf", "scheduler"}},
	{title: "libbpf 1.5 and bpftool 7.5 released", want: []string{"bpf"}},
	{title: "Suspending and resuming BPF programs", want: []string{"bpf"}},
	{title: "BPA approves new power lines", not: []string{"bpf"}},
	{title: "eBay sellers hit by fraud wave", not: []string{"bpf"}},
	{title: "Netfilter flowtable offload in Linux 6.15", not: []string{"bpf"}},
	{title: "The verifier in Dafny gets faster", not: []string{"bpf"}},
	{title: "Kernel live patching improvements", not: []string{"bpf"}},
	// scheduler
	{title: "EEVDF scheduler replaces CFS in Linux 6.6", want: []string{"scheduler"}},
	{title: "PREEMPT_RT merged for Linux 6.12", want: []string{"scheduler"}},
	{title: "Reports from OSPM 2026, day one", want: []string{"scheduler"}},
	{title: "Proxy execution lands in the kernel", want: []string{"scheduler"}},
	{title: "[PATCH] sched/fair: fix lag clamping", want: []string{"scheduler", "patches"}},
	{title: "Kubernetes scheduler gets topology hints", not: []string{"scheduler"}},
	{title: "BFQ I/O scheduler tweaks in the block layer for Linux 6.15", not: []string{"scheduler"}},
	{title: "Windows Task Scheduler abused by malware", not: []string{"scheduler"}},
	{title: "A scheduling app for busy dentists", not: []string{"scheduler"}},
	{title: "Linux 6.17 Lowers Audio Latency With New ALSA Driver", not: []string{"scheduler"}},
	// architectures
	{title: "Linux Enablement Begins For Intel Nova Lake - The First \"Family 18\" CPUs", want: []string{"architectures"}},
	{title: "RISC-V vector support lands in Linux 6.5", want: []string{"architectures"}},
	{title: "LoongArch port gains KVM support in the kernel", want: []string{"architectures"}},
	{title: "Asahi Linux brings Apple M2 support upstream", want: []string{"architectures"}},
	{title: "[PATCH v2 4/9] arm64: mm: support 52-bit VAs", want: []string{"architectures", "patches", "memory-management"}},
	{title: "FEX 2508 Delivers Major Speedups For x86_64 Binaries On ARM", not: []string{"architectures"}},
	{title: "AMD Threadripper 9980X + 9970X Linux Benchmarks: Incredible Workstation Performance", not: []string{"architectures"}},
	{title: "Arm Holdings posts record revenue", not: []string{"architectures"}},
	{title: "Apple M4 MacBook Air review", not: []string{"architectures"}},
	{title: "Box64 runs x86 games on RISC-V Linux boards", not: []string{"architectures"}},
	// patches
	{title: "[PATCH RFC net-next v2 0/5] net: add foo", want: []string{"patches"}},
	{title: "[RFC PATCH] mm: folio conversion", want: []string{"patches"}},
	{title: "[GIT PULL] sched_ext changes for v6.14", want: []string{"patches"}},
	{title: "[PATCHv4 3/7] ext4: fix race", want: []string{"patches"}},
	{title: "[PATCH 6.1 123/456] ext4: fix race", want: []string{"patches"}},
	{title: "Re: [PATCH v3 02/11] rust: kernel: add foo", not: []string{"patches"}},
	{title: "New Rust patches posted for the Nova driver", not: []string{"patches"}},
	{title: "[$] A pair of workqueue improvements", not: []string{"patches"}},
	{title: "Torvalds merges the scheduler patches", not: []string{"patches"}},
	{title: "Intel Urges OEMs To Stop Deploying Spectre Patch", not: []string{"patches"}},
}

func TestShippedTopics(t *testing.T) {
	_, tg := shippedTagger(t)
	for _, tc := range topicCases {
		t.Run(tc.title, func(t *testing.T) {
			it := item.Item{Title: tc.title, Summary: tc.summary}
			tg.Tag(&it, "test", nil)
			for _, slug := range tc.want {
				if !it.HasTopic(slug) {
					t.Errorf("missing topic %q; got %q (%v)", slug, it.Topics, it.Matched)
				}
			}
			for _, slug := range tc.not {
				if it.HasTopic(slug) {
					t.Errorf("unwanted topic %q by %+v", slug, it.Matched[slug])
				}
			}
		})
	}
}

// TestShippedTopicCoverage keeps topicCases honest: every topic needs five
// headlines that must get it and five that must not.
func TestShippedTopicCoverage(t *testing.T) {
	pos, neg := map[string]int{}, map[string]int{}
	for _, tc := range topicCases {
		for _, s := range tc.want {
			pos[s]++
		}
		for _, s := range tc.not {
			neg[s]++
		}
	}
	for _, s := range wantSlugs {
		if pos[s] < 5 || neg[s] < 5 {
			t.Errorf("topic %q: %d positive and %d negative cases, want 5 each", s, pos[s], neg[s])
		}
	}
}

// BenchmarkTagShipped tags 200 items with the shipped rule set.
func BenchmarkTagShipped(b *testing.B) {
	_, tg := shippedTagger(b)
	body := strings.Repeat("<p>The Linux kernel community discussed folios, Rust bindings, "+
		"the EEVDF scheduler and netfilter in the 6.14 merge window.</p>", 15)
	items := make([]item.Item, 200)
	for i := range items {
		tc := topicCases[i%len(topicCases)]
		items[i] = item.Item{Title: tc.title, Summary: fmt.Sprintf("Summary %d: %s", i, body[:300]),
			Content: body, Link: "https://lwn.net/Articles/1/", Categories: []string{"Kernel"}}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range items {
			it := items[i]
			tg.Tag(&it, "lwn", nil)
		}
	}
}
