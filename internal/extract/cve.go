package extract

import (
	"regexp"
	"strings"
)

var cveRe = regexp.MustCompile(`(?i)\bCVE-(\d{4})-(\d{4,7})\b`)

// CVEs returns the CVE ids in s, upper-cased, deduplicated, in order.
func CVEs(s string) []string {
	// Most text has no CVE id: skip the regexp, which is slow on long
	// article bodies, unless "cve-" occurs in some case.
	if !mayHoldCVE(s) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range cveRe.FindAllStringSubmatch(s, -1) {
		id := "CVE-" + m[1] + "-" + m[2]
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// mayHoldCVE reports whether "cve-" occurs in s in any case. It jumps
// from dash to dash (strings.IndexByte is vectorised) instead of comparing
// at every byte.
func mayHoldCVE(s string) bool {
	for i := 3; i < len(s); {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			return false
		}
		i += j
		if s[i-3]|0x20 == 'c' && s[i-2]|0x20 == 'v' && s[i-1]|0x20 == 'e' {
			return true
		}
		i++
	}
	return false
}
