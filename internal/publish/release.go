package publish

import (
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
)

// ReleaseNotes is what the store holds about one kernel version besides
// its release story: the CVE ids the kernel CNA's announcements name as
// fixed in it, and the notes about it (merge-window summaries, feature
// articles: items naming the version that announce no release).
type ReleaseNotes struct {
	CVEs  []string
	Notes []item.Related
	// Updated is when the newest of them was published.
	Updated time.Time
}

// ReleaseVersions returns the kernel versions item announces the release
// of: a kernel.org record's, or those its title announces (see
// dedup.ReleaseVersions). Callers gather ReleaseNotes for them.
func ReleaseVersions(it *item.Item) []string {
	var out []string
	if r := it.Extracted.Release; r != nil && r.Version != "" {
		out = append(out, r.Version)
	}
	for _, v := range dedup.ReleaseVersions(*it) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// releaseNotes takes the notes of the entry's released versions into it:
// the CVEs fixed and the notes, without the entry itself and its
// coverage, and moves its updated date to the newest.
func releaseNotes(e *entry, it *item.Item, notes map[string]ReleaseNotes, sources sourceMaps) {
	if len(notes) == 0 {
		return
	}
	seen := map[string]bool{e.link: true, it.Link: true}
	for _, r := range e.related {
		seen[r.url] = true
	}
	for _, v := range ReleaseVersions(it) {
		n, ok := notes[v]
		if !ok {
			continue
		}
		for _, c := range n.CVEs {
			if c = cleanText(c); c != "" && !slices.Contains(e.fixesCVEs, c) {
				e.fixesCVEs = append(e.fixesCVEs, c)
			}
		}
		for _, r := range n.Notes {
			u := cleanText(r.URL)
			if u == "" || seen[u] {
				continue
			}
			seen[u] = true
			e.notes = append(e.notes, related{url: u, source: sources.title(r.Source), name: strings.TrimSpace(cleanText(r.Source)),
				title: strings.TrimSpace(cleanText(r.Title)), published: utc(r.Published)})
		}
		e.updated = latest(e.updated, utc(n.Updated))
	}
	var b strings.Builder
	if n := len(e.fixesCVEs); n > 0 {
		noun := " CVEs"
		if n == 1 {
			noun = " CVE"
		}
		b.WriteString("<p><strong>Fixes " + strconv.Itoa(n) + noun + "</strong> the kernel CNA announced: ")
		for i, c := range e.fixesCVEs {
			if i == 20 {
				b.WriteString(", and " + strconv.Itoa(n-20) + " more")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(html.EscapeString(c))
		}
		b.WriteString(".</p>\n")
	}
	if len(e.notes) > 0 {
		b.WriteString("<p>Release notes: ")
		for i, r := range e.notes {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`<a href="` + html.EscapeString(r.url) + `">` + html.EscapeString(r.label()) + "</a>")
		}
		b.WriteString(".</p>\n")
	}
	e.kernelHTML += b.String()
}

// jsonNotes is _kernelwire.release_notes.
type jsonNotes struct {
	FixesCVEs []string      `json:"fixes_cves,omitempty"`
	Notes     []jsonRelated `json:"notes,omitempty"`
}

func newJSONNotes(e *entry) *jsonNotes {
	if len(e.fixesCVEs) == 0 && len(e.notes) == 0 {
		return nil
	}
	n := &jsonNotes{FixesCVEs: e.fixesCVEs}
	for _, r := range e.notes {
		j := jsonRelated{URL: r.url, Source: r.name, Title: r.title}
		if !r.published.IsZero() {
			j.DatePublished = &r.published
		}
		n.Notes = append(n.Notes, j)
	}
	return n
}
