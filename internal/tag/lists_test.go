package tag

import (
	"slices"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/item"
)

func TestMailingList(t *testing.T) {
	tests := []struct{ link, name, where string }{
		{"https://lore.kernel.org/netdev/20250101.1234@example.org/", "netdev", "lore.kernel.org/netdev"},
		{"https://lore.kernel.org/Linux-MM/x/T/#u", "linux-mm", "lore.kernel.org/linux-mm"},
		{"https://lore.kernel.org/r/20250101.1234@example.org", "", ""},
		{"https://lore.kernel.org/all/20250101.1234@example.org/", "", ""},
		{"https://patchwork.kernel.org/project/linux-riscv/patch/1/", "linux-riscv", "patchwork.kernel.org/project/linux-riscv"},
		{"http://lists.infradead.org/pipermail/linux-arm-kernel/2020-May/1.html", "linux-arm-kernel", "lists.infradead.org/pipermail/linux-arm-kernel"},
		{"https://www.spinics.net/lists/linux-btrfs/msg1.html", "linux-btrfs", "spinics.net/lists/linux-btrfs"},
		{"https://marc.info/?l=linux-kernel&m=1", "linux-kernel", "marc.info/?l=linux-kernel"},
		{"https://www.mail-archive.com/netdev@vger.kernel.org/msg1.html", "netdev", "mail-archive.com/netdev@vger.kernel.org"},
		{"https://lkml.org/lkml/2025/1/1/1", "linux-kernel", "lkml.org"},
		{"https://lwn.net/Articles/1/", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		host, path := splitLink(tc.link)
		name, where := mailingList(host, path, tc.link)
		if name != tc.name || where != tc.where {
			t.Errorf("mailingList(%q) = %q, %q; want %q, %q", tc.link, name, where, tc.name, tc.where)
		}
	}
}

// tablesSpec files netdev mail under networking, mm subjects under mm, and
// has a kernel list without a topic.
func tablesSpec() Spec {
	s := Spec{Topics: testTopics(), People: testPeople}
	s.Topics = append(s.Topics,
		TopicSpec{Slug: "networking", Rules: []RuleSpec{{Name: "tcp", Fields: []Field{FieldTitle}, Group: Group{Any: terms("tcp")}}}},
		TopicSpec{Slug: "mm", Rules: []RuleSpec{{Name: "folio", Fields: []Field{FieldTitle}, Group: Group{Any: terms("folio")}}}},
		TopicSpec{Slug: "kernel-mail", Rules: []RuleSpec{{Name: "any list", Group: Group{All: terms(TermList)}}}},
	)
	s.Lists = []List{{Name: "netdev", Topics: []string{"networking"}}, {Name: "linux-kernel"}}
	s.Subsystems = []Subsystem{{Prefix: "mm", Topics: []string{"mm"}}, {Prefix: "net", Topics: []string{"networking"}}, {Prefix: "drm/nova", Topics: []string{"r4l"}}}
	return s
}

func TestTables(t *testing.T) {
	tg, err := Compile(tablesSpec())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		it    item.Item
		want  []string
		rules map[string]string // topic -> the rule that filed it
	}{
		{"list", item.Item{Title: "Re: question about GRO", Link: "https://lore.kernel.org/netdev/1@x/"},
			[]string{"kernel-mail", "lore", "networking"}, map[string]string{"networking": "list netdev", "kernel-mail": "any list"}},
		{"subject prefix on a list", item.Item{Title: "[PATCH v2 1/3] mm: add a helper", Link: "https://lore.kernel.org/netdev/2@x/"},
			[]string{"kernel-mail", "lore", "mm", "networking", "patches"}, map[string]string{"mm": "subsystem mm", "networking": "list netdev"}},
		{"patch subject off any list", item.Item{Title: "[PATCH] drm/nova/gsp: boot", Link: "https://example.org/p"},
			[]string{"patches", "r4l"}, map[string]string{"r4l": "subsystem drm/nova"}},
		{"unlisted first part", item.Item{Title: "[PATCH] KVM: mm: fault path", Link: "https://example.org/p"},
			[]string{"mm", "patches"}, map[string]string{"mm": "subsystem mm"}},
		{"a part of a listed subsystem", item.Item{Title: "[PATCH] net: mm: x", Link: "https://example.org/p"},
			[]string{"networking", "patches"}, map[string]string{"networking": "subsystem net"}},
		{"list without topics", item.Item{Title: "Re: mm: slow folio path", Link: "https://lore.kernel.org/linux-kernel/3@x/"},
			[]string{"kernel-mail", "lore", "mm"}, map[string]string{"mm": "folio"}},
		{"content rule first", item.Item{Title: "[PATCH] net: tcp: fix", Link: "https://lore.kernel.org/netdev/4@x/"},
			[]string{"kernel-mail", "lore", "networking", "patches"}, map[string]string{"networking": "tcp"}},
		// A news headline's "Rust:" is no subsystem prefix, and an
		// unknown list is no list.
		{"headline", item.Item{Title: "mm: what the folio series means", Link: "https://lwn.net/Articles/1/"},
			[]string{"mm"}, map[string]string{"mm": "folio"}},
		{"unknown list", item.Item{Title: "Re: mm: x", Link: "https://lore.kernel.org/no-such-list/5@x/"},
			[]string{"lore"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.it
			tg.Tag(&it, "src", nil)
			if !slices.Equal(it.Topics, tc.want) {
				t.Fatalf("topics = %q, want %q (matched %+v)", it.Topics, tc.want, it.Matched)
			}
			for topic, rule := range tc.rules {
				if got := it.Matched[topic].Rule; got != rule {
					t.Errorf("%s: rule %q, want %q", topic, got, rule)
				}
			}
			for _, ex := range tg.Explain(tc.it, "src", nil) {
				if ex.Rule == "" {
					continue
				}
				if m, ok := it.Matched[ex.Topic]; !ok || m.Rule != ex.Rule {
					t.Errorf("Explain says %s by %q, Tag by %q", ex.Topic, ex.Rule, m.Rule)
				}
			}
		})
	}
}

func TestTablesErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"unknown list topic", func(s *Spec) { s.Lists[0].Topics = []string{"netwerking"} }, `list "netdev": unknown topic "netwerking"`},
		{"duplicate list", func(s *Spec) { s.Lists = append(s.Lists, List{Name: "NetDev"}) }, `list "NetDev": listed twice`},
		{"empty prefix", func(s *Spec) { s.Subsystems = append(s.Subsystems, Subsystem{}) }, "empty prefix"},
		{"unknown subsystem topic", func(s *Spec) { s.Subsystems[0].Topics = []string{"x"} }, `subsystem "mm": unknown topic "x"`},
	}
	for _, tc := range tests {
		s := tablesSpec()
		tc.edit(&s)
		if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Compile() error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestTablesFingerprint checks a table change re-tags stored items.
func TestTablesFingerprint(t *testing.T) {
	a, _ := Compile(tablesSpec())
	s := tablesSpec()
	s.Lists[0].Topics = nil
	b, _ := Compile(s)
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("a list table change kept the fingerprint")
	}
}

// TestKnownSubsystem checks extract:known_subsystem: true for a mail whose
// subject prefix the subsystem table knows (through a parent path too),
// false for an unknown prefix, for no prefix and for a news headline, so a
// word rule guarded by it reads only subjects the table cannot decide.
func TestKnownSubsystem(t *testing.T) {
	s := tablesSpec()
	s.Topics = append(s.Topics, TopicSpec{Slug: "cache", Rules: []RuleSpec{{Name: "page cache words",
		Fields: []Field{FieldTitle}, Group: Group{Any: terms("page cache"), None: terms(TermKnownSubsystem)}}}})
	tg, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	lore := func(subject string) item.Item {
		return item.Item{Title: subject, Link: "https://lore.kernel.org/linux-kernel/1@x/"}
	}
	tests := []struct {
		it   item.Item
		want bool
	}{
		{lore("[PATCH] net: phy: drop a page cache hack"), false},
		{lore("[PATCH] drm/nova/gsp: page cache for firmware"), false},
		{lore("[PATCH] stmpe-ts: page cache of the touch data"), true},
		{lore("Re: page cache thrashing on 7.1"), true},
		{item.Item{Title: "Net: a page cache story", Link: "https://example.org/a"}, true},
	}
	for _, tc := range tests {
		it := tc.it
		tg.Tag(&it, "", nil)
		if got := it.HasTopic("cache"); got != tc.want {
			t.Errorf("%q: cache %v, want %v (matched %v)", tc.it.Title, got, tc.want, it.Matched)
		}
	}
	if err := CheckTerm(TermKnownSubsystem); err != nil {
		t.Errorf("CheckTerm(%q): %v", TermKnownSubsystem, err)
	}
}
