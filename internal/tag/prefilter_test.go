package tag

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`\brust (in|into|for) (the )?linux( kernel)?\b`, []string{"rust "}},
		{`lore\.kernel\.org/rust-for-linux/`, []string{"lore.kernel.org/rust-for-linux/"}},
		{`(?i)\bCVE-\d+`, []string{"cve-"}},
		{`^(mainline|stable)$`, []string{"mainline", "stable"}},
		{`\d+\.\d+`, []string{"."}},
		{`[a-z]+`, nil},
		{`(a|\d)`, nil},
		{`x*y?`, nil},
		{`(ab){2,}`, []string{"ab"}},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			got := requiredLiterals(tc.expr)
			if !slices.Equal(got, tc.want) {
				t.Errorf("requiredLiterals(%q) = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

// FuzzRequiredLiterals checks the one property Tag relies on: whenever the
// regexp matches, one of the literals occurs.
func FuzzRequiredLiterals(f *testing.F) {
	f.Add(`\brust (in|into|for) (the )?linux( kernel)?\b`, "rust for linux")
	f.Add(`^(\[[^\]]*\]\s*)?maintainers:`, "[patch] maintainers: x")
	f.Add(`(ab|c+)d{1,3}`, "cccdd")
	f.Fuzz(func(t *testing.T, expr, text string) {
		// As Tag runs them: on normalised text, (?i) added to
		// patterns with upper case.
		expr, text = regexpSource(expr), normalize(text)
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		lits := requiredLiterals(expr)
		if re.MatchString(text) && !containsAny(text, lits) {
			t.Fatalf("%q matches %q but none of %q occurs", expr, text, lits)
		}
	})
}

// FuzzContainsFolded checks the prefilter on raw ASCII text never misses
// a literal the normalised text contains.
func FuzzContainsFolded(f *testing.F) {
	f.Add("Rust  1.83\tReleased", "rust 1.")
	f.Add("a\n\n b", "a b")
	f.Add("LORE.kernel.org/rust-for-linux/", "lore.kernel.org/rust-for-linux/")
	f.Fuzz(func(t *testing.T, s, lit string) {
		if !isASCII(s) {
			return
		}
		lit = normalize(lit)
		if strings.Contains(normalize(s), lit) && !containsFolded(s, lit) {
			t.Fatalf("normalize(%q) contains %q, containsFolded says no", s, lit)
		}
	})
}

// FuzzLiterals checks that literals.scan finds, literal by literal, what
// mayMatch looked for before it: containsFolded on raw ASCII text,
// strings.Contains on normalised text.
func FuzzLiterals(f *testing.F) {
	f.Add("Linux 6.13-rc2 Released\tReview", " review")
	f.Add("5.10.1-rc1\treview", " review")
	f.Add("[PATCH 6.1 000/42] x", "[patch ")
	f.Add("a:b. x", ":")
	f.Add("What's  New In 6.8", "s new in ")
	f.Add("CPU  Support", " support")
	f.Fuzz(func(t *testing.T, s, lit string) {
		var l literals
		base := [][]string{{"rust", "re"}, {" review"}, {":"}, {"."}, {"s new in "}, {"linux "}, {"-rc"}, {"[patch "}}
		masks := make([][]uint64, 0, len(base)+1)
		for _, lits := range append(base, []string{lit}) {
			masks = append(masks, l.mask(lits))
		}
		ids := make([]int, len(l.lits))
		for id := range ids {
			ids[id] = id
		}
		var tbl litTable
		tbl.build(l.lits, ids)
		for _, text := range []string{s, normalize(s)} {
			if !isASCII(text) && text == s {
				continue
			}
			set := make([]uint64, l.words)
			tbl.scan(text, l.lits, set)
			for k, lits := range append(base, []string{lit}) {
				if masks[k] == nil {
					continue
				}
				var want bool
				for _, one := range lits {
					if text == s && containsFolded(text, one) || text != s && strings.Contains(text, one) {
						want = true
					}
				}
				if got := intersects(masks[k], set); got != want {
					t.Fatalf("text %q, literals %q: scan says %v, per literal %v", text, lits, got, want)
				}
			}
		}
	})
}
