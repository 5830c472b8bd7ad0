package web

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// plainText is the text of an HTML fragment, whitespace collapsed. The page
// shows summaries as plain-text excerpts: html/template escapes them, so no
// upstream markup reaches the page even if sanitising missed something.
func plainText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return strings.Join(strings.Fields(fragment), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0 // inside <script> or <style>, whose text is not prose
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inline(string(name)) {
				// Blocks separate words: "<p>a</p><p>b</p>" is "a b", while
				// "<b>Alma</b>Linux," stays "AlmaLinux,".
				b.WriteByte(' ')
			}
			if string(name) == "script" || string(name) == "style" {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
		}
	}
}

// inline reports the phrasing elements that do not break a word.
func inline(tag string) bool {
	switch tag {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
		"samp", "small", "span", "strong", "sub", "sup", "time", "tt", "u", "var":
		return true
	}
	return false
}

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
