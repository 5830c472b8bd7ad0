package parse

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, base string
		want           string   // exact, when set
		contains       []string // substrings that must be there
		absent         []string // substrings that must not
	}{
		{name: "script removed", in: `<p>hi</p><script>alert(1)</script>`, want: `<p>hi</p>`},
		{name: "style element removed", in: `<style>p{color:red}</style><p>x</p>`, want: `<p>x</p>`},
		{name: "style attribute removed", in: `<p style="color:red">x</p>`, want: `<p>x</p>`},
		{name: "event handler removed", in: `<a href="https://example.org/" onclick="steal()">x</a>`, want: `<a href="https://example.org/" rel="nofollow noopener">x</a>`},
		{name: "link gets rel", in: `<a href="https://example.org/">x</a>`, want: `<a href="https://example.org/" rel="nofollow noopener">x</a>`},
		{name: "upstream rel replaced", in: `<a href="https://example.org/" rel="me author">x</a>`, want: `<a href="https://example.org/" rel="nofollow noopener">x</a>`},
		{name: "javascript url removed", in: `<a href="javascript:alert(1)">x</a>`, absent: []string{"javascript"}},
		{name: "iframe removed", in: `<iframe src="https://evil.example/"></iframe><p>x</p>`, want: `<p>x</p>`},
		{name: "form removed", in: `<form action="/x"><input name="q"><button>go</button></form>`, absent: []string{"<form", "<input", "<button"}},
		{name: "code and pre kept", in: "<pre><code>fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre>", want: "<pre><code>fn main() {\n    println!(&#34;&lt;hi&gt;&#34;);\n}</code></pre>"},
		{name: "relative href resolved", in: `<a href="../b">b</a>`, base: "https://example.org/a/x", want: `<a href="https://example.org/b" rel="nofollow noopener">b</a>`},
		{name: "relative src resolved", in: `<img src="/i.png" alt="i">`, base: "https://example.org/a/x", contains: []string{`src="https://example.org/i.png"`, `alt="i"`}},
		{name: "relative kept without base", in: `<a href="/b">b</a>`, contains: []string{`href="/b"`}},
		{name: "forbidden characters stripped", in: "<p>a\x00b\x0bc\uFFFEd</p>", want: "<p>abcd</p>"},
		{name: "plain text stays text", in: "just text & more", want: "just text &amp; more"},
		{name: "empty", in: "  ", want: ""},
	}
	p := NewParser()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.sanitize(tc.in, tc.base)
			if tc.want != "" || (tc.contains == nil && tc.absent == nil) {
				if got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
			for _, c := range tc.contains {
				if !strings.Contains(got, c) {
					t.Errorf("got %q, want it to contain %q", got, c)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("got %q, want no %q", got, a)
				}
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("kernel ", 100)
	tests := []struct{ in, want string }{
		{"<p>short &amp; sweet</p>", "short &amp; sweet"},
		{"<p>a</p><p>b &lt; c</p>", "a b &lt; c"},
		{long, strings.TrimSpace(strings.Repeat("kernel ", 42)) + "…"},
	}
	for _, tc := range tests {
		if got := excerpt(tc.in); got != tc.want {
			t.Errorf("excerpt(%.40q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
