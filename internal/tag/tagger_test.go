package tag

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/kernelwire/kernelwire/internal/item"
)

func terms(ts ...string) []Entry {
	var out []Entry
	for _, t := range ts {
		out = append(out, Entry{Term: t})
	}
	return out
}

// testTopics is a small rule set exercising every kind of entry.
func testTopics() []TopicSpec {
	return []TopicSpec{
		{Slug: "r4l", Title: "Rust for Linux", Rules: []RuleSpec{
			{Name: "project", Group: Group{Any: terms("rust-for-linux", "rust for linux")}},
			{Name: "rust in kernel", Group: Group{
				All:  terms("rust"),
				Any:  terms("kernel", "linux"),
				None: []Entry{{Group: &Group{Any: terms("corrosion", "re:\\brust(ed|y)\\b")}}},
			}},
		}},
		{Slug: "releases", Title: "Releases", Rules: []RuleSpec{
			{Name: "version released", Fields: []Field{FieldTitle}, Group: Group{
				All: terms("extract:kernel_version"), Any: terms("released", "releases", "mainline", "stable")}},
		}},
		{Slug: "security", Rules: []RuleSpec{
			{Name: "cve", Group: Group{Any: terms("extract:cve")}},
			{Name: "exploit", Fields: []Field{FieldTitle}, Group: Group{Any: terms("exploit"),
				All: []Entry{{Fields: []Field{FieldTitle, FieldSummary}, Group: &Group{Any: terms("kernel")}}}}},
		}},
		{Slug: "patches", Rules: []RuleSpec{
			{Name: "subject", Fields: []Field{FieldTitle}, Group: Group{Any: terms("extract:patch")}},
		}},
		{Slug: "maintainers", Rules: []RuleSpec{
			{Name: "person statement", Group: Group{All: terms(TermPerson), Any: terms("steps down", "says")}},
		}},
		{Slug: "lore", Rules: []RuleSpec{
			{Name: "host", Fields: []Field{FieldHost}, Group: Group{Any: terms("lore.kernel.org")}},
		}},
	}
}

var testPeople = []Person{{Name: "Linus Torvalds", Aliases: []string{"Torvalds"}, Roles: []string{"mainline maintainer"}}}

func mustCompile(t testing.TB) *Tagger {
	t.Helper()
	tg, err := Compile(Spec{Topics: testTopics(), People: testPeople})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestTag(t *testing.T) {
	tg := mustCompile(t)
	tests := []struct {
		name     string
		it       item.Item
		defaults []string
		want     map[string]item.Match
	}{
		{"hyphenated phrase, any case", item.Item{Title: "News from Rust-for-Linux"},
			nil, map[string]item.Match{"r4l": {Rule: "project", Words: []string{"rust-for-linux"}}}},
		{"phrase across a line break", item.Item{Summary: "<p>Rust\n  for <b>Linux</b></p>"},
			nil, map[string]item.Match{"r4l": {Rule: "project", Words: []string{"rust for linux"}}}},
		{"all plus any", item.Item{Title: "Rust's place in the kernel"},
			nil, map[string]item.Match{"r4l": {Rule: "rust in kernel", Words: []string{"rust", "kernel"}}}},
		{"word boundary: rustc is not rust", item.Item{Title: "rustc and the kernel"}, nil, nil},
		{"word boundary: trust is not rust", item.Item{Title: "Trust in the Linux kernel"}, nil, nil},
		{"nested none blocks", item.Item{Title: "Rust corrosion on Linux servers"}, nil, nil},
		{"regexp in nested none", item.Item{Title: "Rusty Linux boxes"}, nil, nil},
		{"extractor in title only", item.Item{Title: "Linux 6.13-rc1 released"},
			nil, map[string]item.Match{"releases": {Rule: "version released", Words: []string{"6.13-rc1", "released"}}}},
		{"extractor field restriction", item.Item{Title: "Released today", Summary: "Linux 6.13 is out"}, nil, nil},
		{"cve in content", item.Item{Content: "<p>Fixes CVE-2024-1086.</p>"},
			nil, map[string]item.Match{"security": {Rule: "cve", Words: []string{"CVE-2024-1086"}}}},
		{"group fields widen the rule's", item.Item{Title: "New exploit", Summary: "in the kernel"},
			nil, map[string]item.Match{"security": {Rule: "exploit", Words: []string{"kernel", "exploit"}}}},
		{"rule fields still bind the rest", item.Item{Title: "kernel news", Summary: "an exploit"}, nil, nil},
		{"patch subject", item.Item{Title: "[PATCH v2 1/3] rust: add foo"},
			nil, map[string]item.Match{
				"patches": {Rule: "subject", Words: []string{"PATCH"}},
			}},
		{"person alone is not enough", item.Item{Title: "Torvalds releases Linux 6.13"},
			nil, map[string]item.Match{"releases": {Rule: "version released", Words: []string{"6.13", "releases"}}}},
		{"person with governance word", item.Item{Title: "Linus Torvalds says no"},
			nil, map[string]item.Match{"maintainers": {Rule: "person statement", Words: []string{"Linus Torvalds", "Torvalds", "says"}}}},
		{"host field", item.Item{Title: "x", Link: "https://lore.kernel.org/rust-for-linux/123/"},
			nil, map[string]item.Match{"lore": {Rule: "host", Words: []string{"lore.kernel.org"}}}},
		{"link text does not leak into content", item.Item{Content: `<a href="https://rust-for-linux.com">site</a>`}, nil, nil},
		{"source default", item.Item{Title: "Unrelated"}, []string{"r4l"},
			map[string]item.Match{"r4l": {Rule: SourceDefaultRule}}},
		{"content rule beats default", item.Item{Title: "rust-for-linux"}, []string{"r4l", "r4l"},
			map[string]item.Match{"r4l": {Rule: "project", Words: []string{"rust-for-linux"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.it
			tg.Tag(&it, "src", tc.defaults)
			if !reflect.DeepEqual(it.Matched, tc.want) {
				t.Errorf("Matched = %#v, want %#v", it.Matched, tc.want)
			}
			var wantTopics []string
			for slug := range tc.want {
				wantTopics = append(wantTopics, slug)
			}
			slices.Sort(wantTopics)
			if !slices.Equal(it.Topics, wantTopics) {
				t.Errorf("Topics = %q, want %q", it.Topics, wantTopics)
			}
		})
	}
}

func TestTagExtracted(t *testing.T) {
	tg := mustCompile(t)
	it := item.Item{Title: "[PATCH v3 02/11] rust: kernel: add foo for Linux 6.13",
		Summary: "fixes CVE-2024-1086", Content: "and cve-2023-0179; see 10.0.0.1"}
	tg.Tag(&it, "", nil)
	want := item.Extracted{
		KernelVersions: []string{"6.13"},
		CVEs:           []string{"CVE-2024-1086", "CVE-2023-0179"},
		Patch:          &item.Patch{Kind: "PATCH", Version: 3, Index: 2, Total: 11, Subsystem: "rust"},
	}
	if !reflect.DeepEqual(it.Extracted, want) {
		t.Errorf("Extracted = %+v, want %+v", it.Extracted, want)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name   string
		topics []TopicSpec
		people []Person
		want   string
	}{
		{"bad regexp", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: terms("re:(")}}}}},
			nil, `topic "a" rule "r": any[0]: bad regexp "("`},
		{"no rules", []TopicSpec{{Slug: "a"}}, nil, `topic "a": no rules`},
		{"empty group", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{None: terms("x")}}}}},
			nil, `topic "a" rule "r": group needs an any or all entry`},
		{"nested empty group", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{All: []Entry{{Group: &Group{}}}}}}}},
			nil, `topic "a" rule "r": all[0]: group needs`},
		{"unknown extractor", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: terms("extract:foo")}}}}},
			nil, `unknown extractor "extract:foo"`},
		{"unknown field", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Fields: []Field{"body"}, Group: Group{Any: terms("x")}}}}},
			nil, `unknown field "body"`},
		{"duplicate slug", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: terms("x")}}}},
			{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: terms("x")}}}}}, nil, `topic "a": empty or duplicate slug`},
		{"empty alias", nil, []Person{{Name: "X", Aliases: []string{" "}}}, `person 0 ("X"): empty name or alias`},
		{"fields on a term", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: []Entry{{Term: "x", Fields: []Field{"title"}}}}}}}},
			nil, `fields may only be set on a group entry`},
		{"empty term", []TopicSpec{{Slug: "a", Rules: []RuleSpec{{Name: "r", Group: Group{Any: terms("")}}}}}, nil, `empty term`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(Spec{Topics: tc.topics, People: tc.people})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile() error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	tg := mustCompile(t)
	it := item.Item{Title: "Torvalds on rust corrosion in Linux 6.13, released"}
	got := tg.Explain(it, "", []string{"security"})
	want := []Explanation{
		{Topic: "r4l", NearMisses: []NearMiss{{
			Rule:   "rust in kernel",
			Words:  []string{"linux"},
			Failed: []string{`none: {any: ["corrosion", "re:\\brust(ed|y)\\b"]} found (corrosion)`},
		}}},
		{Topic: "releases", Rule: "version released", Words: []string{"6.13", "released"}},
		{Topic: "security", Rule: SourceDefaultRule},
	}
	// maintainers is absent: its person entry matched but its any-list
	// ("steps down", "says") did not, so it is no near miss.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Explain() =\n%#v\nwant\n%#v", got, want)
	}

	it = item.Item{Title: "Linus Torvalds says no"}
	got = tg.Explain(it, "", nil)
	wantM := Explanation{Topic: "maintainers", Rule: "person statement",
		Words: []string{"Linus Torvalds", "Torvalds", "says"}, People: []string{"Linus Torvalds (mainline maintainer)"}}
	if len(got) != 1 || !reflect.DeepEqual(got[0], wantM) {
		t.Errorf("Explain() = %#v, want [%#v]", got, wantM)
	}
}

func TestTopics(t *testing.T) {
	tg := mustCompile(t)
	got := tg.Topics()
	if len(got) != 6 || got[0] != (item.Topic{Slug: "r4l", Title: "Rust for Linux"}) {
		t.Errorf("Topics() = %+v", got)
	}
	got[0].Slug = "changed"
	if tg.Topics()[0].Slug != "r4l" {
		t.Error("Topics() returned the Tagger's own slice")
	}
}

// BenchmarkTag tags 200 varied items with a rule set of the shipped size
// (about 600 phrases); config's BenchmarkTagShipped runs the real one.
func BenchmarkTag(b *testing.B) {
	var topics []TopicSpec
	for i := range 13 {
		var rules []RuleSpec
		for j := range 5 {
			var phrases []string
			for k := range 10 {
				phrases = append(phrases, fmt.Sprintf("word%d-%d-%d", i, j, k))
			}
			rules = append(rules, RuleSpec{Name: fmt.Sprint("r", j), Group: Group{
				Any: terms(phrases...), All: terms("kernel"), None: terms("re:corro(sion|ded)")}})
		}
		topics = append(topics, TopicSpec{Slug: fmt.Sprint("t", i), Rules: rules})
	}
	tg, err := Compile(Spec{Topics: topics, People: testPeople})
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("<p>The Linux kernel community discussed folios, Rust bindings and schedulers. </p>", 20)
	items := make([]item.Item, 200)
	for i := range items {
		items[i] = item.Item{Title: fmt.Sprintf("word%d-%d-%d in kernel 6.%d", i%13, i%5, i%10, i%20),
			Summary: "Torvalds says " + body[:200], Content: body, Link: "https://lwn.net/Articles/1/"}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range items {
			it := items[i]
			tg.Tag(&it, "lwn", nil)
		}
	}
}

func TestSplitLink(t *testing.T) {
	tests := []struct{ link, host, path string }{
		{"https://lwn.net/Articles/1/", "lwn.net", "/Articles/1/"},
		{"https://lore.kernel.org/rust-for-linux/20250101@x/?q=1#m", "lore.kernel.org", "/rust-for-linux/20250101@x/"},
		{"http://user:pw@example.org:8080/a%20b", "example.org", "/a%20b"},
		{"https://[::1]:8443/x", "::1", "/x"},
		{"https://www.kernel.org", "www.kernel.org", ""},
		{"mailto:someone@example.org", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.link, func(t *testing.T) {
			host, path := splitLink(tc.link)
			if host != tc.host || path != tc.path {
				t.Errorf("splitLink(%q) = %q, %q; want %q, %q", tc.link, host, path, tc.host, tc.path)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := mustCompile(t).Fingerprint()
	if again := mustCompile(t).Fingerprint(); again != base {
		t.Fatalf("same rules, fingerprints %s and %s", base, again)
	}
	change := []struct {
		name string
		edit func(topics []TopicSpec, people []Person) ([]TopicSpec, []Person)
	}{
		{"term", func(ts []TopicSpec, p []Person) ([]TopicSpec, []Person) {
			ts[0].Rules[0].Any = terms("rust-for-linux", "rust4linux")
			return ts, p
		}},
		{"fields", func(ts []TopicSpec, p []Person) ([]TopicSpec, []Person) {
			ts[0].Rules[0].Fields = []Field{FieldTitle}
			return ts, p
		}},
		{"rule name", func(ts []TopicSpec, p []Person) ([]TopicSpec, []Person) {
			ts[1].Rules[0].Name = "renamed"
			return ts, p
		}},
		{"topic removed", func(ts []TopicSpec, p []Person) ([]TopicSpec, []Person) {
			return ts[1:], p
		}},
		{"person alias", func(ts []TopicSpec, p []Person) ([]TopicSpec, []Person) {
			return ts, []Person{{Name: "Linus Torvalds", Aliases: []string{"Linus"}}}
		}},
	}
	for _, tc := range change {
		t.Run(tc.name, func(t *testing.T) {
			topics, people := tc.edit(testTopics(), slices.Clone(testPeople))
			tg, err := Compile(Spec{Topics: topics, People: people})
			if err != nil {
				t.Fatal(err)
			}
			if tg.Fingerprint() == base {
				t.Errorf("fingerprint unchanged after changing the %s", tc.name)
			}
		})
	}
}

// normalizeRef is the plain definition normalize must agree with.
func normalizeRef(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u2019' || r == '\u2018':
			r = '\''
		case r == '\u017f':
			r = 's'
		default:
			r = unicode.ToLower(r)
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", " Linux  Kernel\n", "Kernel’s ſ", "a\u00a0b\u0085c", "\xffX", "already normal", "trailing "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalize(s), normalizeRef(s); got != want {
			t.Fatalf("normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzScan checks the automaton against a plain search: every whole-word
// occurrence of a phrase in the normalised text, and the same on the raw
// ASCII text, which scan folds itself.
func FuzzScan(f *testing.F) {
	f.Add("Rust for Linux, the kernel's rust-for-linux\tlist", "rust for linux|kernel's|rust|linux")
	f.Add("a  b ab", "a b|ab|b")
	f.Fuzz(func(t *testing.T, text, phrases string) {
		var pats []string
		seen := map[string]bool{}
		for _, p := range strings.Split(phrases, "|") {
			if p = normalize(p); p != "" && !seen[p] {
				seen[p] = true
				pats = append(pats, p)
			}
		}
		a, err := newAutomaton(pats)
		if err != nil {
			return // more nodes than the table holds: Compile rejects such rules
		}
		norm := normalize(text)
		want := map[int32]bool{}
		for id, p := range pats {
			for i := 0; i+len(p) <= len(norm); i++ {
				if norm[i:i+len(p)] == p && atBoundary(norm, i, i+len(p)) {
					want[int32(id)] = true
				}
			}
		}
		inputs := []string{norm}
		if isASCII(text) {
			inputs = append(inputs, text)
		}
		for _, in := range inputs {
			got := map[int32]bool{}
			for _, id := range a.scan(in, nil) {
				got[id] = true
			}
			if !maps.Equal(got, want) {
				t.Fatalf("scan(%q) over %q found %v, want %v", in, pats, got, want)
			}
		}
	})
}

// TestTagConcurrent runs Tag from several goroutines on one Tagger, whose
// scratch space is pooled: results must match a sequential run (and -race
// must stay quiet).
func TestTagConcurrent(t *testing.T) {
	tg := mustCompile(t)
	titles := []string{"News from Rust-for-Linux", "Linux 6.13-rc1 released", "[PATCH] sched: x",
		"Kernel exploit CVE-2024-1086", "Linus Torvalds steps down", "Nothing at all"}
	want := make([][]string, len(titles))
	for i, title := range titles {
		it := item.Item{Title: title, Summary: "<p>The kernel</p>", Link: "https://lore.kernel.org/x/"}
		tg.Tag(&it, "src", nil)
		want[i] = it.Topics
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for n := range 200 {
				i := n % len(titles)
				it := item.Item{Title: titles[i], Summary: "<p>The kernel</p>", Link: "https://lore.kernel.org/x/"}
				tg.Tag(&it, "src", nil)
				if !slices.Equal(it.Topics, want[i]) {
					t.Errorf("%q: topics %q, want %q", titles[i], it.Topics, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
