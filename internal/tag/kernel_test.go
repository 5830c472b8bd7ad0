package tag

import (
	"slices"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

// TestKernelFacts tags mails the way lore serves them: the mail
// extractors read the sender's own lines of the content (not the quoted
// ones, not the summary's flattened excerpt), and a CNA announcement is
// filed under security and under the topics of its affected files.
func TestKernelFacts(t *testing.T) {
	tg, err := Compile(Spec{Topics: []TopicSpec{
		{Slug: "security", Rules: []RuleSpec{
			{Name: "cna", Fields: []Field{FieldTitle, FieldContent}, Group: Group{Any: terms("extract:cve_record")}},
		}},
		{Slug: "networking", Rules: []RuleSpec{
			{Name: "words", Fields: []Field{FieldTitle}, Group: Group{Any: terms("tcp")}},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cve := item.Item{
		Title: "CVE-2024-26581: netfilter: nft_set_rbtree: skip end interval element from gc",
		// The summary is an excerpt and holds nothing the record needs.
		Summary: "In the Linux kernel, the following vulnerability has been resolved: netfilter…",
		Content: "<pre>Description\n===========\n\nThe Linux kernel CVE team has assigned CVE-2024-26581 to this issue.\n\n" +
			"Affected and fixed versions\n===========================\n\n\tIssue introduced in 6.5 with commit f718863aca46 and fixed in 6.6.17 with commit 1296c110c5a0\n\n" +
			"Affected files\n==============\n\nThe file(s) affected by this issue are:\n\tnet/netfilter/nft_set_rbtree.c\n</pre>",
	}
	tg.Tag(&cve, "cve-announce", nil)
	if c := cve.Extracted.CVE; c == nil || c.ID != "CVE-2024-26581" || !slices.Equal(c.Fixed, []string{"6.6.17"}) {
		t.Fatalf("CVE = %+v", cve.Extracted.CVE)
	}
	if !slices.Equal(cve.Topics, []string{"networking", "security"}) {
		t.Errorf("topics = %q, want networking and security", cve.Topics)
	}
	if m := cve.Matched["networking"]; m.Rule != CVEFilesRule || !slices.Equal(m.Words, []string{"net/netfilter/nft_set_rbtree.c"}) {
		t.Errorf("networking match = %+v", m)
	}
	ex := tg.Explain(cve, "cve-announce", nil)
	if !slices.ContainsFunc(ex, func(e Explanation) bool { return e.Topic == "networking" && e.Rule == CVEFilesRule }) {
		t.Errorf("Explain does not give the files' topic: %+v", ex)
	}

	reply := item.Item{
		Title: "Re: [PATCH v2 0/4] btrfs: stop duplicating VFS code for subvolume/snapshot dentry",
		Summary: "On Tue, 13 Jan 2026 fdmanana@kernel.org wrote: &gt; Reviewed-by: Someone Quoted &lt;q@x&gt; " +
			"Applied to the vfs-7.0.btrfs branch of the vfs/vfs.git tree.",
		Content: "<pre>On Tue, 13 Jan 2026 fdmanana@kernel.org wrote:\n<span>&gt; Reviewed-by: Someone Quoted &lt;q@x&gt;\n&gt; [...]\n</span>\n" +
			"Reviewed-by: David Sterba &lt;dsterba@suse.com&gt;\n---\n\nApplied to the vfs-7.0.btrfs branch of the vfs/vfs.git tree.\n</pre>",
	}
	tg.Tag(&reply, "linux-btrfs", nil)
	e := reply.Extracted
	if e.Event == nil || e.Event.State != item.StateApplied || e.Event.Tree != "vfs/vfs.git (vfs-7.0.btrfs)" {
		t.Errorf("Event = %+v", e.Event)
	}
	if !slices.Equal(e.Reviews, []item.Review{{Kind: "Reviewed-by", Who: "David Sterba"}}) {
		t.Errorf("Reviews = %+v", e.Reviews)
	}
	// An article about a patch being applied is no mail: its body is not
	// read for a status at all.
	news := item.Item{Title: "Btrfs cleanup lands", Content: "<p>Applied to for-next, thanks!</p>"}
	tg.Tag(&news, "news", nil)
	if news.Extracted.Event != nil {
		t.Errorf("news got an event: %+v", news.Extracted.Event)
	}
}
