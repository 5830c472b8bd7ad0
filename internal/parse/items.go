package parse

import (
	"cmp"
	"html"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// maxFuture is how far ahead of now a date may be before it is taken for a
// wrong clock or zone and replaced by now: a feed that dates its items in
// the future would otherwise stay on top of every listing.
const maxFuture = 24 * time.Hour

// source is the format-specific item gofeed translated from, when known,
// and what scanXML found about it.
type source struct {
	format string // gofeed's FeedType: "rss", "atom" or "json"
	rss    *rss.Item
	atom   *atom.Entry
	json   *jsonfeed.Item
	info   *entryInfo
}

// convertItem normalises one gofeed item. It reports false for an item with
// neither title, link nor guid: nothing could identify or show it.
func (p *Parser) convertItem(gi *gofeed.Item, src source, base string, now time.Time) (item.Item, bool) {
	info := entryInfo{}
	if src.info != nil {
		info = *src.info
	}
	it := item.Item{
		GUID:       capText(xmlChars(strings.TrimSpace(gi.GUID)), maxGUID),
		Title:      capText(itemTitle(gi, src, info), maxTitle),
		Author:     capText(author(gi), maxAuthor),
		Categories: categories(itemCategories(gi, src)),
	}

	if info.base != "" {
		base = info.base
	}
	abs := itemLink(gi, src, base)
	if c, err := CanonicalURL(abs); err == nil {
		it.Link = c
	}
	it.InReplyTo = inReplyTo(gi)

	// Relative references in content are relative to the xml:base in
	// scope; without one, to the item's own page when it has one (most
	// feeds write them relative to the article), else to the feed.
	contentBase := cmp.Or(abs, base)
	summary, content := gi.Description, gi.Content
	switch {
	case src.atom != nil:
		// Atom type="text" is plain text: a literal "<" is a less-than
		// sign, not a tag (RFC 4287 section 3.1.1.1). The default type
		// is text too.
		if src.atom.Content != nil && (isTextType(src.atom.Content.Type) || src.atom.Content.Type == "") {
			content = html.EscapeString(content)
		}
		if !isHTMLType(info.summaryType) {
			summary = html.EscapeString(summary)
		}
	case src.json != nil:
		// JSON Feed: summary and content_text are plain text; HTML is
		// only ever in content_html (JSON Feed 1.1, "Items").
		summary = html.EscapeString(src.json.Summary)
		if src.json.ContentHTML == "" {
			content = html.EscapeString(src.json.ContentText)
		}
	}
	it.Summary = p.sanitize(summary, cmp.Or(info.summaryBase, contentBase))
	it.Content = p.sanitize(content, cmp.Or(info.contentBase, contentBase))
	it.Summary, it.Content = capHTML(it.Summary, it.Content)
	if it.Summary == "" && it.Content != "" {
		it.Summary = excerpt(it.Content)
	}
	if it.Title == "" && it.Link == "" && it.GUID == "" {
		it.GUID = contentID(it.Summary, it.Content)
		if it.GUID == "" {
			return item.Item{}, false
		}
	}

	it.Comments = comments(gi)
	dateItem(&it, gi, src, now)
	return it, true
}

// itemTitle reads the title by its format's rules (see titleOf).
func itemTitle(gi *gofeed.Item, src source, info entryInfo) string {
	switch src.format {
	case "json":
		return jsonText(gi.Title)
	case "atom":
		if src.info == nil {
			// The scan lost track of the entries: read the title the
			// cautious way, as if untyped.
			return titleOf(gi.Title, "", true)
		}
		return titleOf(gi.Title, info.titleType, false)
	}
	return titleOf(gi.Title, "", true)
}

// jsonText reads a JSON Feed title: plain text (JSON Feed 1.1: "the only
// place HTML is allowed in this format is in content_html"), so "&amp;"
// is five characters, as every JSON Feed reader shows it.
func jsonText(s string) string {
	return textOf(s)
}

// itemCategories keeps an Atom category's term, the category itself (RFC
// 4287 section 4.2.2.1), rather than gofeed's label, which is display
// text.
func itemCategories(gi *gofeed.Item, src source) []string {
	if src.atom == nil {
		return gi.Categories
	}
	out := make([]string, 0, len(src.atom.Categories))
	for _, c := range src.atom.Categories {
		if c != nil {
			out = append(out, cmp.Or(c.Term, c.Label))
		}
	}
	return out
}

func isTextType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "text" || t == "text/plain"
}

// clamp returns t in UTC, or now when t is more than maxFuture ahead.
func clamp(t, now time.Time) time.Time {
	if t.After(now.Add(maxFuture)) {
		return now
	}
	return t.UTC()
}

// itemLink picks the item's absolute link, before canonicalisation:
//   - feedburner:origLink first: FeedBurner (Slashdot's RDF among others)
//     rewrites <link> to a redirector, which would make the same story look
//     different in every feed that carries it;
//   - then <link> (JSON Feed "url", Atom rel="alternate"): in Atom, only an
//     alternate link is the article; rel="self" is the entry document,
//     "edit" its API, "replies" a comment feed;
//   - then, in RSS, an <atom:link> with rel="alternate" (or none): some
//     generators write their only link that way;
//   - then an RSS <guid> that is a permalink (isPermaLink defaults to true,
//     RSS 2.0 spec) and an http(s) URL: some feeds carry no <link> at all
//     (testdata/guid-dupes_braingle-feedburner_2014-06_rss2.xml).
func itemLink(gi *gofeed.Item, src source, base string) string {
	for _, e := range gi.Extensions["feedburner"]["origLink"] {
		if l := httpURL(Resolve(base, e.Value)); l != "" {
			return l
		}
	}
	if l := httpURL(Resolve(base, gi.Link)); l != "" {
		return l
	}
	if src.atom != nil {
		return ""
	}
	if src.json != nil || src.rss == nil {
		for _, l := range gi.Links {
			if l := httpURL(Resolve(base, l)); l != "" {
				return l
			}
		}
		if src.rss == nil {
			return ""
		}
	}
	for _, l := range src.rss.Links {
		if l := httpURL(Resolve(base, l)); l != "" {
			return l
		}
	}
	for _, prefix := range []string{"atom", "atom10", "atom03"} {
		for _, l := range gi.Extensions[prefix]["link"] {
			if rel := strings.ToLower(strings.TrimSpace(l.Attrs["rel"])); rel == "" || rel == "alternate" {
				if u := httpURL(Resolve(base, l.Attrs["href"])); u != "" {
					return u
				}
			}
		}
	}
	if src.rss.GUID != nil && !strings.EqualFold(strings.TrimSpace(src.rss.GUID.IsPermalink), "false") {
		// Absolute only: a relative guid ("12345") is an id, not a link.
		return httpURL(Resolve("", src.rss.GUID.Value))
	}
	return ""
}

// author returns the first author's name, or their email if unnamed.
func author(gi *gofeed.Item) string {
	people := gi.Authors
	if len(people) == 0 && gi.Author != nil {
		people = []*gofeed.Person{gi.Author}
	}
	for _, a := range people {
		if a == nil {
			continue
		}
		if name := extract.Text(a.Name); name != "" {
			return name
		}
		if email := extract.Text(a.Email); email != "" {
			return email
		}
	}
	return ""
}

// categories trims and de-duplicates, keeping the feed's order.
func categories(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, c := range in {
		c = collapse(xmlChars(c))
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}
