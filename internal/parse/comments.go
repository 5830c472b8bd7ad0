package parse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
)

// maxComments bounds a stated comment count: a number beyond it is a
// feed's bug, not a discussion.
const maxComments = 10_000_000

// hnrssComments is how hnrss.org (the Hacker News feeds readers use) states
// a count in its descriptions: "<p># Comments: <a ...>142</a></p>".
var hnrssComments = regexp.MustCompile(`# Comments:\s*(?:<a[^>]*>)?\s*(\d+)`)

// comments is the comment count an item states, 0 when none: Slashdot's
// slash:comments (http://purl.org/rss/1.0/modules/slash/), the Atom
// threading extension's thr:total (RFC 4685 section 5, also used in RSS),
// else hnrss's description line. The extensions are looked up by their
// usual prefixes, the ones gofeed keys them by.
func comments(gi *gofeed.Item) int {
	for _, ext := range []struct{ prefix, name string }{{"slash", "comments"}, {"thr", "total"}} {
		for _, e := range gi.Extensions[ext.prefix][ext.name] {
			if n, ok := count(e.Value); ok {
				return n
			}
		}
	}
	if m := hnrssComments.FindStringSubmatch(gi.Description); m != nil {
		if n, ok := count(m[1]); ok {
			return n
		}
	}
	return 0
}

func count(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > maxComments {
		return 0, false
	}
	return n, true
}
