package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The cases of the four conversions Text replaced (parse's titles, tag's
// matching text, publish's JSON summaries, web's excerpts) all hold.
func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain words", "plain words"},
		{"plain  text\n", "plain text"},
		{"  Rust\n\t 1.71   released ", "Rust 1.71 released"},
		{"Tom &amp;amp; Jerry", "Tom &amp; Jerry"},
		{"A &lt;b&gt;", "A <b>"},
		{"&lt;tag&gt; literal", "<tag> literal"},
		{"<b>Linux</b> 6.18 &ndash; out", "Linux 6.18 – out"},
		{"AT&T & friends", "AT&T & friends"},
		{"Café &#233;&#x20AC;", "Café é€"},
		{"bell\x07 and nul\x00 gone", "bell and nul gone"},
		{"a \x07 b", "a b"},
		{"broken \xff byte", "broken \uFFFD byte"},
		{"<p>para</p><p>two</p>", "para two"},
		{"<p>a</p><p>b &amp; c</p>", "a b & c"},
		{"Fish &amp; <b>chips</b>", "Fish & chips"},
		{"<b>Rust</b>ls and <em>Alma</em>Linux", "Rustls and AlmaLinux"},
		{"line<br>break<br/>again", "line break again"},
		{"<script>alert(1)</script>safe", "safe"},
		{"<img src=x onerror=alert(1)>x<script>alert(1)</script><style>p{}</style>y", "x y"},
		{"<b>unclosed", "unclosed"},
		{"issued by <b>AlmaLinux</b>, <a href=x>Debian</a>.<br>Next", "issued by AlmaLinux, Debian. Next"},
		{`see <a href="https://github.com/Rust-for-Linux">the project</a>`, "see the project"},
		{"x < y", "x < y"},
		{"<!-- a comment -->text", "text"},
		{"nbsp&nbsp;&nbsp;here", "nbsp here"},
		// Only HTML elements are markup.
		{"[PATCH] mm: include <linux/slab.h>", "[PATCH] mm: include <linux/slab.h>"},
		{"rust: use Vec<T> and Option<Box<Error>>", "rust: use Vec<T> and Option<Box<Error>>"},
		{"Reported-by: A <bar@example.org>", "Reported-by: A <bar@example.org>"},
		{"<xhtml:b>bold</xhtml:b>text", "boldtext"},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTextNoCopy checks that text needing no change comes back as is: the
// common case for titles costs no allocation.
func TestTextNoCopy(t *testing.T) {
	s := "Linux 6.18-rc1 released: what's new"
	if n := testing.AllocsPerRun(10, func() { _ = Text(s) }); n != 0 {
		t.Errorf("Text allocated %v times for clean text", n)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"<p>a</p><p>b</p>", "Tom &amp;amp; Jerry", "x < y", "<script>x</script>y",
		"bell\x07", "\xff", "  a\n b ", "<a href='>'>t</a>", "&#0;&#xD800;&#7;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q) = %q: invalid UTF-8", s, got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Errorf("Text(%q) = %q: white space not collapsed", s, got)
		}
		for _, r := range got {
			if !xmlChar(r) || r != ' ' && r < 0x20 {
				t.Fatalf("Text(%q) = %q: holds %U", s, got, r)
			}
		}
		if again := clean(got); again != got {
			t.Errorf("clean(Text(%q)) = %q, not %q", s, again, got)
		}
	})
}

// FuzzSimpleText checks the fast path against the tokenizer: whenever
// simpleText accepts an input, it must read it as the tokenizer does.
func FuzzSimpleText(f *testing.F) {
	for _, s := range []string{"<p>a</p><p>b</p>", `<a href="x>y" rel='n'>t</a>u`, "<br/>x<br />y", "a<b", "a < b",
		"<P CLASS=x>y</P>", "<a b=c/>d", "<a b/>c", "<b>x</b", "x<", "&amp;<i>y</i>&lt;", "<img src=x alt>z",
		"<a\fb>c", "<div a=\"1\"b=\"2\">x</div>", "</x y=\"z\">w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := simpleText(s)
		if !ok {
			return
		}
		if want := tokenizedText(s); clean(got) != clean(want) {
			t.Errorf("simpleText(%q) = %q, tokenizer %q", s, clean(got), clean(want))
		}
	})
}

func BenchmarkText(b *testing.B) {
	summary := `<p>The <a href="https://lwn.net/Articles/1/" rel="nofollow noopener">6.13 merge window</a> is open; ` +
		`Linus Torvalds has pulled <b>11,307</b> non-merge changesets &mdash; including the <code>sched_ext</code> ` +
		`updates.</p><p>See <em>the full story</em> for details.</p>`
	b.ReportAllocs()
	for b.Loop() {
		_ = Text(summary)
	}
}

func FuzzPrintableASCII(f *testing.F) {
	f.Add("plain text, ok")
	f.Add("tab\there")
	f.Add("caf\xc3\xa9 and more text")
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x80 {
				want = false
			}
		}
		if got := printableASCII(s); got != want {
			t.Errorf("printableASCII(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzPlainRun(f *testing.F) {
	f.Add("plain text, ok  then")
	f.Add("tab\there and a long line of words")
	f.Add("caf\xc3\xa9 and more text")
	f.Add("1234567 second")
	f.Fuzz(func(t *testing.T, s string) {
		want := len(s)
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x80 || c == '&' || c == ' ' && i > 0 && s[i-1] == ' ' {
				want = i
				break
			}
		}
		if got := plainRun(s); got != want {
			t.Errorf("plainRun(%q) = %d, want %d", s, got, want)
		}
	})
}
