package tag

import (
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// splitLink returns the host name (no port or user info) and the path of
// an absolute link, as url.Parse's Hostname and EscapedPath would for the
// canonical links package parse produces, without allocating a URL.
func splitLink(link string) (host, path string) {
	_, rest, ok := strings.Cut(link, "://")
	if !ok {
		return "", ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	host, path = rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			return host[1:i], path
		}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host, path
}
