package publish

import (
	"encoding/xml"
	"html"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// rssDoc is an RSS 2.0 document with the Atom, content and Dublin Core
// namespaces our extensions need; gorilla's RssFeedXml declares only
// content (gaps 4 and 7 in the package comment).
type rssDoc struct {
	XMLName      xml.Name   `xml:"rss"`
	Version      string     `xml:"version,attr"`
	XmlnsAtom    string     `xml:"xmlns:atom,attr"`
	XmlnsContent string     `xml:"xmlns:content,attr"`
	XmlnsDC      string     `xml:"xmlns:dc,attr"`
	Channel      rssChannel `xml:"channel"`
}

// FeedXml implements feeds.XmlFeed so feeds.WriteXML can write it.
func (d *rssDoc) FeedXml() any { return d }

type rssChannel struct {
	Title         string        `xml:"title"`
	Link          string        `xml:"link"`
	Description   string        `xml:"description"`
	AtomLinks     []rssAtomLink `xml:"atom:link"`
	PubDate       string        `xml:"pubDate"`
	LastBuildDate string        `xml:"lastBuildDate"`
	Generator     string        `xml:"generator,omitempty"`
	Docs          string        `xml:"docs"`
	Items         []rssItem     `xml:"item"`
}

// rssAtomLink is <atom:link>: the self link the RSS Advisory Board's
// profile asks for, plus WebSub's hub.
type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// rssItem differs from gorilla's RssItem in omitting empty links and
// descriptions and in carrying categories, dc:creator and <source url>.
type rssItem struct {
	Title       string            `xml:"title,omitempty"`
	Link        string            `xml:"link,omitempty"`
	Description string            `xml:"description,omitempty"`
	Content     *feeds.RssContent `xml:"content:encoded"`
	Author      string            `xml:"author,omitempty"`
	Creator     string            `xml:"dc:creator,omitempty"`
	Categories  []string          `xml:"category"`
	GUID        *feeds.RssGuid    `xml:"guid"`
	PubDate     string            `xml:"pubDate"`
	Source      *rssSource        `xml:"source"`
}

// rssSource is <source url="feed URL">name</source>; url is required.
type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

func rssDate(t time.Time) string { return t.Format(time.RFC1123Z) }

func newRSSDoc(m *model) *rssDoc {
	c := rssChannel{
		Title:         m.title,
		Link:          m.htmlURL,
		Description:   m.description,
		AtomLinks:     []rssAtomLink{{Href: m.selfURL, Rel: "self", Type: "application/rss+xml"}},
		PubDate:       rssDate(m.updated),
		LastBuildDate: rssDate(m.updated),
		Generator:     m.generator,
		Docs:          "https://www.rssboard.org/rss-specification",
		Items:         make([]rssItem, 0, len(m.entries)),
	}
	if c.Link == "" {
		c.Link = m.selfURL // <link> is required in a channel.
	}
	if c.Description == "" {
		c.Description = m.title // so is <description>.
	}
	if m.nextURL != "" {
		c.AtomLinks = append(c.AtomLinks, rssAtomLink{Href: m.nextURL, Rel: "next", Type: "application/rss+xml"})
	}
	if m.hubURL != "" {
		c.AtomLinks = append(c.AtomLinks, rssAtomLink{Href: m.hubURL, Rel: "hub"})
	}
	for i := range m.entries {
		c.Items = append(c.Items, newRSSItem(&m.entries[i]))
	}
	return &rssDoc{
		Version:      "2.0",
		XmlnsAtom:    atomNS,
		XmlnsContent: "http://purl.org/rss/1.0/modules/content/",
		XmlnsDC:      "http://purl.org/dc/elements/1.1/",
		Channel:      c,
	}
}

func newRSSItem(e *entry) rssItem {
	r := rssItem{
		Title:      rssTitle(e.title),
		Link:       e.link,
		Categories: e.topics,
		// The id is a tag: URI, not a URL a reader could open.
		GUID:    &feeds.RssGuid{Id: e.id, IsPermaLink: "false"},
		PubDate: rssDate(e.published),
	}
	// RSS descriptions are HTML by convention: plain text is escaped so
	// "a < b" survives a reader that parses it.
	switch {
	case e.summary != "":
		r.Description = asHTML(e.summary, e.summaryHTML)
	case e.content != "":
		r.Description = e.content
	}
	// RSS has no related links: the coverage is a short list at the end
	// of the description and of the content (which most readers show
	// instead), after the kernel facts.
	r.Description = e.readerHTML(r.Description)
	if e.content != "" {
		r.Content = &feeds.RssContent{Content: e.readerHTML(e.content)}
	}
	// <author> must be an address (RSS 2.0); names go to dc:creator.
	switch {
	case e.authorEmail != "" && e.authorName != "":
		r.Author = e.authorEmail + " (" + e.authorName + ")"
	case e.authorEmail != "":
		r.Author = e.authorEmail
	case e.authorName != "":
		r.Creator = e.authorName
	}
	if e.source != "" && e.sourceURL != "" {
		r.Source = &rssSource{URL: e.sourceURL, Name: e.source}
	}
	return r
}

// rssTitle writes a plain-text title so that RSS readers, which guess
// whether an untyped title is HTML (feedparser: a closing tag or a
// character reference makes it HTML), read it back as it is: a title that
// would pass for HTML is escaped once more, as HTML whose text is the
// title; any other ("include <linux/slab.h>") is written as it is.
//
// The test is broader than any reader's (any "</", "<br", "<img", "<hr" or
// reference-shaped "&...;"): escaping a title that was not ambiguous costs
// nothing, since the escaped form is read as HTML by everyone.
func rssTitle(title string) string {
	l := strings.ToLower(title)
	if strings.Contains(l, "</") || strings.Contains(l, "<br") || strings.Contains(l, "<img") ||
		strings.Contains(l, "<hr") || entity.MatchString(title) {
		return html.EscapeString(title)
	}
	return title
}
