package publish

import (
	"html"
	"regexp"
	"strconv"
	"strings"
)

// cleanText drops the characters XML 1.0 forbids (section 2.2: C0 controls
// other than tab, LF and CR; surrogates; U+FFFE and U+FFFF). encoding/xml
// replaces them with U+FFFD in character data but writes them raw in CDATA,
// which is how gorilla's RSS content:encoded became ill-formed
// (gap 9 in the package comment). JSON gets the same text for consistency.
func cleanText(s string) string {
	if strings.IndexFunc(s, forbidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if forbidden(r) {
			return -1
		}
		return r
	}, s)
}

func forbidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20:
		return true
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
		return true
	}
	return r > 0x10FFFF
}

func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(cleanText(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tagStart and entity match what only HTML contains: the start of a tag
// or comment, and a character reference. Plain text such as "a < b && c"
// has neither and stays text, so it is not mangled by a reader that parses
// it as HTML (gap 6 in the package comment).
var (
	tagStart = regexp.MustCompile(`<[A-Za-z!/?]`)
	entity   = regexp.MustCompile(`&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);`)
)

// looksLikeHTML reports whether s, a sanitised summary that "may be plain
// text", needs an HTML parser to read. A reference only counts when it is
// a real one ("&amp;", not the "&T;" of "AT&T;").
func looksLikeHTML(s string) bool {
	if tagStart.MatchString(s) {
		return true
	}
	for _, ref := range entity.FindAllString(s, -1) {
		if html.UnescapeString(ref) != ref {
			return true
		}
	}
	return false
}

// asHTML returns s as HTML: itself when it is HTML, escaped when text.
// coverageHTML is the "Also covered by" paragraph RSS descriptions end
// with, "" for an entry without related reports or replies.
func coverageHTML(e *entry) string {
	if len(e.related) == 0 && e.replies == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<p>")
	if len(e.related) > 0 {
		b.WriteString("Also covered by: ")
		for i, r := range e.related {
			if i > 0 {
				b.WriteString(", ")
			}
			if r.url != "" {
				b.WriteString(`<a href="` + html.EscapeString(r.url) + `">` + html.EscapeString(r.label()) + "</a>")
			} else {
				b.WriteString(html.EscapeString(r.label()))
			}
		}
		b.WriteString(".")
	}
	if e.replies > 0 {
		if len(e.related) > 0 {
			b.WriteString(" ")
		}
		noun := " replies."
		if e.replies == 1 {
			noun = " reply."
		}
		b.WriteString(strconv.Itoa(e.replies) + noun)
	}
	b.WriteString("</p>")
	return b.String()
}

func asHTML(s string, isHTML bool) string {
	if isHTML {
		return s
	}
	return html.EscapeString(s)
}
