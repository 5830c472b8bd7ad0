package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// itemID is the published id of it under prefix (see idPrefix): its
// story's id (item.Item.StoryID, else its Key), whole and percent-encoded,
// so ids that differ only in a query string stay distinct (gap 1 in the
// package comment), never change between renders (#2), and stay one story's
// id when another member comes to represent it. Items without a Key (dedup
// always sets one) fall back to the upstream GUID, then the link, then a
// hash of what identifies them.
func itemID(prefix string, it *item.Item) string {
	key := "item/" + cmp.Or(it.StoryID, it.Key)
	switch {
	case it.StoryID != "", it.Key != "":
	case it.GUID != "":
		key = "guid/" + it.GUID
	case it.Link != "":
		key = "link/" + it.Link
	default:
		h := sha256.New()
		h.Write([]byte(it.Source + "\x00" + it.Title + "\x00" + it.Published.UTC().Format(time.RFC3339)))
		key = "sha256/" + hex.EncodeToString(h.Sum(nil))
	}
	return prefix + escapeTagSpecific(key)
}

// escapeTagSpecific percent-encodes every byte the "specific" part of a
// tag: URI does not allow (RFC 4151: pchar / "/" / "?"), including "%"
// itself, which keeps the mapping injective.
func escapeTagSpecific(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if tagSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func tagSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	// unreserved, sub-delims, ":", "@" (pchar) and "/", "?".
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}
