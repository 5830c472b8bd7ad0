package publish

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

const atomNS = "http://www.w3.org/2005/Atom"

// atomFeed is an RFC 4287 feed document. It replaces gorilla's AtomFeed,
// which has a single link, no generator and writes empty required elements
// (gaps 3 and 4 in the package comment); gorilla's element types are reused.
type atomFeed struct {
	XMLName   xml.Name `xml:"feed"`
	Xmlns     string   `xml:"xmlns,attr"`
	Title     string   `xml:"title"`
	Subtitle  string   `xml:"subtitle,omitempty"`
	ID        string   `xml:"id"`
	Updated   string   `xml:"updated"`
	Links     []feeds.AtomLink
	Generator *atomGenerator
	Entries   []atomEntry
}

// FeedXml implements feeds.XmlFeed so feeds.WriteXML can write it.
func (f *atomFeed) FeedXml() any { return f }

type atomGenerator struct {
	XMLName xml.Name `xml:"generator"`
	Version string   `xml:"version,attr,omitempty"`
	Name    string   `xml:",chardata"`
}

type atomEntry struct {
	XMLName    xml.Name `xml:"entry"`
	Title      string   `xml:"title"`
	ID         string   `xml:"id"`
	Published  string   `xml:"published"`
	Updated    string   `xml:"updated"`
	Links      []feeds.AtomLink
	Related    []atomRelatedLink
	Author     *feeds.AtomAuthor
	Categories []atomCategory
	Source     *atomSource
	Summary    *feeds.AtomSummary
	Content    *feeds.AtomContent
}

// atomRelatedLink is <link rel="related" href title>: another report of
// the entry's story (RFC 4287 section 4.2.7.2); gorilla's AtomLink has no
// title attribute.
type atomRelatedLink struct {
	XMLName xml.Name `xml:"link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Title   string   `xml:"title,attr,omitempty"`
}

// atomCategory has the term RFC 4287 section 4.2.2 requires (gorilla #5).
type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
	Label   string   `xml:"label,attr,omitempty"`
}

// atomSource is RFC 4287 section 4.2.11: the feed an entry was copied from.
type atomSource struct {
	XMLName xml.Name `xml:"source"`
	ID      string   `xml:"id,omitempty"`
	Title   string   `xml:"title"`
	Links   []feeds.AtomLink
}

func atomDate(t time.Time) string { return t.Format(time.RFC3339) }

func newAtomFeed(m *model) *atomFeed {
	f := &atomFeed{
		Xmlns:    atomNS,
		Title:    m.title,
		Subtitle: m.description,
		ID:       m.id,
		Updated:  atomDate(m.updated),
		Links:    []feeds.AtomLink{{Href: m.selfURL, Rel: "self", Type: "application/atom+xml"}},
		Entries:  make([]atomEntry, 0, len(m.entries)),
	}
	if m.htmlURL != "" {
		f.Links = append(f.Links, feeds.AtomLink{Href: m.htmlURL, Rel: "alternate", Type: "text/html"})
	}
	if m.nextURL != "" {
		f.Links = append(f.Links, feeds.AtomLink{Href: m.nextURL, Rel: "next", Type: "application/atom+xml"})
	}
	if m.hubURL != "" {
		f.Links = append(f.Links, feeds.AtomLink{Href: m.hubURL, Rel: "hub"})
	}
	if m.generator != "" {
		name, version, _ := strings.Cut(m.generator, " ")
		f.Generator = &atomGenerator{Name: name, Version: strings.TrimSpace(version)}
	}
	for i := range m.entries {
		f.Entries = append(f.Entries, newAtomEntry(&m.entries[i], m.topicTitles))
	}
	return f
}

func newAtomEntry(e *entry, topicTitles map[string]string) atomEntry {
	a := atomEntry{
		Title:     e.title,
		ID:        e.id,
		Published: atomDate(e.published),
		Updated:   atomDate(e.updated),
		// The feed has no author of its own, so every entry needs one
		// (RFC 4287 section 4.1.1): the source stands in for a missing one.
		Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: e.authorOrSource(), Email: e.authorEmail}},
	}
	if e.link != "" {
		a.Links = []feeds.AtomLink{{Href: e.link, Rel: "alternate"}}
	}
	for _, r := range e.related {
		// A link needs an href; a report without one is only counted in
		// the other formats' text.
		if r.url != "" {
			a.Related = append(a.Related, atomRelatedLink{Href: r.url, Rel: "related", Title: r.label()})
		}
	}
	for _, t := range e.topics {
		a.Categories = append(a.Categories, atomCategory{Term: t, Label: cleanText(topicTitles[t])})
	}
	if e.source != "" {
		s := &atomSource{Title: e.source}
		if e.sourceURL != "" {
			s.ID = e.sourceURL
			s.Links = []feeds.AtomLink{{Href: e.sourceURL, Rel: "self"}}
		}
		if e.sourceSite != "" {
			s.Links = append(s.Links, feeds.AtomLink{Href: e.sourceSite, Rel: "alternate", Type: "text/html"})
		}
		a.Source = s
	}
	// Readers show the content and ignore rel="related": the coverage
	// and kernel facts go into it, made from the summary if need be.
	switch {
	case e.content != "":
		a.Content = &feeds.AtomContent{Content: e.readerHTML(e.content), Type: "html"}
	case e.hasExtras():
		a.Content = &feeds.AtomContent{Content: e.readerHTML(asHTML(e.summary, e.summaryHTML)), Type: "html"}
	case e.link == "":
		// An entry without an alternate link must have content (RFC 4287
		// section 4.1.1): the summary moves there, else the title stands in.
		if e.summary != "" {
			a.Content = &feeds.AtomContent{Content: e.summary, Type: textType(e.summaryHTML)}
			return a
		}
		a.Content = &feeds.AtomContent{Content: e.title, Type: "text"}
	}
	if e.summary != "" {
		a.Summary = &feeds.AtomSummary{Content: e.summary, Type: textType(e.summaryHTML)}
	}
	return a
}

func textType(isHTML bool) string {
	if isHTML {
		return "html"
	}
	return "text"
}
