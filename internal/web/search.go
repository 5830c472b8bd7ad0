package web

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Search is a parsed q=: every term must occur in one field of an item
// (title, summary, source). A term is a sequence of words that must appear
// in that order, next to each other: a quoted phrase, or one unquoted word
// that folds into several ("6.17" is 6 then 17).
//
// Words are what tokens makes of text: runs of letters and runs of digits,
// case and accents folded. So `arm` finds "Arm64" (arm, 64) but neither
// "alarm" nor "army", and `linux` finds "Linux," and "LINUX" but not
// "linuxulator"; `café` and `cafe` are one word.
type Search struct {
	terms [][]string
}

// parseSearch parses q, which the caller has trimmed. A query with an odd
// number of double quotes, an empty phrase, or no words at all is refused
// with the reason; the caller names the parameter.
func parseSearch(q string) (Search, error) {
	if strings.Count(q, `"`)%2 != 0 {
		return Search{}, errBadRequest("bad q %q: a quote is not closed; write phrases as \"rust for linux\"", q)
	}
	var s Search
	for i, part := range strings.Split(q, `"`) {
		phrase := i%2 == 1 // between a pair of quotes
		words := tokens(part)
		switch {
		case phrase && len(words) == 0:
			return Search{}, errBadRequest("bad q %q: an empty phrase (\"\") has nothing to search for", q)
		case phrase:
			s.terms = append(s.terms, words)
		default:
			for _, f := range strings.Fields(part) {
				if w := tokens(f); len(w) > 0 {
					s.terms = append(s.terms, w)
				}
			}
		}
	}
	if len(s.terms) == 0 {
		return Search{}, errBadRequest("bad q %q: no words to search for (letters or digits)", q)
	}
	return s, nil
}

// lenientSearch parses a query that was not typed into a request (a named
// feed's q from feeds.yaml): an unclosed quote is taken as plain words.
func lenientSearch(q string) Search {
	s, err := parseSearch(q)
	if err != nil {
		s, _ = parseSearch(strings.ReplaceAll(q, `"`, " "))
	}
	return s
}

// isZero reports a search with no terms, which matches everything.
func (s Search) isZero() bool { return len(s.terms) == 0 }

// match reports whether every term occurs in one of fields.
func (s Search) match(fields ...string) bool {
	if s.isZero() {
		return true
	}
	words := make([][]string, len(fields))
	for i, f := range fields {
		words[i] = tokens(f)
	}
	for _, term := range s.terms {
		found := false
		for _, w := range words {
			if containsRun(w, term) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// containsRun reports whether run occurs in words as consecutive elements.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		ok := true
		for j, w := range run {
			if words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// tokens splits text into words: maximal runs of letters, and of digits,
// lower-cased with accents removed (NFD, combining marks dropped). Letters
// of scripts without spaces (Han, Hiragana, Katakana) are a word each, so
// a phrase of them still matches inside a sentence.
func tokens(text string) []string {
	var out []string
	var b strings.Builder
	kind := 0 // of the run in b: 1 letters, 2 digits
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
		kind = 0
	}
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining mark: the accent of the letter before it.
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r):
			if kind != 1 {
				flush()
				kind = 1
			}
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsDigit(r):
			if kind != 2 {
				flush()
				kind = 2
			}
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}
