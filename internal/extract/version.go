package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// versionMatches returns what
// regexp.MustCompile(`(?:^|[^\w.])([vV])?(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?(-[rR][cC]\d{1,2})?`).FindAllStringSubmatchIndex(s, -1)
// would, without running a regexp over the whole text: that unanchored
// scan was most of the cost of tagging a long summary. It visits each
// "digit.digit" and runs the anchored versionAt from the token's start,
// which must follow a non-word, non-dot byte (so "192.168.1.1" and "x6.1"
// yield nothing). TestVersionMatches checks the equivalence.
func versionMatches(s string) [][]int {
	var out [][]int
	prevEnd := 0
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], '.')
		if j < 0 {
			break
		}
		i += j
		if i < prevEnd || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
			continue
		}
		tok := i - 1
		for tok > 0 && isDigit(s[tok-1]) {
			tok--
		}
		if i-tok > 2 {
			continue
		}
		if tok > 0 && (s[tok-1] == 'v' || s[tok-1] == 'V') {
			tok--
		}
		// The rune before the token is consumed as the separator, as
		// (?:^|[^\w.]) does: it must be neither a word byte nor a dot
		// (any non-ASCII rune will do: \w is ASCII in RE2), and must
		// not lie inside the previous match.
		from := tok
		if tok > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:tok])
			if r < utf8.RuneSelf && (isAlnum(byte(r)) || r == '.') {
				continue
			}
			from = tok - size
			if from < prevEnd {
				continue
			}
		}
		m := versionAt(s, tok)
		m[0] = from
		out = append(out, m)
		prevEnd = m[1]
	}
	return out
}

// versionAt matches `([vV])?(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?(-[rR][cC]\d{1,2})?`
// at s[tok:], which versionMatches has checked starts with an optional v,
// one or two digits, a dot and a digit, and returns the submatch indexes
// the regexp would (m[0] is left for the caller). Written out because
// running a regexp per candidate was a visible part of tagging.
func versionAt(s string, tok int) []int {
	m := []int{0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	pos := tok
	if s[pos] == 'v' || s[pos] == 'V' {
		m[2], m[3] = pos, pos+1
		pos++
	}
	m[4] = pos
	for s[pos] != '.' {
		pos++
	}
	m[5] = pos
	pos++ // the dot
	m[6] = pos
	pos = digitsFrom(s, pos, 3)
	m[7] = pos
	if pos+1 < len(s) && s[pos] == '.' && isDigit(s[pos+1]) {
		m[8] = pos + 1
		pos = digitsFrom(s, pos+1, 4)
		m[9] = pos
	}
	if pos+3 < len(s) && s[pos] == '-' && s[pos+1]|0x20 == 'r' && s[pos+2]|0x20 == 'c' && isDigit(s[pos+3]) {
		m[10] = pos
		pos = digitsFrom(s, pos+3, 2)
		m[11] = pos
	}
	m[1] = pos
	return m
}

// digitsFrom returns the end of the run of at most n digits at s[i:].
func digitsFrom(s string, i, n int) int {
	for end := i + n; i < len(s) && i < end && isDigit(s[i]); {
		i++
	}
	return i
}

// kernelPrefixWords, when they are the word right before a version, make it
// a kernel version even with two components ("Linux 6.17", "kernel 6.12").
var kernelPrefixWords = map[string]bool{
	"linux": true, "kernel": true, "kernels": true, "prepatch": true,
	"mainline": true, "longterm": true, "lts": true,
}

// neutralWords may precede a bare three-component or -rc version without
// making it some other product's ("releases 6.12.5", "and 3.10.99"). Any
// other word, such as "Git 2.55.0" or "Plasma 6.5.3", names the product.
var neutralWords = map[string]bool{
	"release": true, "releases": true, "released": true, "releasing": true,
	"stable": true, "update": true, "updates": true,
	"and": true, "or": true, "to": true, "in": true, "of": true, "for": true,
	"with": true, "from": true, "is": true, "are": true,
	"after": true, "before": true, "since": true, "as": true, "the": true,
	"a": true, "an": true, "via": true, "into": true, "until": true,
	"tag": true, "tags": true, "tagged": true, "branch": true, "merged": true,
}

// kernelSuffixRe marks a two-component version as a kernel one when it
// follows: kernel.org's "5.7: mainline" titles and LWN's "the 7.2 merge
// window".
var kernelSuffixRe = regexp.MustCompile(`(?i)^(?::\s*(?:mainline|stable|longterm)\b|\s+merge\s+window\b|\s+kernel\b)`)

// KernelVersions returns the Linux kernel versions named in s, normalised
// ("6.13-rc1", "6.12.5", "6.13"; no "v" or "Linux " prefix), deduplicated,
// in order of appearance. It is deliberately conservative: a version only
// counts with kernel context ("Linux 6.13", "v6.14", "6.13-rc1",
// "5.15.180"), never for another product ("Rust 1.83.0", "Git 2.55.0",
// "Firefox 133"), an IP address or a dotted date.
func KernelVersions(s string) []string {
	var out []string
	seen := map[string]bool{}
	listOK := false // previous version accepted: "kernels 4.4.4, 3.14.63, and 3.10.99"
	prevEnd := 0
	for _, m := range versionMatches(s) {
		// m[2..] are the groups; the token starts at the v or the major.
		start := m[4]
		if m[2] >= 0 {
			start = m[2]
		}
		end := m[1]
		// Reject a longer dotted run (IP address, 4-part version) and
		// a version glued to letters ("6.12abc").
		if end < len(s) && (s[end] == '.' && end+1 < len(s) && isDigit(s[end+1]) || isAlnum(s[end])) {
			listOK = false
			continue
		}
		major, _ := strconv.Atoi(s[m[4]:m[5]])
		minorStr := s[m[6]:m[7]]
		hasV, hasPatch, hasRC := m[2] >= 0, m[8] >= 0, m[10] >= 0
		between := s[prevEnd:start]
		listCont := listOK && isListGap(between)
		prevEnd = end
		listOK = false
		if major < 2 || major > 9 || len(minorStr) > 2 || minorStr[0] == '0' && len(minorStr) > 1 {
			continue
		}
		if hasPatch {
			p := s[m[8]:m[9]]
			// Kernel point releases never use ".0" and stay
			// below 1000; "5.1.2025" is a date.
			if p[0] == '0' || len(p) > 3 {
				continue
			}
		}
		word := strings.ToLower(lastWord(s[:start]))
		ok := false
		switch {
		case kernelPrefixWords[word]:
			ok = true
		case listCont:
			ok = true
		case (hasV || hasPatch || hasRC) && (word == "" || neutralWords[word]):
			ok = true
		case !hasV && kernelSuffixRe.MatchString(s[end:]) && (word == "" || neutralWords[word]):
			ok = true
		}
		if !ok {
			continue
		}
		listOK = true
		v := strings.ToLower(s[m[4]:end])
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// isListGap reports whether between separates list items: ", ", " and ".
func isListGap(between string) bool {
	t := strings.TrimSpace(between)
	t = strings.TrimPrefix(t, ",")
	t = strings.TrimSpace(t)
	return t == "" || t == "and" || t == "or"
}

// lastWord returns the word (letters only) ending just before s's end,
// skipping spaces and a "-" ("linux-6.12"); "" if none or punctuation
// intervenes.
func lastWord(s string) string {
	s = strings.TrimRight(s, " \t\n")
	s = strings.TrimSuffix(s, "-")
	i := len(s)
	for i > 0 && isLetter(s[i-1]) {
		i--
	}
	return s[i:]
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) || c == '_' }

// mayHoldVersion reports whether s holds a digit, a dot and a digit in a
// row, which every version KernelVersions returns has: most summaries
// hold none and need not be converted from HTML to be read.
func mayHoldVersion(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		j := strings.IndexByte(s[i:len(s)-1], '.')
		if j < 0 {
			return false
		}
		i += j
		if isDigit(s[i-1]) && isDigit(s[i+1]) {
			return true
		}
	}
	return false
}
