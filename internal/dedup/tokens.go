package dedup

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopwords carry no story: function words, and the filler verbs headlines
// add ("now", "new") whichever outlet writes them. Kept small on purpose: a
// word that names a thing ("kernel", "rust", "linux") is never a stopword,
// even when it is common in our sources.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true,
	"on": true, "for": true, "and": true, "or": true, "with": true,
	"is": true, "are": true, "be": true, "been": true, "being": true,
	"has": true, "have": true, "had": true, "it": true, "its": true,
	"as": true, "at": true, "by": true, "from": true, "this": true,
	"that": true, "these": true, "now": true, "via": true, "into": true,
	"about": true, "will": true, "can": true, "than": true, "how": true,
	"why": true, "what": true, "your": true, "you": true, "we": true,
	"our": true, "new": true, "just": true, "after": true, "over": true,
	"s": true, "t": true, "up": true, "but": true, "so": true, "all": true,
	"more": true, "here": true, "was": true, "were": true,
}

// tokens returns the normalised words of s (see words), in order,
// stopwords dropped, duplicates kept. On top of words it drops a "v" before
// a version ("v6.13" is "6.13") and folds English suffixes (stem), so
// "releases", "released" and "release" are one word: outlets inflect the
// same verb differently. It must stay stable: signatures are stored.
func tokens(s string) []string {
	ws := words(s)
	return tokensOf(ws, ws[:0])
}

// tokensOf appends the tokens of words ws to out (which may be ws[:0]).
func tokensOf(ws, out []string) []string {
	for _, w := range ws {
		if len(w) > 1 && w[0] == 'v' && isDigit(w[1]) {
			w = w[1:]
		}
		if stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// words splits s into lower-case words: any rune that is not a letter or
// digit separates them, except that "." between digits and "-rc" after a
// version are kept, so "6.13-rc1" and "1.71.0" stay one word.
func words(s string) []string {
	// Room for a word per six bytes (a headline's words and spaces run
	// about that long): grown from nothing, the slice was reallocated
	// four or five times per title.
	out := make([]string, 0, len(s)/6+1)
	s = strings.ToLower(s)
	start := -1
	emit := func(end int) {
		if start >= 0 {
			out = append(out, s[start:end])
			start = -1
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case r == '.' && start >= 0 && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]):
			// inside a version
		case r == '-' && start >= 0 && i > 0 && isDigit(s[i-1]) && strings.HasPrefix(s[i+1:], "rc") &&
			i+3 < len(s) && isDigit(s[i+3]):
			// "6.13-rc1"
		default:
			emit(i)
		}
		i += size
	}
	emit(len(s))
	return out
}

// stem folds the English inflections headlines use. It is deliberately
// crude (no dictionary): both sides of a comparison go through it, so only
// consistency matters, and it must never touch versions or short words.
func stem(w string) string {
	if len(w) <= 4 || isDigit(w[0]) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		w = w[:len(w)-3]
	case strings.HasSuffix(w, "ed"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "ses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	return strings.TrimSuffix(w, "e")
}

// tokenSet returns the distinct tokens of s, sorted by first appearance.
func tokenSet(s string) []string {
	return distinct(tokens(s))
}

// distinct keeps the first of each token, in place. Titles have a dozen
// tokens or so: a scan beats a set.
func distinct(toks []string) []string {
	out := toks[:0]
	for _, t := range toks {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
