package extract

import (
	"slices"
	"strings"
)

// trailerKeys are the commit trailers of the kernel's patch process
// (Documentation/process/submitting-patches.rst: "Using Reported-by:,
// Tested-by:, Reviewed-by:, Suggested-by: and Fixes:", "When to use
// Acked-by:, Cc:, and Co-developed-by:"), lower case, as written before
// the colon.
var trailerKeys = []string{
	"signed-off-by", "co-developed-by", "acked-by", "reviewed-by", "tested-by",
	"reported-by", "suggested-by", "fixes", "closes", "cc",
}

// Trailers returns the commit trailers in text, in their usual spelling
// ("Signed-off-by", "Fixes"), deduplicated, in order of appearance; a
// "Cc: stable@vger.kernel.org" (a fix meant for the stable trees) is
// reported as "Cc: stable", other Cc lines not at all, as mail quoting
// makes them common outside patches. A "Fixes:" counts only before a
// commit id (12 hex digits by convention; 8 accepted), so prose saying
// "Fixes: none" does not.
func Trailers(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		j := strings.IndexByte(text[i:], ':')
		if j < 0 {
			break
		}
		colon := i + j
		i = colon
		start := colon
		for start > 0 && (isAlnum(text[start-1]) || text[start-1] == '-') {
			start--
		}
		if start == colon || start > 0 && !isTrailerGap(text[start-1]) {
			continue
		}
		key := strings.ToLower(text[start:colon])
		if !slices.Contains(trailerKeys, key) {
			continue
		}
		value := strings.TrimLeft(text[colon+1:], " \t")
		var found string
		switch key {
		case "fixes":
			if hexRun(value) >= 8 {
				found = "Fixes"
			}
		case "cc":
			if hasPrefixFold(strings.TrimPrefix(value, "<"), "stable@vger.kernel.org") {
				found = "Cc: stable"
			}
		case "closes":
			if strings.HasPrefix(value, "http") {
				found = "Closes"
			}
		default:
			if value != "" && value[0] != '\n' {
				found = trailerSpelling(key)
			}
		}
		if found != "" && !slices.Contains(out, found) {
			out = append(out, found)
		}
	}
	return out
}

// isTrailerGap reports whether c may precede a trailer key: a trailer
// starts a line, which text flattened to one line turns into a space.
func isTrailerGap(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '>'
}

// trailerSpelling is the usual spelling of a lower-case "-by" key:
// "signed-off-by" -> "Signed-off-by".
func trailerSpelling(key string) string {
	return strings.ToUpper(key[:1]) + key[1:]
}

func hexRun(s string) int {
	n := 0
	for n < len(s) && (isDigit(s[n]) || 'a' <= s[n]|0x20 && s[n]|0x20 <= 'f') {
		n++
	}
	return n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// mayHoldTrailer is false for text without any "-by:" or "Fixes:": most
// articles, whose conversion from HTML it spares.
func mayHoldTrailer(s string) bool {
	return strings.Contains(s, "-by:") || strings.Contains(s, "ixes:") || strings.Contains(s, "table@")
}
