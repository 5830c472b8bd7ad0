package publish

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/feeds"

	"github.com/kernelwire/kernelwire/internal/item"
)

// ErrInvalidFeed is returned (wrapped) by Render for a Feed that cannot be
// written as a valid document.
var ErrInvalidFeed = errors.New("invalid feed")

// Feed is one curated feed, ready to render.
type Feed struct {
	// ID is the stable feed id (a tag: URI or the self URL); empty means
	// SelfURL. A tag: ID also names the authority of the item ids.
	ID          string
	Title       string
	Description string
	// SelfURL is the absolute URL of this very document (rel="self").
	SelfURL string
	// HTMLURL is the absolute URL of the HTML page (rel="alternate").
	HTMLURL string
	// NextURL is the next page when there are more items (JSON Feed
	// next_url, Atom and RSS rel="next").
	NextURL string
	// HubURL is the WebSub hub; rel="hub" is advertised when set.
	HubURL string
	// Updated is the newest item's date (or now if no items); zero means
	// the newest item's date.
	Updated time.Time
	Items   []item.Item
	// Generator is "kernelwire <version>".
	Generator string
	// TopicTitles maps a topic slug to its title, the Atom category label.
	TopicTitles map[string]string
	// SourceURLs maps a source name to its upstream feed URL: RSS <source>
	// requires a url, so the element is only written for known sources.
	SourceURLs map[string]string
	// SourceTitles maps a source name to its display name (feeds.yaml's
	// title:, else the feed's own title) and SourceSites to its site's
	// home page: readers are shown those, never the config name.
	SourceTitles map[string]string
	SourceSites  map[string]string
	// Releases are the notes of the kernel versions the items release
	// (see ReleaseVersions), by version; nil when none were gathered.
	Releases map[string]ReleaseNotes
}

// Render writes f in format. The output is a pure function of its
// arguments, so a cache can key ETags on the bytes.
func Render(f Feed, format Format) ([]byte, error) {
	m, err := newModel(f)
	if err != nil {
		return nil, fmt.Errorf("render %s feed %q: %w", format, f.SelfURL, err)
	}
	var buf bytes.Buffer
	switch format {
	case RSS:
		err = feeds.WriteXML(newRSSDoc(m), &buf)
	case Atom:
		err = feeds.WriteXML(newAtomFeed(m), &buf)
	case JSON:
		err = writeJSON(&buf, m)
	default:
		return nil, fmt.Errorf("render feed %q: unknown format %q", f.SelfURL, format)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s feed %q: %w", format, f.SelfURL, err)
	}
	if format != JSON {
		// WriteXML leaves the document without a final newline.
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// model is a Feed with every decision shared by the three writers taken:
// text cleaned, ids minted, dates chosen, text vs HTML classified.
type model struct {
	id, title, description     string
	selfURL, htmlURL           string
	nextURL, hubURL, generator string
	updated                    time.Time
	entries                    []entry
	topicTitles                map[string]string
}

type entry struct {
	id, title, link         string
	published, updated      time.Time
	authorName, authorEmail string
	source, sourceURL       string // display name, upstream feed URL
	sourceName, sourceSite  string // feeds.yaml name, site home page
	summary                 string // cleaned, as given (HTML or text)
	summaryHTML             bool
	content                 string // cleaned HTML
	topics                  []string
	related                 []related  // the story's other coverage
	replies                 int        // mailing-list replies in the story
	it                      *item.Item // for the JSON extension
	status                  *item.Status
	kernelHTML              string    // the kernel facts shown (kernel.go)
	fixesCVEs               []string  // of a release (release.go)
	notes                   []related // of a release
}

// related is one other report of the entry's story, cleaned.
type related struct {
	url, source, title string // source: display name
	name               string // source: feeds.yaml name
	published          time.Time
}

// label names a related report: "Source: title".
func (r related) label() string {
	switch {
	case r.source == "":
		return r.title
	case r.title == "":
		return r.source
	}
	return r.source + ": " + r.title
}

func newModel(f Feed) (*model, error) {
	m := &model{
		id:          cleanText(cmp.Or(f.ID, f.SelfURL)),
		title:       strings.TrimSpace(cleanText(f.Title)),
		description: strings.TrimSpace(cleanText(f.Description)),
		selfURL:     cleanText(f.SelfURL),
		htmlURL:     cleanText(f.HTMLURL),
		nextURL:     cleanText(f.NextURL),
		hubURL:      cleanText(f.HubURL),
		generator:   strings.TrimSpace(cleanText(f.Generator)),
		updated:     utc(f.Updated),
		topicTitles: f.TopicTitles,
	}
	if m.title == "" {
		return nil, fmt.Errorf("%w: no title", ErrInvalidFeed)
	}
	if m.selfURL == "" {
		return nil, fmt.Errorf("%w: no self URL", ErrInvalidFeed)
	}
	if m.updated.IsZero() {
		for i := range f.Items {
			m.updated = latest(m.updated, itemDate(&f.Items[i]), utc(f.Items[i].Updated), utc(f.Items[i].StoryUpdated))
		}
	}
	if m.updated.IsZero() {
		// Falling back to time.Now would make the bytes (and the ETag)
		// change at every render of the same feed.
		return nil, fmt.Errorf("%w: no updated date and no dated items", ErrInvalidFeed)
	}
	prefix := idPrefix(m.id, m.selfURL)
	m.entries = make([]entry, len(f.Items))
	for i := range f.Items {
		m.entries[i] = newEntry(&f.Items[i], prefix, m.updated, f.sources(), f.Releases)
	}
	return m, nil
}

// sourceMaps are Feed's maps about sources, together.
type sourceMaps struct{ urls, titles, sites map[string]string }

func (f *Feed) sources() sourceMaps {
	return sourceMaps{f.SourceURLs, f.SourceTitles, f.SourceSites}
}

// title is the display name of source name.
func (s sourceMaps) title(name string) string {
	return strings.TrimSpace(cleanText(cmp.Or(s.titles[name], name)))
}

func newEntry(it *item.Item, idPrefix string, feedUpdated time.Time, sources sourceMaps, releases map[string]ReleaseNotes) entry {
	e := entry{
		id:         itemID(idPrefix, it),
		title:      strings.TrimSpace(cleanText(it.Title)),
		link:       cleanText(it.Link),
		published:  cmp.Or(itemDate(it), feedUpdated),
		source:     sources.title(it.Source),
		sourceName: strings.TrimSpace(cleanText(it.Source)),
		sourceSite: cleanText(sources.sites[it.Source]),
		summary:    strings.TrimSpace(cleanText(it.Summary)),
		content:    strings.TrimSpace(cleanText(it.Content)),
		topics:     cleanAll(it.Topics),
		it:         it,
	}
	e.updated = latest(e.published, utc(it.Updated), utc(it.StoryUpdated))
	e.summaryHTML = looksLikeHTML(e.summary)
	e.sourceURL = cleanText(sources.urls[it.Source])
	e.authorName, e.authorEmail = splitAuthor(cleanText(it.Author))
	e.replies = max(it.Replies, 0)
	for _, r := range it.Related {
		rr := related{
			url:       cleanText(r.URL),
			source:    sources.title(r.Source),
			name:      strings.TrimSpace(cleanText(r.Source)),
			title:     strings.TrimSpace(cleanText(r.Title)),
			published: utc(r.Published),
		}
		if rr.url != "" || rr.title != "" {
			e.related = append(e.related, rr)
		}
	}
	kernelFacts(&e, it)
	releaseNotes(&e, it, releases, sources)
	return e
}

// itemDate is the item's publication date: Published, else FirstSeen,
// else Updated, in UTC whole seconds (what RFC 3339 and RFC 1123 carry).
func itemDate(it *item.Item) time.Time {
	return cmp.Or(utc(it.Published), utc(it.FirstSeen), utc(it.Updated))
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func latest(ts ...time.Time) time.Time {
	var max time.Time
	for _, t := range ts {
		if t.After(max) {
			max = t
		}
	}
	return max
}

// splitAuthor separates an address ("Jane <jane@example.org>",
// "jane@example.org (Jane)") into name and email; anything else is a name.
func splitAuthor(s string) (name, email string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if strings.Contains(s, "@") {
		if a, err := mail.ParseAddress(s); err == nil {
			return a.Name, a.Address
		}
	}
	return s, ""
}

// authorOrSource names who to credit: the author, else the address, else
// the source (Atom requires an author on every entry of a feed without
// one).
func (e *entry) authorOrSource() string {
	return cmp.Or(e.authorName, e.authorEmail, e.source, "kernelwire")
}

// tagYear is the date part of minted tag: URIs (RFC 4151 section 2.1). It
// is fixed: changing it would change every published id.
const tagYear = "2026"

// idPrefix is the tagging entity items are minted under: the feed's own
// when its ID is a tag: URI ("tag:example.org,2026:"), else the host of
// the ID or the self URL, so every feed of one deployment gives an article
// the same id.
func idPrefix(feedID, selfURL string) string {
	if rest, ok := strings.CutPrefix(feedID, "tag:"); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 && strings.Contains(rest[:i], ",") {
			return "tag:" + rest[:i+1]
		}
	}
	host := "kernelwire.invalid"
	for _, s := range []string{feedID, selfURL} {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			host = strings.ToLower(u.Hostname())
			break
		}
	}
	return "tag:" + host + "," + tagYear + ":"
}
