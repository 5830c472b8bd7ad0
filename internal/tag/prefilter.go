package tag

import (
	"regexp/syntax"
	"strings"
)

// requiredLiterals returns strings one of which occurs in every text the
// regular expression expr matches, lower-cased, or nil when there is no
// such set (`\d+`, `[a-z]`). Tag checks them with strings.Contains before
// running the regexp: a pattern starting with \b gets no literal-prefix
// scan from Go's regexp and would otherwise try every position of every
// summary, which was most of the cost of rule regexps.
//
// Texts are normalised (lower-cased) before matching, so a case-folded
// literal is looked for in lower case; regexpSource only drops (?i) from
// patterns with no upper-case letters, whose literals are lower case
// already.
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil // CheckTerm has reported it; Compile never gets here.
	}
	return required(re.Simplify())
}

func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		lit := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			// Case folding of non-ASCII letters is wider than
			// lower-casing (Greek sigmas, ...): no requirement then.
			// ASCII letters fold only with the Kelvin sign and the
			// long s, which normalize lower-cases to k and s.
			for _, r := range re.Rune {
				if r >= 0x80 {
					return nil
				}
			}
			lit = strings.ToLower(lit)
		}
		return []string{lit}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Every part of a concatenation must occur: keep the part whose
		// shortest alternative is longest, as it is the rarest.
		var best []string
		for _, sub := range re.Sub {
			if r := required(sub); r != nil && (best == nil || shortest(r) > shortest(best)) {
				best = r
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			r := required(sub)
			if r == nil {
				return nil
			}
			all = append(all, r...)
		}
		return all
	}
	return nil
}

func shortest(lits []string) int {
	n := len(lits[0])
	for _, l := range lits[1:] {
		n = min(n, len(l))
	}
	return n
}

// containsAny reports whether s contains one of lits; an empty lits is no
// constraint.
func containsAny(s string, lits []string) bool {
	if len(lits) == 0 {
		return true
	}
	for _, l := range lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// containsFolded reports whether normalize(s) contains lit, for ASCII s
// and a lit taken from requiredLiterals (lower case): letters compare
// without case and a space in lit matches a run of white space in s. It
// may also report true for a lit that matches only across the leading or
// trailing white space normalize trims, which is safe for a prefilter.
func containsFolded(s, lit string) bool {
	if lit == "" {
		return true
	}
	if !hasLetterOrSpace(lit) {
		return strings.Contains(s, lit)
	}
	// Candidates are the positions of lit's first byte in either case,
	// found with the vectorised IndexByte rather than byte by byte.
	lo, up := lit[0], lit[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	nextLo, nextUp := -1, -1
	for i := 0; i < len(s); i++ {
		if nextLo < i && nextLo != len(s) {
			nextLo = indexFrom(s, i, lo)
		}
		if nextUp < i && nextUp != len(s) {
			nextUp = indexFrom(s, i, up)
		}
		i = min(nextLo, nextUp)
		if i == len(s) {
			return false
		}
		if foldedAt(s, i, lit) {
			return true
		}
	}
	return false
}

// indexFrom is the index of c in s at or after i, or len(s).
func indexFrom(s string, i int, c byte) int {
	if j := strings.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return len(s)
}

// foldedAt reports whether lit matches s at i, ignoring case and with a
// space of lit matching a run of white space.
func foldedAt(s string, i int, lit string) bool {
	for j := 0; j < len(lit); j++ {
		if i >= len(s) {
			return false
		}
		c := s[i]
		if lit[j] == ' ' {
			if !isSpaceByte(c) {
				return false
			}
			for i < len(s) && isSpaceByte(s[i]) {
				i++
			}
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[j] {
			return false
		}
		i++
	}
	return true
}

func hasLetterOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || 'a' <= c && c <= 'z' {
			return true
		}
	}
	return false
}
