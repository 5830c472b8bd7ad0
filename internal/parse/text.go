package parse

import (
	"html"
	"strings"
	"unicode/utf8"

	"github.com/kernelwire/kernelwire/internal/extract"
)

// collapse trims s and collapses every run of white space to one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// xmlChars drops what XML 1.0 (section 2.2, Char) forbids: C0 controls other
// than tab, LF and CR, surrogates, U+FFFE and U+FFFF. Invalid UTF-8 becomes
// U+FFFD. Output formats are XML (RSS, Atom): one stray byte from an
// upstream would make every feed we publish malformed (and gorilla/feeds
// writes them raw in CDATA).
func xmlChars(s string) string {
	if xmlClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// As in xmlClean: an ASCII byte is its own rune.
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
			}
			i++
			continue
		}
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

// xmlClean reports whether xmlChars would leave s as it is. Every
// summary and content is checked twice (before and after sanitising), and
// nearly all of it is ASCII: a byte below utf8.RuneSelf is its own rune,
// allowed unless it is a C0 control other than tab, LF and CR, so only the
// rest is decoded.
func xmlClean(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r) || (r == utf8.RuneError && n == 1) {
			return false
		}
		i += n
	}
	return true
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
	text := extract.Text(htmlText)
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
		return extract.Text(s)
	case rss && looksLikeMarkup(s):
		return extract.Text(s)
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
		case closing && next == '>' && extract.HTMLElement(tag):
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
