package tageval

import "testing"

// TestMMAndDriverCases checks the memory-management and driver vocabulary
// of issue 13's fourth pass, one class of evidence per group: the mm
// system calls and their man pages, the memory model and highmem, VMA
// wording with kernel context, mm and driver subject prefixes the
// subsystems table knows, kernel-only driver subsystem names, "the X
// subsystem", and a patch that says it is for a driver. Each group has a
// near miss that must stay out.
func TestMMAndDriverCases(t *testing.T) {
	const mm, dr = "memory-management", "drivers"
	tests := []topicCase{
		// mm system calls, their flags and man pages.
		{lore("linux-api", "[PATCH v2] madvise.2: document MADV_GUARD_INSTALL"), []string{mm, "patches"}, nil},
		{lore("linux-api", "[PATCH] process_madvise.2: clarify the vlen limit"), []string{mm}, nil},
		{lore("linux-api", "[PATCH] mremap.2: describe MREMAP_DONTUNMAP"), []string{mm}, nil},
		{lore("linux-api", "[PATCH] mlock.2: note the RLIMIT_MEMLOCK check"), []string{mm}, nil},
		{lore("linux-api", "[PATCH] uapi: add MAP_DROPPABLE"), []string{mm}, nil},
		{lore("linux-api", "[PATCH v4 1/3] prctl: add PR_SET_MEMORY_MERGE"), []string{mm}, nil},
		{lore("linux-api", "[PATCH v7 3/6] secretmem: introduce memfd_secret() system call"), []string{mm}, nil},
		{lore("linux-arm-kernel", "[PATCH v3 12/23] arm64: mte: Add PROT_MTE support to mmap() and mprotect()"), []string{mm, "architectures"}, nil},
		{lore("linux-api", "[PATCH] open.2: document O_TMPFILE"), nil, []string{mm}},
		// The memory model, zones and highmem mappings.
		{lore("linux-riscv", "[PATCH v5] RISC-V: Implement sparsemem"), []string{mm, "architectures"}, nil},
		{lore("linux-arm-kernel", "[PATCH 0/2] Allow either FLATMEM or SPARSEMEM on the multiplatform build"), []string{mm}, nil},
		{lore("linux-riscv", "[PATCH v2 08/11] arm64: use both ZONE_DMA and ZONE_DMA32"), []string{mm}, nil},
		{lore("linux-arm-kernel", "[PATCH V3 00/15] Remove duplicated kmap code"), []string{mm}, nil},
		{headline("Linux Developers Discuss Dropping Highmem Support"), []string{mm}, nil},
		{lore("linux-arm-kernel", "[PATCH] arm64: mm: use memblock_phys_alloc for the page tables"), []string{mm}, nil},
		{lore("linux-arm-kernel", "[RFC 7/8] thermal: of: Monitor thermal zone after enabling it"), []string{dr}, []string{mm}},
		// VMA and reclaim wording needs kernel context.
		{headline("Per-VMA Locks Land in Linux 6.4"), []string{mm}, nil},
		{headline("The maple tree, a new data structure for the kernel's VMAs"), []string{mm}, nil},
		{headline("Improving the kernel's handling of huge zero pages"), []string{mm}, nil},
		{headline("Kernel memory safety with memdescs"), []string{mm}, nil},
		{headline("Winners of the 2025 VMAs announced"), nil, []string{mm}},
		{headline("Open Source Projects Receive Funding to Reclaim the Public Internet"), nil, []string{mm}},
		// mm and driver prefixes of the subsystems table.
		{lore("linux-btrfs", "[PATCH 6/6] migrate: Remove references to Private2"), []string{mm, "filesystems"}, nil},
		{lore("linux-arm-kernel", "[GIT PULL] tee subsystem work for v5.8"), []string{dr}, nil},
		{lore("linux-arm-kernel", "[PATCH] hwrng: bcm2835: fix the probe error path"), []string{dr}, nil},
		{lore("linux-arm-kernel", "[PATCH] pmdomain: imx: add the i.MX95 domains"), []string{dr}, nil},
		{lore("linux-arm-kernel", "[PATCH] hwspinlock: qcom: fix a leak"), []string{dr}, nil},
		{lore("linux-api", "[PATCH] uio: fix the mmap offset check"), []string{dr}, nil},
		// Kernel-only driver subsystem names and "the X subsystem".
		{headline("Managing hwmon sensors"), []string{dr}, nil},
		{headline("Device-tree bindings in YAML"), []string{dr}, nil},
		{headline("The kernel's device model"), []string{dr}, nil},
		{headline("The PCI subsystem in 6.8"), []string{dr}, nil},
		{headline("Inside the IIO subsystem"), []string{dr}, nil},
		{headline("Windows Subsystem for Linux gets a new installer"), nil, []string{dr}},
		{headline("Linux 6.15 Adds Support For New Wacom Tablets"), []string{dr}, nil},
		{headline("Linux 6.18 Input Updates Bring New Controller Support"), []string{dr}, nil},
		{headline("Best drawing tablets of 2025"), nil, []string{dr}},
		// A patch that says it is for a driver, unless it is a board's or
		// a network driver's.
		{lore("linux-arm-kernel", "[PATCH 3/5] arm64: arch_k3: enable chipid driver"), []string{dr, "architectures"}, nil},
		{lore("linux-arm-kernel", "[PATCH] ARM: imx: add cpuidle driver"), []string{dr}, nil},
		{lore("linux-riscv", "[PATCH v4 19/20] RISC-V: Enable VIRTIO drivers in RV64 and RV32 defconfig"), nil, []string{dr}},
		{lore("linux-riscv", "[PATCH] riscv: dts: Add DT support for SiFive FU540 PWM driver"), nil, []string{dr}},
		{lore("linux-arm-kernel", "[PATCH 06/11] net: ethernet: mtk-eth-mac: new driver"), []string{"networking"}, []string{dr}},
	}
	checkCases(t, tests)
}
