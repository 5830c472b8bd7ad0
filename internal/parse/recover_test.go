package parse

import (
	"errors"
	"strings"
	"testing"
)

// TestRecovery: a damaged document keeps the items before the damage and
// says so (Feed.Damage), as feedparser's bozo feeds do; valid but unusual
// documents are not damage.
func TestRecovery(t *testing.T) {
	rss := func(items string) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>` + items
	}
	item := func(n string) string {
		return `<item><title>item ` + n + `</title><link>https://example.org/` + n + `</link></item>`
	}
	tests := []struct {
		name    string
		body    string
		titles  []string
		damaged bool
	}{
		{"truncated rss", rss(item("1")+item("2")) + `<item><title>item 3`, []string{"item 1", "item 2"}, true},
		{"truncated atom", `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>` +
			`<entry><title>e1</title><id>1</id></entry><entry><title>e2</title><id>2</id></entry><entry><title>e3`, []string{"e1", "e2"}, true},
		{"bare < in the middle", rss(item("1")+item("2")+`<item><title>a < b</title></item>`+item("4")) + `</channel></rss>`, []string{"item 1", "item 2"}, true},
		{"mismatched end tag", rss(item("1")+`<item><title>bad</titel></item>`+item("3")) + `</channel></rss>`, []string{"item 1", "bad"}, true},
		{"rss 1.0 cut off", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>t</title></channel>` +
			`<item><title>r1</title><link>https://example.org/r1</link></item><item><title>r2`, []string{"r1"}, true},
		{"xhtml doctype before rss", `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">` +
			rss(item("1")) + `</channel></rss>`, []string{"item 1"}, false},
		{"description-only rss 0.92", `<rss version="0.92"><channel><title>t</title><link>https://example.org/</link><description>d</description>` +
			`<item><description>Only a description, as RSS 0.92 allows.</description></item></channel></rss>`, []string{""}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feed, err := Parse([]byte(tc.body), "", "https://example.org/feed", testNow)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, it := range feed.Items {
				titles = append(titles, it.Title)
			}
			if strings.Join(titles, "|") != strings.Join(tc.titles, "|") {
				t.Errorf("got items %q, want %q", titles, tc.titles)
			}
			if got := feed.Damage != nil; got != tc.damaged {
				t.Errorf("damage %v, want damaged=%v", feed.Damage, tc.damaged)
			}
			if feed.Damage != nil && (!errors.Is(feed.Damage, ErrPartial) || !strings.Contains(feed.Damage.Error(), "https://example.org/feed")) {
				t.Errorf("damage %q: want ErrPartial naming the feed", feed.Damage)
			}
			for _, it := range feed.Items {
				if it.GUID == "" && it.Link == "" && it.Title == "" {
					t.Errorf("item without identity: %+v", it)
				}
			}
		})
	}
}
