package tag

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalize lower-cases s and folds every run of white space into one
// space, so a phrase matches across line breaks and double spaces. Curly
// apostrophes become straight ones because titles use both ("Linux's").
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u2019' || r == '\u2018':
			r = '\''
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

// plainText turns sanitised HTML into text: tags become spaces (so
// "<p>a</p><p>b</p>" does not read "ab") and entities are decoded once.
// Attribute values are dropped with their tags, so a link to
// github.com/Rust-for-Linux does not count as the article mentioning it.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			// A bare "<" in text ("a < b") is not a tag.
			b.WriteString(s[i:])
			break
		}
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// atBoundary reports whether text[start:end] is a whole-word occurrence:
// a word character at either edge of the match must not continue into a
// word character of the text.
func atBoundary(text string, start, end int) bool {
	if start > 0 {
		first, _ := utf8.DecodeRuneInString(text[start:])
		prev, _ := utf8.DecodeLastRuneInString(text[:start])
		if isWordRune(first) && isWordRune(prev) {
			return false
		}
	}
	if end < len(text) {
		last, _ := utf8.DecodeLastRuneInString(text[:end])
		next, _ := utf8.DecodeRuneInString(text[end:])
		if isWordRune(last) && isWordRune(next) {
			return false
		}
	}
	return true
}
