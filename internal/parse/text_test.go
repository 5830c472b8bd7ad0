package parse

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestTextFields: titles and text constructs keep every character unless
// their type says HTML (one case per format and type).
func TestTextFields(t *testing.T) {
	type want struct {
		title, summary, content string
	}
	tests := []struct {
		file string
		want []want // by item; "" fields are not checked
	}{
		{"lore-shaped-atom_angle-bracket-subjects.atom", []want{
			{title: "[PATCH] mm/slub: include <linux/slab.h> in mm/slab_common.c"},
			{title: "Re: [PATCH v2 3/7] rust: alloc: add Vec<T>::push_within_capacity (was <bar@example.org>)"},
			// type="html": reduced to text, its escaped "<script>" kept.
			{title: "Why <script> tags & inline handlers are refused", summary: "a &lt;b&gt; c"},
			{title: "Why <script> tags in titles are text", summary: "<p>HTML &amp; more</p>"},
		}},
		{"rss-shaped-xmlbase-atomlink-description-only.xml", []want{
			{title: "Announcing Rust 1.70.0"},
			{title: "Only an atom:link"},
			{title: ""},
			{title: "C++ templates: Vec<T> and x < y"},
			{title: "Linux 6.18 & friends"},
		}},
		{"jsonfeed-shaped-text-fields.json", []want{
			{title: "Option<Box<dyn Error>> in kernel code", content: "literal a &lt;b&gt; c is text"},
			{title: "Rust&#8217;s &lt;3 for C", summary: "x &lt; y", content: "<p>html <b>content</b></p>"},
		}},
	}
	p := NewParser()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			feed, err := p.Parse(readFixture(t, tc.file), "", "https://feeds.example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != len(tc.want) {
				t.Fatalf("got %d items, want %d", len(feed.Items), len(tc.want))
			}
			for i, w := range tc.want {
				it := feed.Items[i]
				if it.Title != w.title {
					t.Errorf("item %d title: got %q, want %q", i, it.Title, w.title)
				}
				if w.summary != "" && it.Summary != w.summary {
					t.Errorf("item %d summary: got %q, want %q", i, it.Summary, w.summary)
				}
				if w.content != "" && it.Content != w.content {
					t.Errorf("item %d content: got %q, want %q", i, it.Content, w.content)
				}
			}
		})
	}
}

func TestTitleOf(t *testing.T) {
	tests := []struct {
		in, typ string
		rss     bool
		want    string
	}{
		{"include <linux/slab.h>", "", true, "include <linux/slab.h>"},
		{"include <linux/slab.h>", "text", false, "include <linux/slab.h>"},
		{"include <linux/slab.h>", "html", false, "include <linux/slab.h>"},
		{"Vec<T>", "", true, "Vec<T>"},
		{"(was <bar@example.org>)", "", true, "(was <bar@example.org>)"},
		{"Why <script> tags are bad", "", true, "Why <script> tags are bad"},
		{"Why <script> tags are bad", "text", false, "Why <script> tags are bad"},
		{"a &amp; b", "text", false, "a &amp; b"},
		{"a &amp; b", "", true, "a & b"},
		{"<b>bold</b> move", "", true, "bold move"},
		{"<b>bold</b> move", "text", false, "<b>bold</b> move"},
		{"<xhtml:b>x</xhtml:b> y", "xhtml", false, "x y"},
		{"one<br/>two", "", true, "one two"},
		{"AT&T 5 < 6", "", true, "AT&T 5 < 6"},
	}
	for _, tc := range tests {
		if got := titleOf(tc.in, tc.typ, tc.rss); got != tc.want {
			t.Errorf("titleOf(%q, %q, rss=%v): got %q, want %q", tc.in, tc.typ, tc.rss, got, tc.want)
		}
	}
}

// TestLinks: xml:base as RFC 3986 resolves it, and the links an item has
// when it has no plain <link>.
func TestLinks(t *testing.T) {
	feed, err := Parse(readFixture(t, "rss-shaped-xmlbase-atomlink-description-only.xml"), "", "https://blog.example.org/feed.xml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed.Link, "https://blog.example.org/2023/06/01/index.html"; got != want {
		t.Errorf("feed link: got %q, want %q", got, want)
	}
	tests := []struct {
		item     int
		link     string
		contains []string
	}{
		{0, "https://blog.example.org/2023/06/01/Rust-1.70.0.html", []string{
			`href="https://blog.example.org/2023/06/01/Rust-1.70.0.html#sparse"`,
			`href="https://blog.example.org/2023/05/29/RustConf.html"`,
		}},
		{1, "https://blog.example.org/posts/atom-link-only", nil},
		{2, "", nil},
	}
	for _, tc := range tests {
		it := feed.Items[tc.item]
		if it.Link != tc.link {
			t.Errorf("item %d link: got %q, want %q", tc.item, it.Link, tc.link)
		}
		for _, c := range tc.contains {
			if !strings.Contains(it.Summary, c) {
				t.Errorf("item %d summary %q lacks %s", tc.item, it.Summary, c)
			}
		}
	}

	// The Rust blog: content xml:base is the post's URL.
	feed, err = Parse(readFixture(t, "rust-blog-feed_2023-07-18_atom.xml"), "", "https://blog.rust-lang.org/feed.xml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	frags := 0
	for _, it := range feed.Items {
		if strings.Contains(it.Content, `.html/#`) || strings.Contains(it.Content, `.html/`) {
			t.Errorf("%s: a document URL used as a folder in %q", it.Link, firstMatch(it.Content, ".html/"))
		}
		frags += strings.Count(it.Content, `.html#`)
	}
	if frags == 0 {
		t.Error("no fragment link resolved against its post")
	}

	// Atom: rel="self" is not the article.
	feed, err = Parse(readFixture(t, "lore-shaped-atom_angle-bracket-subjects.atom"), "", "https://lore.kernel.org/linux-mm/new.atom", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := feed.Items[3].Link; got != "" {
		t.Errorf("self-only entry: got link %q, want none", got)
	}
	if got := feed.Items[3].GUID; got != "urn:uuid:00000000-0000-0000-0000-000000000004" {
		t.Errorf("guid: got %q", got)
	}
	if got := feed.Items[3].Categories; !slices.Equal(got, []string{"mm"}) {
		t.Errorf("categories: got %q, want the term", got)
	}
}

func firstMatch(s, sub string) string {
	i := strings.Index(s, sub)
	return s[max(0, i-60):min(len(s), i+20)]
}

func TestXMLBaseScan(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/a/b.html"><title type="html">x</title>
<entry xml:base="c/d.html"><title>t</title><content type="html" xml:base="../e/"><![CDATA[<a href="f">]]></content></entry>
<!-- <entry xml:base="nope"> --><entry><summary type="text">s</summary></entry></feed>`
	out, info := scanXML([]byte(doc), "http://doc.example/feed", false)
	if strings.Count(string(out), "xml:base") != 1 { // the one in a comment
		t.Errorf("xml:base left in %s", out)
	}
	if info.base != "http://example.org/a/b.html" || info.titleType != "html" || len(info.entries) != 2 {
		t.Fatalf("got %+v", info)
	}
	if e := info.entries[0]; e.base != "http://example.org/a/c/d.html" || e.contentBase != "http://example.org/a/e/" {
		t.Errorf("entry 0: got %+v", e)
	}
	if e := info.entries[1]; e.base != "http://example.org/a/b.html" || e.summaryType != "text" {
		t.Errorf("entry 1: got %+v", e)
	}
}

// TestCaps: nothing an upstream sends makes an unbounded title or summary.
func TestCaps(t *testing.T) {
	huge := strings.Repeat("word ", 200_000)
	doc := `<rss version="2.0"><channel><title>` + huge + `</title>
<item><title>` + huge + `</title><link>https://example.org/1</link><description>&lt;p&gt;` + huge + `&lt;/p&gt;</description></item>
</channel></rss>`
	feed, err := Parse([]byte(doc), "", "https://example.org/feed", testNow)
	if err != nil {
		t.Fatal(err)
	}
	it := feed.Items[0]
	if n := len([]rune(it.Title)); n > maxTitle || !strings.HasSuffix(it.Title, "…") {
		t.Errorf("title: %d characters", n)
	}
	if n := len([]rune(feed.Title)); n > maxFeedTitle {
		t.Errorf("feed title: %d characters", n)
	}
	if len(it.Summary) > maxSummary || len(it.Content) > maxContent+16 || !strings.HasPrefix(it.Content, "<p>word") {
		t.Errorf("summary %d bytes, content %d bytes (%.20q)", len(it.Summary), len(it.Content), it.Content)
	}
	if got := capText("short", 10); got != "short" {
		t.Errorf("capText: got %q", got)
	}
	if got := truncateHTML("<p><b>abc</b> def ghi</p>", 17); got != "<p><b>abc</b> def</p><p>…</p>" {
		t.Errorf("truncateHTML: got %q", got)
	}
	if got := truncateHTML("<p>abc def &amp; ghi</p>", 15); got != "<p>abc def</p><p>…</p>" {
		t.Errorf("truncateHTML: got %q", got)
	}
}

var _ = time.UTC

// TestXMLCharsFastPaths: xmlClean and xmlChars, which take ASCII a byte
// at a time, agree with the rune-wise rule (xmlChar; invalid UTF-8 is never
// clean and becomes U+FFFD) on every rune, alone and between ASCII, on
// every lone byte, and on truncated encodings.
func TestXMLCharsFastPaths(t *testing.T) {
	runeWise := func(s string) (bool, string) {
		clean := true
		var b strings.Builder
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			switch {
			case r == utf8.RuneError && n == 1:
				clean = false
				b.WriteRune(utf8.RuneError)
			case xmlChar(r):
				b.WriteRune(r)
			default:
				clean = false
			}
		}
		return clean, b.String()
	}
	check := func(s string) {
		clean, want := runeWise(s)
		if got := xmlClean(s); got != clean {
			t.Errorf("xmlClean(%q) = %v, want %v", s, got, clean)
		}
		if got := xmlChars(s); got != want {
			t.Errorf("xmlChars(%q) = %q, want %q", s, got, want)
		}
	}
	for b := range 256 {
		check(string([]byte{byte(b)}))
		check("ab" + string([]byte{byte(b)}) + "cd\x01")
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		check(string(buf[:n]))
		check("x" + string(buf[:n]) + "\n")
		if n > 1 {
			check("x" + string(buf[:n-1]))
		}
	}
	clean, dirty := 0, 0
	for _, s := range []string{"plain", "tab\tand\r\nnewlines", "\x00", "a\x1fb", "caf\u00e9 \u2014 \U0001F600", "\uFFFE", "\xed\xa0\x80", "\xff"} {
		check(s)
		if xmlClean(s) {
			clean++
		} else {
			dirty++
		}
	}
	if clean == 0 || dirty == 0 {
		t.Fatalf("%d clean, %d dirty: the cases test nothing", clean, dirty)
	}
}

// BenchmarkXMLChars checks every fixture's text for characters XML
// forbids, as sanitize does twice for each summary and content.
func BenchmarkXMLChars(b *testing.B) {
	var all []string
	var size int64
	for _, name := range fixtures(b) {
		all = append(all, string(readFixture(b, name)))
		size += int64(len(all[len(all)-1]))
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, s := range all {
			_ = xmlChars(s)
		}
	}
}
