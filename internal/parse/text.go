package parse

import (
	"html"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// plainText turns a feed string that may carry markup into plain text: tags
// are stripped, entities unescaped once (the HTML tokenizer unescapes text
// exactly once), whitespace collapsed, and characters XML 1.0 forbids
// dropped. gofeed has already undone the XML escaping, so a title written as
// "Tom &amp;amp;amp; Jerry" in the XML arrives as "Tom &amp;amp; Jerry" and
// leaves as "Tom &amp; Jerry"; "A &lt;b&gt;" leaves as "A <b>".
func plainText(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		return collapse(xmlChars(s))
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not prose
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return collapse(xmlChars(b.String()))
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			if rawTextElement(string(name)) {
				skip++
			}
			if !inlineElement(string(name)) {
				b.WriteByte(' ')
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if rawTextElement(string(name)) && skip > 0 {
				skip--
			}
			if !inlineElement(string(name)) {
				b.WriteByte(' ')
			}
		case xhtml.SelfClosingTagToken:
			b.WriteByte(' ')
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

// inlineElement names elements that do not separate words, so "<b>Rust</b>ls"
// stays "Rustls" while "<p>a</p><p>b</p>" becomes "a b".
func inlineElement(name string) bool {
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
		"time", "tt", "u", "var", "del", "ins", "font":
		return true
	}
	return false
}

// collapse trims s and collapses every run of white space to one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// xmlChars drops what XML 1.0 (section 2.2, Char) forbids: C0 controls other
// than tab, LF and CR, surrogates, U+FFFE and U+FFFF. Invalid UTF-8 becomes
// U+FFFD. Output formats are XML (RSS, Atom): one stray byte from an
// upstream would make every feed we publish malformed (DEPENDENCIES.md,
// gorilla/feeds trap 9).
func xmlChars(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r) || (r == utf8.RuneError && n == 1) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
			continue
		}
		if xmlChar(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD ||
		0x10000 <= r && r <= 0x10FFFF
}

// excerptLen is the target length, in characters, of a derived summary.
const excerptLen = 300

// excerpt is a plain-text summary of sanitised HTML: about excerptLen
// characters, cut at a word boundary, HTML-escaped so that it is valid HTML
// like every Summary.
func excerpt(htmlText string) string {
	text := plainText(htmlText)
	if utf8.RuneCountInString(text) > excerptLen {
		cut, n := len(text), 0
		for i := range text {
			if n == excerptLen {
				cut = i
				break
			}
			n++
		}
		if sp := strings.LastIndexByte(text[:cut], ' '); sp > excerptLen/2 {
			cut = sp
		}
		text = strings.TrimRight(text[:cut], " ,;:.-") + "…"
	}
	return html.EscapeString(text)
}
