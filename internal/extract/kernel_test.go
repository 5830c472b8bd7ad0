package extract

import (
	"encoding/xml"
	"os"
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestCVERecord(t *testing.T) {
	body, err := os.ReadFile("testdata/cve-announce_CVE-2024-26581.txt")
	if err != nil {
		t.Fatal(err)
	}
	found := CVERecordLines(MailText(string(body)))
	c := cveRecordOf(found)
	if c == nil {
		t.Fatalf("no record from %q", found)
	}
	if !mayCVERecord(string(body)) {
		t.Error("mayCVERecord = false")
	}
	if c.ID != "CVE-2024-26581" {
		t.Errorf("ID = %q", c.ID)
	}
	for _, check := range []struct {
		name      string
		got, want []string
	}{
		{"fixed", c.Fixed, []string{"6.6.17", "6.7.5", "6.8-rc4", "4.19.307"}},
		{"introduced", c.Introduced, []string{"6.5", "5.10.189"}},
		{"commits", c.Commits, []string{"1296c110c5a0", "b734f7a47aeb", "60c0c230c6f0", "8e1a3e3b0ea3", "f718863aca46", "2ee52ae94baa"}},
		{"files", c.Files, []string{"net/netfilter/nft_set_rbtree.c", "include/net/netfilter/nf_tables.h"}},
		{"subsystems", c.Subsystems, []string{"networking"}},
	} {
		if !slices.Equal(check.got, check.want) {
			t.Errorf("%s = %q, want %q", check.name, check.got, check.want)
		}
	}
	want := item.CVERange{Introduced: "6.5", IntroducedCommit: "f718863aca46", Fixed: "6.6.17", FixedCommit: "1296c110c5a0"}
	if len(c.Ranges) != 5 || c.Ranges[0] != want || c.Ranges[4] != (item.CVERange{Fixed: "4.19.307", FixedCommit: "8e1a3e3b0ea3"}) ||
		c.Ranges[3] != (item.CVERange{Introduced: "5.10.189", IntroducedCommit: "2ee52ae94baa"}) {
		t.Errorf("Ranges = %+v", c.Ranges)
	}
	// A reply quoting the announcement, press naming the CVE and a
	// disputing reply are no record.
	for _, s := range []string{
		"> The Linux kernel CVE team has assigned CVE-2024-26581 to this issue.\nI dispute this.",
		"CVE-2024-26581 was fixed in 6.6.17 with commit 1296c110c5a0, the team says.",
	} {
		if got := CVERecordLines(MailText(s)); got != nil {
			t.Errorf("CVERecordLines(%q) = %q, want nothing", s, got)
		}
	}
}

func TestSubsystems(t *testing.T) {
	tests := []struct {
		files, want []string
	}{
		{[]string{"drivers/net/ethernet/intel/ice/ice_main.c"}, []string{"networking", "drivers"}},
		{[]string{"fs/btrfs/ioctl.c", "mm/filemap.c", "fs/namei.c"}, []string{"filesystems", "memory-management"}},
		{[]string{"kernel/bpf/verifier.c", "net/core/filter.c"}, []string{"bpf", "networking"}},
		{[]string{"arch/x86/kvm/x86.c", "rust/kernel/alloc.rs"}, []string{"architectures", "rust-for-linux"}},
		{[]string{"Documentation/admin-guide/README.rst", "kernel/fork.c"}, nil},
	}
	for _, tc := range tests {
		if got := Subsystems(tc.files); !slices.Equal(got, tc.want) {
			t.Errorf("Subsystems(%q) = %q, want %q", tc.files, got, tc.want)
		}
	}
}

// kdistItems reads a kdist.xml fixture's items: title and description.
func kdistItems(t *testing.T, path string) [][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items []struct {
			Title       string `xml:"title"`
			Description string `xml:"description"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, it := range doc.Items {
		out = append(out, [2]string{it.Title, it.Description})
	}
	return out
}

func TestRelease(t *testing.T) {
	items := append(kdistItems(t, "testdata/kdist_2020-05-03_feed-rs-fixture_1item.xml"),
		kdistItems(t, "testdata/kdist_2017-11-08_titles-hand-edited-by-repo-author.xml")...)
	want := map[string]struct {
		headline, link string
		rel            item.Release
	}{
		"5.7-rc4": {"Linux 5.7-rc4 (mainline)", "https://git.kernel.org/torvalds/h/v5.7-rc4", item.Release{
			Version: "5.7-rc4", Moniker: "mainline", Released: "2020-05-03",
			Tarball: "https://git.kernel.org/torvalds/t/linux-5.7-rc4.tar.gz", Patch: "https://git.kernel.org/torvalds/p/v5.7-rc4/v5.6",
			Browse: "https://git.kernel.org/torvalds/h/v5.7-rc4"}},
		"4.13.12": {"Linux 4.13.12 (stable)", "https://cdn.kernel.org/pub/linux/kernel/v4.x/ChangeLog-4.13.12", item.Release{
			Version: "4.13.12", Moniker: "stable", Released: "2017-11-08",
			Tarball:   "https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.13.12.tar.xz",
			Signature: "https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.13.12.tar.sign",
			Patch:     "https://cdn.kernel.org/pub/linux/kernel/v4.x/patch-4.13.12.xz",
			ChangeLog: "https://cdn.kernel.org/pub/linux/kernel/v4.x/ChangeLog-4.13.12",
			Browse:    "https://git.kernel.org/stable/h/v4.13.12"}},
		"3.18.80":       {"Linux 3.18.80 (longterm, end of life)", "https://cdn.kernel.org/pub/linux/kernel/v3.x/ChangeLog-3.18.80", item.Release{}},
		"next-20171108": {"linux-next next-20171108", "https://git.kernel.org/next/linux-next/h/next-20171108", item.Release{}},
	}
	seen := 0
	for _, it := range items {
		rows := ReleaseRows(it[1])
		r := releaseOf(rows)
		if r == nil {
			t.Errorf("%q: no release from %q", it[0], rows)
			continue
		}
		if r.Link() == "" || r.Link() == "http://www.kernel.org/" {
			t.Errorf("%q: link %q", it[0], r.Link())
		}
		w, ok := want[r.Version]
		if !ok {
			continue
		}
		seen++
		if got := r.Headline(); got != w.headline {
			t.Errorf("%s: Headline = %q, want %q", r.Version, got, w.headline)
		}
		if got := r.Link(); got != w.link {
			t.Errorf("%s: Link = %q, want %q", r.Version, got, w.link)
		}
		if w.rel.Version != "" && *r != w.rel {
			t.Errorf("%s: release = %+v\nwant %+v", r.Version, *r, w.rel)
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d releases, want %d", seen, len(want))
	}
	final := item.Release{Version: "6.13", Moniker: "mainline"}
	if got := final.Headline(); got != "Linux 6.13 released (mainline)" {
		t.Errorf("final mainline Headline = %q", got)
	}
	for _, s := range []string{"<table><tr><th>Version:</th><td>x</td></tr></table>", "Linux 6.13 released", ""} {
		if got := releaseOf(ReleaseRows(s)); got != nil {
			t.Errorf("release from %q: %+v", s, got)
		}
	}
}

func FuzzReleaseRows(f *testing.F) {
	for _, it := range [][]string{{"<table><tr><th>Version:</th><td><strong>6.1</strong> (mainline)</td></tr><tr><th>Released:</th><td>2024-01-01</td></tr></table>"},
		{"<tr><th>Version:<th>Released:<td><a href=x>"}} {
		f.Add(it[0])
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r := releaseOf(ReleaseRows(s)); r != nil && r.Version == "" {
			t.Fatalf("release without a version from %q", s)
		}
	})
}

func FuzzCVERecord(f *testing.F) {
	f.Add("The Linux kernel CVE team has assigned CVE-2024-1 to this issue.\nIssue introduced in 6.5 with commit abcdef1 and fixed in 6.6 with commit 1234567\nThe file(s) affected by this issue are:\nnet/x.c\n")
	f.Fuzz(func(t *testing.T, s string) {
		if c := cveRecordOf(CVERecordLines(MailText(s))); c != nil && c.ID == "" {
			t.Fatalf("record without an id from %q", s)
		}
	})
}
