// Package parse turns a fetched feed body into kernelwire items: it owns
// charset handling, format detection (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed
// 1.0/1.1, via gofeed), canonical links (CanonicalURL), plain-text titles,
// sanitised HTML summaries and content, and dates (clamped, never zero;
// Item.Undated when the upstream gave none we could read).
//
// Text stays text: an Atom type="text" title or summary, a JSON Feed title,
// summary or content_text and an RSS title that does not look like HTML
// keep every character ("include <linux/slab.h>", "Vec<T>"); only
// type="html"/"xhtml" and HTML-looking RSS titles are reduced to text, and
// then only real HTML elements count as tags (text.go). Titles, summaries
// and content are capped (caps.go).
//
// Charsets (decode.go): a byte order mark wins; then the HTTP charset
// parameter, authoritative for XML media types (RFC 7303 section 3),
// unless the bytes are invalid in it and valid in the charset the XML
// declaration names, or it is a single-byte default (ISO-8859-1,
// windows-1252, US-ASCII) while the bytes are non-ASCII UTF-8 declared as
// such; then the declaration; then UTF-8 if the bytes are valid, else the
// legacy charset detectLegacy finds. Quoted values (charset='gb2312') and
// UTF-32 are read.
//
// Damage: a truncated or ill-formed document keeps the items before the
// damage, and Feed.Damage (wrapping ErrPartial) says so.
//
// It must not fetch, log, decide identity (Item.Key, package dedup), assign
// topics (package tag) or store anything: Parse is a pure function of the
// body, its Content-Type, its URL and the current time.
//
// gofeed traps handled here (each checked against gofeed v1.4):
//   - gofeed ignores the HTTP charset and cannot read UTF-16; we transcode
//     to UTF-8 once, ourselves, and remove the XML declaration so that gofeed
//     cannot transcode a second time (decode.go);
//   - gofeed only looks 4 KiB into the body for the root element; a body
//     whose root comes later is cut to start at the root;
//   - gofeed resolves xml:base as if every base were a folder; scanXML
//     computes the bases as RFC 3986 does, removes xml:base from the
//     document and convertItem resolves links and content itself
//     (xmlscan.go);
//   - gofeed reads a date with an unknown zone as UTC; dates are read by
//     parseDate only (dates.go), and an item's plain RSS pubDate is taken
//     out of the document before gofeed parses it at great cost for
//     nothing (liftPubDate);
//   - gofeed's per-item HTML scan for a first image is turned off: we never
//     use Item.Image and it was half the allocations on large feeds.
package parse

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// ErrNotFeed is wrapped by every error Parse returns: an HTML page, an empty
// body, or something no feed parser could read.
var ErrNotFeed = errors.New("not a feed")

// ErrPartial is wrapped by Feed.Damage: the document is truncated or not
// well-formed, and only the items before the damage were read.
var ErrPartial = errors.New("feed damaged, items after the damage lost")

// Feed is a parsed feed: its own metadata and its normalised items.
type Feed struct {
	// Title and Description are plain text; Link is absolute ("" if none).
	Title, Link, Description string
	// HubURL is the WebSub hub (<link rel="hub">), "" if none.
	HubURL string
	// Generator is what the feed says wrote it (Atom and RSS <generator>)
	// and SelfURL where it says it lives (rel="self", JSON Feed feed_url):
	// a poller refuses a feed that kernelwire itself wrote.
	Generator, SelfURL string
	// TTL is RSS <ttl> (minutes), 0 if none.
	TTL time.Duration
	// UpdatePeriod is sy:updatePeriod divided by sy:updateFrequency, 0 if
	// neither is present.
	UpdatePeriod time.Duration
	// Date is the feed's own date (RSS pubDate or lastBuildDate, Atom
	// updated, the earlier when both are readable), zero if none: the
	// poller dates a backlog's undated items behind it.
	Date  time.Time
	Items []item.Item
	// Damage is non-nil (wrapping ErrPartial) when the document broke off
	// or went ill-formed: Items are those before the damage, as
	// feedparser keeps them. The poller stores them and reports a partial
	// poll.
	Damage error
}

// Parser parses feeds. It holds the compiled sanitiser policy, which is
// safe for concurrent use, so one Parser can serve every poll worker.
type Parser struct {
	policy *bluemonday.Policy
}

// NewParser builds a Parser.
func NewParser() *Parser {
	return &Parser{policy: newPolicy()}
}

// Parse parses body with a fresh Parser. Callers parsing many feeds should
// keep one NewParser instead: building the sanitiser policy is not free.
func Parse(body []byte, contentType, feedURL string, now time.Time) (*Feed, error) {
	return NewParser().Parse(body, contentType, feedURL, now)
}

// Parse parses body (as fetched) from feedURL. contentType is the HTTP
// Content-Type, used for its charset when the document declares none. now
// is the first-seen date of undated items and the reference for clamping
// future dates. Every error wraps ErrNotFeed.
func (p *Parser) Parse(body []byte, contentType, feedURL string, now time.Time) (*Feed, error) {
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse %s: %w: empty body", feedURL, ErrNotFeed)
	}
	doc, err := toUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w: %w", feedURL, ErrNotFeed, err)
	}
	_, root, err := rootElement(doc)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w: %w", feedURL, ErrNotFeed, err)
	}
	if root > detectWindow/2 {
		doc = doc[root:]
	}
	var info docInfo
	src := doc
	if t := bytes.TrimLeft(doc, " \t\r\n"); len(t) > 0 && t[0] == '<' {
		doc, info = scanXML(src, feedURL, true)
	}
	gf, err := gofeedParse(doc)
	if info.lifted && (err != nil || len(info.entries) != len(gf.Items)) {
		// The lifted dates only stand in for gofeed's where its items
		// are the scan's entries: otherwise parse as it always did.
		doc, info = scanXML(src, feedURL, false)
		gf, err = gofeedParse(doc)
	}
	var damage error
	if err != nil && len(info.entries) > 0 {
		if rgf, n := recoverPrefix(doc); rgf != nil {
			damage = fmt.Errorf("parse %s: %w: kept the first %d items: %w", feedURL, ErrPartial, n, err)
			gf, err = rgf, nil
			info.entries = info.entries[:min(len(info.entries), len(gf.Items))]
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w: %w", feedURL, ErrNotFeed, err)
	}
	if damage == nil && len(info.entries) > len(gf.Items) && gf.FeedType != "json" {
		// gofeed stops without an error at some ill-formed markup (an
		// end tag that closes nothing): the entries after it are lost.
		damage = fmt.Errorf("parse %s: %w: read %d of %d entries", feedURL, ErrPartial, len(gf.Items), len(info.entries))
		info.entries = info.entries[:len(gf.Items)]
	}
	// gofeed takes any JSON object for a JSON Feed (an API error body, say);
	// the spec makes "version" required, so it tells the two apart.
	if gf.FeedType == "json" && !strings.Contains(gf.FeedVersion, "jsonfeed.org/version/") {
		return nil, fmt.Errorf("parse %s: %w: JSON without a JSON Feed version", feedURL, ErrNotFeed)
	}
	f := p.convert(gf, info, feedURL, now)
	f.Damage = damage
	return f, nil
}

// recoverPrefix parses the longest prefix of whole entries that gofeed
// accepts, closing the elements left open around them. Damage is assumed
// to spoil every prefix that contains it, so a binary search over the
// entry boundaries costs log2(entries) parses.
func recoverPrefix(doc []byte) (*gofeed.Feed, int) {
	_, info := scanXML(doc, "", false)
	var best *gofeed.Feed
	bestN := 0
	lo, hi := 1, len(info.ends)
	for lo <= hi {
		k := (lo + hi) / 2
		prefix := append([]byte(nil), doc[:info.ends[k-1]]...)
		for j := len(info.closers) - 1; j >= 0; j-- {
			prefix = append(prefix, "</"+info.closers[j]+">"...)
		}
		if gf, err := gofeedParse(prefix); err == nil && len(gf.Items) > 0 {
			best, bestN, lo = gf, len(gf.Items), k+1
		} else {
			hi = k - 1
		}
	}
	return best, bestN
}

// gofeedParse runs gofeed and turns a panic into an error: a malformed
// feed must cost one source one poll, never the process.
func gofeedParse(doc []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("gofeed panic: %v", r)
		}
	}()
	fp := gofeed.NewParser()
	fp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	// The original rss/atom structs carry what the universal feed drops:
	// <ttl>, rel="hub" links, guid isPermaLink and Atom content types.
	fp.KeepOriginalFeed = true
	return fp.Parse(bytes.NewReader(doc))
}

func (p *Parser) convert(gf *gofeed.Feed, info docInfo, feedURL string, now time.Time) *Feed {
	f := &Feed{
		Title:       capText(titleOf(gf.Title, info.titleType, gf.FeedType == "rss"), maxFeedTitle),
		Description: capText(extract.Text(gf.Description), maxSummaryText),
		Link:        httpURL(Resolve(cmp.Or(info.base, feedURL), gf.Link)),
		Generator:   capText(strings.TrimSpace(gf.Generator), maxFeedTitle),
		SelfURL:     httpURL(Resolve(feedURL, gf.FeedLink)),
	}
	if gf.FeedType == "json" {
		f.Title = capText(jsonText(gf.Title), maxFeedTitle)
	}
	base := f.Link
	if base == "" {
		base = feedURL
	}
	var (
		rssItems  []*rss.Item
		atomItems []*atom.Entry
		jsonItems []*jsonfeed.Item
	)
	switch orig := gf.OriginalFeed().(type) {
	case *jsonfeed.Feed:
		jsonItems = orig.Items
	case *rss.Feed:
		f.TTL = minutes(orig.TTL)
		f.HubURL = hubFromExtensions(orig.Extensions)
		rssItems = orig.Items
	case *atom.Feed:
		for _, l := range orig.Links {
			if strings.EqualFold(l.Rel, "hub") && f.HubURL == "" {
				f.HubURL = l.Href
			}
		}
		if f.HubURL == "" {
			f.HubURL = hubFromExtensions(orig.Extensions)
		}
		atomItems = orig.Entries
	}
	f.HubURL = httpURL(Resolve(feedURL, f.HubURL))
	f.UpdatePeriod = updatePeriod(gf.Extensions)
	f.Date = feedDate(gf, now)

	f.Items = make([]item.Item, 0, len(gf.Items))
	for i, gi := range gf.Items {
		if gi == nil {
			continue
		}
		src := source{format: gf.FeedType}
		if len(rssItems) == len(gf.Items) {
			src.rss = rssItems[i]
		}
		if len(atomItems) == len(gf.Items) {
			src.atom = atomItems[i]
		}
		if len(jsonItems) == len(gf.Items) {
			src.json = jsonItems[i]
		}
		if len(info.entries) == len(gf.Items) {
			src.info = &info.entries[i]
		}
		if it, ok := p.convertItem(gi, src, base, now); ok {
			f.Items = append(f.Items, it)
		}
	}
	return f
}

// httpURL returns u if it is an absolute http(s) URL, else "".
func httpURL(u string) string {
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return u
	}
	return ""
}

// minutes parses RSS <ttl>, a number of minutes.
func minutes(s string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 || n > 366*24*60 {
		return 0
	}
	return time.Duration(n) * time.Minute
}

// hubFromExtensions finds an <atom:link rel="hub"> in an RSS channel (or in
// a foreign-namespace link of an Atom feed). gofeed keys extensions by the
// canonical prefix of their namespace, but older feeds use atom10 / atom03.
func hubFromExtensions(exts ext.Extensions) string {
	for _, prefix := range []string{"atom", "atom10", "atom03"} {
		for _, l := range exts[prefix]["link"] {
			if strings.EqualFold(l.Attrs["rel"], "hub") && l.Attrs["href"] != "" {
				return l.Attrs["href"]
			}
		}
	}
	return ""
}

// updatePeriod reads the RSS syndication module
// (http://purl.org/rss/1.0/modules/syndication/): updatePeriod defaults to
// daily and updateFrequency (updates per period) to 1.
func updatePeriod(exts ext.Extensions) time.Duration {
	sy := exts["sy"]
	periodExt, freqExt := sy["updatePeriod"], sy["updateFrequency"]
	if len(periodExt) == 0 && len(freqExt) == 0 {
		return 0
	}
	period := 24 * time.Hour
	if len(periodExt) > 0 {
		switch strings.ToLower(strings.TrimSpace(periodExt[0].Value)) {
		case "hourly":
			period = time.Hour
		case "daily", "":
			period = 24 * time.Hour
		case "weekly":
			period = 7 * 24 * time.Hour
		case "monthly":
			period = 30 * 24 * time.Hour
		case "yearly":
			period = 365 * 24 * time.Hour
		default:
			return 0
		}
	}
	freq := 1
	if len(freqExt) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(freqExt[0].Value))
		if err != nil || n <= 0 {
			return 0
		}
		freq = n
	}
	return period / time.Duration(freq)
}
