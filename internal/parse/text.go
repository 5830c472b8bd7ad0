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
			if !knownElement(string(name)) {
				// "<linux/slab.h>", "Vec<T>", "<bar@example.org>": not
				// markup, whatever the type says, so the text is kept.
				if skip == 0 {
					b.Write(z.Raw())
				}
				continue
			}
			if rawTextElement(string(name)) {
				skip++
			}
			if !inlineElement(string(name)) {
				b.WriteByte(' ')
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if !knownElement(string(name)) {
				if skip == 0 {
					b.Write(z.Raw())
				}
				continue
			}
			if rawTextElement(string(name)) && skip > 0 {
				skip--
			}
			if !inlineElement(string(name)) {
				b.WriteByte(' ')
			}
		case xhtml.SelfClosingTagToken:
			if name, _ := z.TagName(); !knownElement(string(name)) {
				if skip == 0 {
					b.Write(z.Raw())
				}
				continue
			}
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

// htmlElements are the element names of HTML (WHATWG, plus the obsolete
// ones feeds still carry). Only these are markup when a string is read as
// HTML: "<linux/slab.h>", "Vec<T>" or "Option<Box<Error>>" in a kernel mail
// subject are text even in an HTML-typed title.
var htmlElements = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`a abbr acronym address area article aside audio b base basefont bdi bdo
		big blink blockquote body br button canvas caption center cite code col colgroup data datalist
		dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
		frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li
		link main map mark marquee menu meta meter nav nobr noembed noframes noscript object ol optgroup
		option output p param picture plaintext pre progress q rp rt ruby s samp script search section
		select slot small source span strike strong style sub summary sup svg math table tbody td template
		textarea tfoot th thead time title tr track tt u ul var video wbr xmp`) {
		m[n] = true
	}
	return m
}()

// knownElement reports whether a tag name (lower-cased by the tokenizer,
// possibly prefixed as in XHTML "xhtml:b") is an HTML element.
func knownElement(name string) bool {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return htmlElements[name]
}

// textOf is a plain-text string as it reaches us (Atom type="text", JSON
// Feed title and summary, an RSS title without markup): every character is
// kept, only white space is collapsed and characters XML forbids dropped.
func textOf(s string) string {
	return collapse(xmlChars(s))
}

// titleOf reads a title by its declared type: Atom "html" and "xhtml" are
// reduced to text; Atom "text" (the default) is text; RSS titles have no
// type, so they are HTML only when they look like it (looksLikeMarkup),
// as feedparser decides.
func titleOf(s, typ string, rss bool) string {
	switch {
	case isHTMLType(typ):
		return plainText(s)
	case rss && looksLikeMarkup(s):
		return plainText(s)
	}
	return textOf(s)
}

func isHTMLType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "html" || t == "xhtml" || t == "text/html" || strings.HasSuffix(t, "xhtml+xml")
}

// looksLikeMarkup reports whether an untyped string (an RSS title) is
// HTML: it closes an HTML element ("<b>6.18</b>"), has a line break or
// image, or carries a character reference that means something
// ("&amp;", "&#8211;": an XML-escaped title escaped once more). A lone
// "<script>" or "<linux/slab.h>" opens nothing: it is text.
func looksLikeMarkup(s string) bool {
	if !strings.ContainsAny(s, "<&") {
		return false
	}
	for rest := s; ; {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		closing := strings.HasPrefix(rest, "/")
		name := strings.TrimPrefix(rest, "/")
		end := strings.IndexFunc(name, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == ':')
		})
		if end < 0 {
			continue
		}
		tag := strings.ToLower(name[:end])
		next := name[end]
		switch {
		case closing && next == '>' && knownElement(tag):
			return true
		case (tag == "br" || tag == "img" || tag == "hr") && (next == '>' || next == '/' || next == ' '):
			return true
		}
	}
	for rest := s; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			return false
		}
		rest = rest[i:]
		if j := strings.IndexByte(rest, ';'); j > 1 && j < 12 {
			if html.UnescapeString(rest[:j+1]) != rest[:j+1] {
				return true
			}
		}
		rest = rest[1:]
	}
}
