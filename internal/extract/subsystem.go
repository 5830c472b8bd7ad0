package extract

import "strings"

// subsystemPaths maps kernel source paths to the default topics (the
// slugs of the shipped feeds.yaml) of the subsystems that own them, most
// specific first: a path takes the topics of its first matching prefix.
// The directories follow the kernel's top-level layout and MAINTAINERS
// (drivers/net is both a driver and networking).
var subsystemPaths = []struct {
	prefix string
	topics []string
}{
	{"drivers/net/", []string{"networking", "drivers"}},
	{"drivers/infiniband/", []string{"networking", "drivers"}},
	{"drivers/bluetooth/", []string{"networking", "drivers"}},
	{"drivers/block/", []string{"filesystems", "drivers"}},
	{"drivers/md/", []string{"filesystems", "drivers"}},
	{"drivers/nvme/", []string{"filesystems", "drivers"}},
	{"drivers/gpu/nova-core/", []string{"rust-for-linux", "drivers"}},
	{"drivers/android/binder/", []string{"rust-for-linux", "drivers"}},
	{"drivers/", []string{"drivers"}},
	{"sound/", []string{"drivers"}},
	{"net/core/filter.c", []string{"bpf", "networking"}},
	{"net/bpf/", []string{"bpf", "networking"}},
	{"net/", []string{"networking"}},
	{"include/net/", []string{"networking"}},
	{"include/linux/netfilter", []string{"networking"}},
	{"include/linux/skbuff.h", []string{"networking"}},
	{"kernel/bpf/", []string{"bpf"}},
	{"include/linux/bpf", []string{"bpf"}},
	{"tools/lib/bpf/", []string{"bpf"}},
	{"tools/bpf/", []string{"bpf"}},
	{"kernel/sched/", []string{"scheduler"}},
	{"include/linux/sched", []string{"scheduler"}},
	{"mm/", []string{"memory-management"}},
	{"include/linux/mm", []string{"memory-management"}},
	{"include/linux/slab.h", []string{"memory-management"}},
	{"fs/", []string{"filesystems"}},
	{"block/", []string{"filesystems"}},
	{"io_uring/", []string{"filesystems"}},
	{"include/linux/fs.h", []string{"filesystems"}},
	{"arch/", []string{"architectures"}},
	{"rust/", []string{"rust-for-linux"}},
	{"security/", []string{"security"}},
}

// Subsystems returns the topics of the subsystems that own files (kernel
// source paths such as "net/netfilter/nft_set_rbtree.c"), deduplicated, in
// order of the files.
func Subsystems(files []string) []string {
	var out []string
	for _, f := range files {
		f = strings.TrimPrefix(strings.TrimSpace(f), "./")
		for _, sp := range subsystemPaths {
			if strings.HasPrefix(f, sp.prefix) {
				for _, t := range sp.topics {
					out = appendNew(out, t)
				}
				break
			}
		}
	}
	return out
}
