package parse

import (
	"html"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

	"github.com/kernelwire/kernelwire/internal/item"
)

// maxFuture is how far ahead of now a date may be before it is taken for a
// wrong clock or zone and replaced by now: a feed that dates its items in
// the future would otherwise stay on top of every listing.
const maxFuture = 24 * time.Hour

// source is the format-specific item gofeed translated from, when known.
type source struct {
	rss  *rss.Item
	atom *atom.Entry
}

// convertItem normalises one gofeed item. It reports false for an item with
// neither title, link nor guid: nothing could identify or show it.
func (p *Parser) convertItem(gi *gofeed.Item, src source, base string, now time.Time) (item.Item, bool) {
	it := item.Item{
		GUID:       xmlChars(strings.TrimSpace(gi.GUID)),
		Title:      plainText(gi.Title),
		Author:     author(gi),
		Categories: categories(gi.Categories),
	}

	abs := itemLink(gi, src, base)
	if c, err := CanonicalURL(abs); err == nil {
		it.Link = c
	}
	if it.Title == "" && it.Link == "" && it.GUID == "" {
		return item.Item{}, false
	}

	// Relative references in content are relative to the item's own page
	// when it has one (RSS has no xml:base), else to the feed.
	contentBase := abs
	if contentBase == "" {
		contentBase = base
	}
	it.Summary = p.sanitize(gi.Description, contentBase)
	content := gi.Content
	if src.atom != nil && src.atom.Content != nil && isTextType(src.atom.Content.Type) {
		// Atom type="text" is plain text: a literal "<" is a less-than sign,
		// not a tag (RFC 4287 section 3.1.1.1).
		content = html.EscapeString(content)
	}
	it.Content = p.sanitize(content, contentBase)
	if it.Summary == "" && it.Content != "" {
		it.Summary = excerpt(it.Content)
	}

	if gi.UpdatedParsed != nil {
		it.Updated = clamp(*gi.UpdatedParsed, now)
	}
	switch {
	case gi.PublishedParsed != nil:
		it.Published = clamp(*gi.PublishedParsed, now)
	case !it.Updated.IsZero():
		it.Published = it.Updated
	default:
		it.Published = now
	}
	return it, true
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
//   - then <link> (JSON Feed "url", Atom rel="alternate");
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
	for _, l := range gi.Links {
		if l := httpURL(Resolve(base, l)); l != "" {
			return l
		}
	}
	if src.rss != nil && src.rss.GUID != nil && !strings.EqualFold(strings.TrimSpace(src.rss.GUID.IsPermalink), "false") {
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
		if name := plainText(a.Name); name != "" {
			return name
		}
		if email := plainText(a.Email); email != "" {
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
