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
// The long s becomes s: it folds with s in (?i) regexps, and
// requiredLiterals relies on lower case (see FuzzNormalize).
//
// ASCII bytes, nearly all of any feed, are handled without decoding runes.
func normalize(s string) string {
	// Already normal (lower case, single spaces, no leading or trailing
	// space) is common for links and hosts: return s without a copy.
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || '\t' <= c && c <= '\r' ||
			c == ' ' && (i == 0 || i+1 == len(s) || s[i+1] == ' ' || '\t' <= s[i+1] && s[i+1] <= '\r' || s[i+1] >= utf8.RuneSelf) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s)+8)
	copy(b, s[:i])
	space := false
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || '\t' <= c && c <= '\r':
				space = len(b) > 0
				continue
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			if space {
				b = append(b, ' ')
				space = false
			}
			b = append(b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsSpace(r):
			space = len(b) > 0
			continue
		case r == '\u2019' || r == '\u2018':
			r = '\''
		case r == '\u017f':
			r = 's'
		default:
			r = unicode.ToLower(r)
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// maxScan caps how much of a summary or content (as HTML) is read: topics
// are decided by the opening of an article, and a long body would make
// tagging cost grow with article length. A CVE id or version named only
// after the first 16 KiB is not extracted.
const maxScan = 16 << 10

// capText cuts s to at most maxScan bytes, at a rune boundary.
func capText(s string) string {
	if len(s) <= maxScan {
		return s
	}
	cut := maxScan
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
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
