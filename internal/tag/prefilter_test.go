package tag

import (
	"regexp"
	"slices"
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
