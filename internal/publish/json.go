package publish

import (
	"cmp"
	"encoding/json"
	"io"
	"time"

	"github.com/gorilla/feeds"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is a JSON Feed 1.1 document. Its Items shadows the embedded
// JSONFeed.Items (the shallower field wins in encoding/json) to drop
// omitempty: "items" is required even when empty (gap 8 in the
// package comment).
type jsonFeed struct {
	feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem adds our _kernelwire extension to gorilla's JSONItem; JSON Feed
// reserves keys starting with "_" for extensions (1.1, "Extensions").
type jsonItem struct {
	feeds.JSONItem
	Kernelwire *jsonExtension `json:"_kernelwire,omitempty"`
}

// jsonExtension is what kernelwire knows about an item beyond JSON Feed.
type jsonExtension struct {
	Source         string                `json:"source,omitempty"`
	Topics         []string              `json:"topics,omitempty"`
	KernelVersions []string              `json:"kernel_versions,omitempty"`
	CVEs           []string              `json:"cves,omitempty"`
	Patch          *item.Patch           `json:"patch,omitempty"`
	Matched        map[string]item.Match `json:"matched,omitempty"`
	// Related is the story's other coverage; Replies its mailing-list
	// replies.
	Related []jsonRelated `json:"related,omitempty"`
	Replies int           `json:"replies,omitempty"`
	// The kernel lane's data (kernel.go): a series' or pull request's
	// status, a CNA CVE record, a kernel.org release record.
	Status  *jsonStatus   `json:"status,omitempty"`
	CVE     *item.CVE     `json:"cve,omitempty"`
	Release *item.Release `json:"release,omitempty"`
	// ReleaseNotes are a release's fixed CVEs and notes (release.go).
	ReleaseNotes *jsonNotes `json:"release_notes,omitempty"`
	// Undated says the upstream gave no date we could read: the item's
	// date is when it was first seen, or on a source's first poll a place
	// behind the source's dated items.
	Undated bool `json:"undated,omitempty"`
}

// jsonRelated is one other report of an item's story.
type jsonRelated struct {
	URL           string     `json:"url,omitempty"`
	Source        string     `json:"source,omitempty"`
	Title         string     `json:"title,omitempty"`
	DatePublished *time.Time `json:"date_published,omitempty"`
}

func writeJSON(w io.Writer, m *model) error {
	f := jsonFeed{
		JSONFeed: feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       m.title,
			HomePageUrl: m.htmlURL,
			FeedUrl:     m.selfURL,
			Description: m.description,
			NextUrl:     m.nextURL,
		},
		Items: make([]*jsonItem, 0, len(m.entries)),
	}
	if m.hubURL != "" {
		f.Hubs = []*feeds.JSONHub{{Type: "WebSub", Url: m.hubURL}}
	}
	for i := range m.entries {
		f.Items = append(f.Items, newJSONItem(&m.entries[i]))
	}
	enc := json.NewEncoder(w)
	// HTML is data here, not markup embedded in a page: \u003c would only
	// make the feed harder to read.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(&f)
}

func newJSONItem(e *entry) *jsonItem {
	// UTC whole seconds marshal as "2026-01-02T03:04:05Z", the same
	// instant the XML formats carry.
	published, modified := e.published, e.updated
	j := &jsonItem{JSONItem: feeds.JSONItem{
		Id:            e.id,
		Url:           e.link,
		Title:         e.title,
		PublishedDate: &published,
		ModifiedDate:  &modified,
		Tags:          e.topics,
	}}
	// One of content_html and content_text is required; summary is plain
	// text in JSON Feed, so it is only written next to real content.
	switch {
	case e.content != "":
		j.ContentHTML = e.readerHTML(e.content)
		if e.summaryHTML {
			j.Summary = extract.Text(e.summary)
		} else {
			j.Summary = e.summary
		}
	case e.summary != "" && e.summaryHTML:
		j.ContentHTML = e.readerHTML(e.summary)
	case e.summary != "" && e.hasExtras():
		j.ContentHTML = e.readerHTML(asHTML(e.summary, false))
		j.Summary = e.summary
	case e.summary != "":
		j.ContentText = e.summary
	case e.hasExtras():
		j.ContentHTML = e.readerHTML("")
	default:
		j.ContentText = e.title
	}
	if name := cmp.Or(e.authorName, e.authorEmail); name != "" {
		j.Authors = []*feeds.JSONAuthor{{Name: name}}
	}
	j.Kernelwire = newJSONExtension(e)
	return j
}

func newJSONExtension(e *entry) *jsonExtension {
	x := &jsonExtension{
		Source:         e.sourceName,
		Topics:         e.topics,
		KernelVersions: cleanAll(e.it.Extracted.KernelVersions),
		CVEs:           cleanAll(e.it.Extracted.CVEs),
		Patch:          e.it.Extracted.Patch,
	}
	if p := x.Patch; p != nil {
		c := *p
		c.Kind, c.Subsystem = cleanText(c.Kind), cleanText(c.Subsystem)
		x.Patch = &c
	}
	if len(e.it.Matched) > 0 {
		x.Matched = make(map[string]item.Match, len(e.it.Matched))
		for topic, mt := range e.it.Matched {
			x.Matched[cleanText(topic)] = item.Match{Rule: cleanText(mt.Rule), Words: cleanAll(mt.Words)}
		}
	}
	for _, r := range e.related {
		j := jsonRelated{URL: r.url, Source: r.name, Title: r.title}
		if !r.published.IsZero() {
			j.DatePublished = &r.published
		}
		x.Related = append(x.Related, j)
	}
	x.Replies = e.replies
	x.Status, x.CVE, x.Release = newJSONStatus(e.status), cleanCVE(e.it.Extracted.CVE), cleanRelease(e.it.Extracted.Release)
	x.ReleaseNotes = newJSONNotes(e)
	x.Undated = e.it.Undated
	if !x.Undated && x.Source == "" && len(x.Topics) == 0 && len(x.KernelVersions) == 0 && len(x.CVEs) == 0 && x.Patch == nil &&
		len(x.Matched) == 0 && len(x.Related) == 0 && x.Replies == 0 && x.Status == nil && x.CVE == nil && x.Release == nil && x.ReleaseNotes == nil {
		return nil
	}
	return x
}
