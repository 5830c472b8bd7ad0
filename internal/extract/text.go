package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// Text turns a string that may carry HTML markup into one line of plain
// text. It is the one conversion every package uses (parse for titles and
// excerpts, tag before matching, publish for JSON Feed summaries, web for
// the page), so that an item reads the same everywhere:
//   - tags are dropped; block elements separate words ("<p>a</p><p>b</p>"
//     is "a b") while inline ones do not ("<b>Rust</b>ls" is "Rustls");
//   - the text of script, style and other non-prose elements is dropped,
//     and attribute values go with their tags (a link to
//     github.com/Rust-for-Linux is not the text mentioning it);
//   - only HTML's elements are markup: "<linux/slab.h>", "Vec<T>" and
//     "<bar@example.org>" in a kernel mail subject stay as written;
//   - character references are decoded exactly once, as the HTML tokenizer
//     does: feed parsers have already undone the XML escaping, so
//     "Tom &amp;amp; Jerry" becomes "Tom &amp; Jerry" and "A &lt;b&gt;"
//     becomes "A <b>"; a bare "<" or "&" in text ("a < b", "AT&T") stays;
//   - runs of white space become one space, the ends are trimmed, the
//     characters XML 1.0 forbids (section 2.2, Char) are dropped and
//     invalid UTF-8 becomes U+FFFD, so the text is safe in any output.
func Text(s string) string {
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		return clean(s)
	}
	if t, ok := simpleText(s); ok {
		return t
	}
	return tokenizedText(s)
}

// tokenizedText is Text by the HTML tokenizer: for any input, at the
// tokenizer's speed.
func tokenizedText(s string) string {
	var b textWriter
	b.buf.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not prose
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.buf.String()
		case html.TextToken:
			if skip == 0 {
				b.write(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tag, _ := z.TagName()
			name := localName(string(tag))
			if !HTMLElement(name) {
				// "<linux/slab.h>", "Vec<T>", "<bar@example.org>":
				// not markup, so the text is kept as written.
				if skip == 0 {
					b.write(string(z.Raw()))
				}
				continue
			}
			if tt != html.SelfClosingTagToken && rawTextElement(name) {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if tt == html.SelfClosingTagToken || !inlineElement(name) {
				b.sep()
			}
		}
	}
}

// rawTextElement names elements whose content is code or styling, not text.
func rawTextElement(name string) bool {
	switch name {
	case "script", "style", "template", "noscript", "iframe", "object", "svg", "math":
		return true
	}
	return false
}

// inlineElement names the phrasing elements that do not separate words, so
// "<b>Rust</b>ls" stays "Rustls" and "<b>Alma</b>Linux," stays "AlmaLinux,".
func inlineElement(name string) bool {
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
		"time", "tt", "u", "var", "del", "ins", "font":
		return true
	}
	return false
}
