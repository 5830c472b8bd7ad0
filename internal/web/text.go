package web

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// excerpt shortens text to at most max bytes, at a word boundary, with an
// ellipsis when cut.
func excerpt(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := text[:max]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// relativeTime says how long before now t was, in the largest whole unit
// ("3 hours ago"); the page shows the exact time next to it.
func relativeTime(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in the future"
	}
	units := []struct {
		d    time.Duration
		name string
	}{
		{365 * 24 * time.Hour, "year"},
		{30 * 24 * time.Hour, "month"},
		{7 * 24 * time.Hour, "week"},
		{24 * time.Hour, "day"},
		{time.Hour, "hour"},
		{time.Minute, "minute"},
	}
	for _, u := range units {
		if n := int(d / u.d); n >= 1 {
			if n == 1 {
				return fmt.Sprintf("1 %s ago", u.name)
			}
			return fmt.Sprintf("%d %ss ago", n, u.name)
		}
	}
	return "just now"
}
