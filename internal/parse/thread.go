package parse

import (
	"strings"

	"github.com/mmcdole/gofeed"
)

// inReplyTo is the link of the entry gi answers: the href of its Atom
// threading element (RFC 4685 section 3, <thr:in-reply-to ref=".."
// href=".."/>), canonical, "" if none or unusable. lore.kernel.org writes
// one on every reply and on every patch of a series (whose parent is the
// cover letter), so it ties a thread together whatever its subjects say.
// gofeed keeps the element among the extensions under the prefix the
// document used, so every prefix is looked at.
func inReplyTo(gi *gofeed.Item) string {
	for _, names := range gi.Extensions {
		for _, e := range names["in-reply-to"] {
			href := strings.TrimSpace(e.Attrs["href"])
			if href == "" {
				continue
			}
			if c, err := CanonicalURL(href); err == nil {
				return capText(c, maxGUID)
			}
		}
	}
	return ""
}
