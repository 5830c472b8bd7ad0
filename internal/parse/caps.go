package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/kernelwire/kernelwire/internal/extract"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Caps on what one upstream item may make us store and serve (feeds.yaml's
// comments state them): a 1M-character title was once served whole.
// Titles and other one-line fields are cut at a word boundary with "…";
// a summary over maxSummary becomes the content when the item has none
// (feeds that put the whole article in <description>) and is replaced by
// an excerpt; content is cut at an element boundary, its open elements
// closed.
const (
	maxTitle       = 500 // characters
	maxFeedTitle   = 200 // characters: a source's display name
	maxAuthor      = 200 // characters
	maxGUID        = 2048
	maxSummaryText = 2000      // characters of a feed description
	maxSummary     = 16 << 10  // bytes of sanitised HTML
	maxContent     = 512 << 10 // bytes of sanitised HTML
)

// capText cuts s to at most n characters, at a word boundary when there is
// one in the last half, and marks the cut with "…".
func capText(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := len(s), 0
	for i := range s {
		if count == n-1 {
			cut = i
			break
		}
		count++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// capHTML applies maxSummary and maxContent to sanitised HTML.
func capHTML(summary, content string) (string, string) {
	if len(summary) > maxSummary {
		if content == "" {
			content = summary
		}
		summary = excerpt(summary)
	}
	if len(content) > maxContent {
		content = truncateHTML(content, maxContent)
	}
	return summary, content
}

// truncateHTML keeps the tokens of s that fit in n bytes and re-renders
// them, which closes the elements left open.
func truncateHTML(s string, n int) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	size := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return s
		}
		raw := len(z.Raw())
		if size+raw > n {
			if tt == xhtml.TextToken {
				size += textCut(s[size:size+raw], n-size)
			}
			break
		}
		size += raw
	}
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s[:size]), ctx)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, nd := range nodes {
		if err := xhtml.Render(&b, nd); err != nil {
			return ""
		}
	}
	return b.String() + "<p>…</p>"
}

// textCut is where to cut raw HTML text to at most n bytes: at a space,
// never inside a character or a character reference.
func textCut(raw string, n int) int {
	cut := strings.LastIndexByte(raw[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
	}
	if amp := strings.LastIndexByte(raw[:cut], '&'); amp >= 0 && !strings.Contains(raw[amp:cut], ";") {
		cut = amp
	}
	return cut
}

// contentID gives an item with neither title, link nor guid (a valid RSS
// 0.92/2.0 item has only a description) an identity from what it says,
// so the same item polled twice is the same item.
func contentID(summary, content string) string {
	text := extract.Text(summary + " " + content)
	if text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(text))
	return "content:" + hex.EncodeToString(sum[:16])
}
