package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// MailText turns a mail body, as a mailing-list archive renders it (lore
// wraps the plain-text mail in <pre>, quoted lines in <span class="q">),
// into its own lines: line breaks kept, tags dropped (only HTML's elements
// are markup, as in Text), character references decoded once, and quoted
// lines (those starting with ">") left out, so what remains is what the
// sender wrote. The mail extractors read it: a trailer, an "Applied to"
// or a "change-id:" means something only at the start of a line of the
// sender's own.
func MailText(s string) string {
	if strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		// One line of text, a subject: nothing to convert.
		if strings.HasPrefix(strings.TrimLeft(s, " \t"), ">") {
			return ""
		}
		return clean(s)
	}
	var lines []string
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		lines = strings.Split(s, "\n")
	} else {
		lines = strings.Split(tokenizedLines(s), "\n")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") {
			continue
		}
		b.WriteString(clean(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// tokenizedLines is the text of HTML s with its line breaks: <br> and
// block elements end a line, other tags are dropped.
func tokenizedLines(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tag, _ := z.TagName()
			name := localName(string(tag))
			if !HTMLElement(name) {
				if skip == 0 {
					b.Write(z.Raw())
				}
				continue
			}
			if tt != html.SelfClosingTagToken && rawTextElement(name) {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if name == "br" || !inlineElement(name) {
				b.WriteByte('\n')
			}
		}
	}
}

// mailLines splits MailText output into its non-empty lines, trimmed.
func mailLines(text string) []string {
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
