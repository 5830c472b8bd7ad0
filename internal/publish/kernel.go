package publish

import (
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/story"
)

// The kernel lane's rendering. A kernel.org release record (kdist.xml,
// whose items all link to the home page and are titled "6.13: mainline")
// is written as news: "Linux 6.13 released (mainline)", linking to its
// ChangeLog, else its tree at the tag. A patch series or pull request
// shows its status (posted, reviewed, applied, merged, in stable) first in
// the content readers show, newest first, and the entry is updated when
// the status changes; a CVE announcement shows its record. All three are
// data in the JSON Feed extension too (_kernelwire.status, .cve,
// .release; the README documents them as a stable schema).

// kernelFacts takes the item's kernel facts into e: the release record's
// headline and link, the series status (a story's, else the item's own:
// a patch nobody answered yet is still posted) with the entry's updated
// date moved to its newest change, and the HTML that shows them.
func kernelFacts(e *entry, it *item.Item) {
	ex := &it.Extracted
	if r := ex.Release; r != nil && r.Version != "" {
		e.title = strings.TrimSpace(cleanText(r.Headline()))
		if l := cleanText(r.Link()); l != "" {
			e.link = l
		}
	}
	e.status = it.Status
	if e.status == nil {
		e.status = story.ItemStatus(*it)
	}
	for _, ev := range statusEvents(e.status) {
		e.updated = latest(e.updated, utc(ev.When))
	}
	var b strings.Builder
	writeStatus(&b, e.status)
	writeCVE(&b, ex.CVE)
	writeRelease(&b, ex.Release)
	e.kernelHTML = b.String()
}

func statusEvents(st *item.Status) []item.Event {
	if st == nil {
		return nil
	}
	return st.Events
}

// eventText says what an event was, in words: "applied to rust-next by
// Miguel Ojeda".
func eventText(ev item.Event) string {
	tree, who := cleanText(ev.Tree), person(ev.Who)
	var s string
	switch ev.State {
	case item.StatePosted:
		switch {
		case ev.Version == 0:
			s = "pull request sent"
		case ev.Patches > 1:
			s = "v" + strconv.Itoa(ev.Version) + " posted, " + strconv.Itoa(ev.Patches) + " patches"
		default:
			s = "v" + strconv.Itoa(ev.Version) + " posted"
		}
	case item.StateReviewed:
		return "reviewed by " + who
	case item.StateApplied:
		s = "applied"
		if tree != "" {
			s += " to " + tree
		}
	case item.StateMerged:
		s = "merged"
		if tree != "" {
			s += " into " + tree
		}
	case item.StateStable:
		s = "added to the " + tree + " tree"
	case item.StateStableFailed:
		s = "failed to apply to the " + tree + " tree"
	default:
		s = cleanText(ev.State)
	}
	if who != "" {
		s += " by " + who
	}
	return s
}

// writeStatus writes the status as a paragraph naming the current state
// and the history, newest first, each event dated and linked to the mail
// that says so.
func writeStatus(b *strings.Builder, st *item.Status) {
	if st == nil || len(st.Events) == 0 {
		return
	}
	cur := st.Events[0]
	b.WriteString("<p><strong>Status: ")
	b.WriteString(html.EscapeString(eventText(cur)))
	if d := day(cur.When); d != "" {
		b.WriteString(", " + d)
	}
	b.WriteString(".</strong></p>\n<ul>")
	for _, ev := range st.Events {
		b.WriteString("<li>")
		if d := day(ev.When); d != "" {
			b.WriteString(d + ": ")
		}
		b.WriteString(html.EscapeString(eventText(ev)))
		if ev.State == item.StateReviewed {
			b.WriteString(" (" + html.EscapeString(reviewCounts(st.Reviews)) + ")")
		}
		if u := cleanText(ev.Message); u != "" {
			b.WriteString(` (<a href="` + html.EscapeString(u) + `">mail</a>)`)
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ul>\n")
}

// reviewCounts counts review trailers by kind: "2 Reviewed-by, 1 Acked-by".
func reviewCounts(rs []item.Review) string {
	var kinds []string
	n := map[string]int{}
	for _, r := range rs {
		k := cleanText(r.Kind)
		if n[k] == 0 {
			kinds = append(kinds, k)
		}
		n[k]++
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = strconv.Itoa(n[k]) + " " + k
	}
	return strings.Join(parts, ", ")
}

func writeCVE(b *strings.Builder, c *item.CVE) {
	if c == nil || c.ID == "" {
		return
	}
	b.WriteString("<p><strong>" + html.EscapeString(cleanText(c.ID)) + "</strong>")
	if len(c.Fixed) > 0 {
		b.WriteString(": fixed in " + html.EscapeString(strings.Join(cleanAll(c.Fixed), ", ")))
	}
	if len(c.Introduced) > 0 {
		b.WriteString("; introduced in " + html.EscapeString(strings.Join(cleanAll(c.Introduced), ", ")))
	}
	if len(c.Files) > 0 {
		b.WriteString(". Affected files: " + html.EscapeString(strings.Join(cleanAll(c.Files), ", ")))
	}
	if len(c.Subsystems) > 0 {
		b.WriteString(" (" + html.EscapeString(strings.Join(cleanAll(c.Subsystems), ", ")) + ")")
	}
	b.WriteString(".</p>\n")
}

func writeRelease(b *strings.Builder, r *item.Release) {
	if r == nil || r.Version == "" {
		return
	}
	b.WriteString("<p>" + html.EscapeString(cleanText(r.Headline())))
	if r.Released != "" {
		b.WriteString(", " + html.EscapeString(cleanText(r.Released)))
	}
	sep := ": "
	for _, l := range [][2]string{{"ChangeLog", r.ChangeLog}, {"tarball", r.Tarball}, {"browse", r.Browse}} {
		if u := cleanText(l[1]); u != "" {
			b.WriteString(sep + `<a href="` + html.EscapeString(u) + `">` + l[0] + "</a>")
			sep = " · "
		}
	}
	b.WriteString("</p>\n")
}

// person is how a mail's sender is named: "Jane Dev <jane@example.org>"
// is "Jane Dev", a bare address stays.
func person(s string) string {
	name, email := splitAuthor(cleanText(s))
	if name != "" {
		return name
	}
	return email
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// readerHTML is what readers are shown of an entry whose body is body
// (HTML): its kernel facts first, then the body, then the story's
// coverage. "" when there is nothing beyond the body to show.
func (e *entry) readerHTML(body string) string {
	cov := coverageHTML(e)
	if e.kernelHTML == "" && cov == "" {
		return body
	}
	return e.kernelHTML + body + cov
}

// hasExtras reports whether readers must be shown more than the item's
// own body.
func (e *entry) hasExtras() bool {
	return e.kernelHTML != "" || len(e.related) > 0 || e.replies > 0
}

// jsonStatus is _kernelwire.status: the current state and where, who,
// when and which mail, then the whole history, newest first.
type jsonStatus struct {
	State   string        `json:"state"`
	Tree    string        `json:"tree,omitempty"`
	Who     string        `json:"who,omitempty"`
	When    *time.Time    `json:"when,omitempty"`
	Message string        `json:"message,omitempty"`
	Version int           `json:"version,omitempty"`
	Patches int           `json:"patches,omitempty"`
	Reviews []item.Review `json:"reviews,omitempty"`
	History []jsonEvent   `json:"history"`
}

// jsonEvent is one change of status.
type jsonEvent struct {
	State   string     `json:"state"`
	Tree    string     `json:"tree,omitempty"`
	Who     string     `json:"who,omitempty"`
	When    *time.Time `json:"when,omitempty"`
	Message string     `json:"message,omitempty"`
	Text    string     `json:"text,omitempty"`
	Version int        `json:"version,omitempty"`
	Patches int        `json:"patches,omitempty"`
}

func newJSONStatus(st *item.Status) *jsonStatus {
	if st == nil || len(st.Events) == 0 {
		return nil
	}
	js := &jsonStatus{History: make([]jsonEvent, 0, len(st.Events))}
	for _, ev := range st.Events {
		je := jsonEvent{State: cleanText(ev.State), Tree: cleanText(ev.Tree), Who: person(ev.Who),
			Message: cleanText(ev.Message), Text: cleanText(ev.Text), Version: ev.Version, Patches: ev.Patches}
		if t := utc(ev.When); !t.IsZero() {
			je.When = &t
		}
		js.History = append(js.History, je)
	}
	cur := js.History[0]
	js.State, js.Tree, js.Who, js.When, js.Message = cur.State, cur.Tree, cur.Who, cur.When, cur.Message
	// The version and size are the newest posted version's.
	for _, ev := range js.History {
		if ev.State == item.StatePosted {
			js.Version, js.Patches = ev.Version, ev.Patches
			break
		}
	}
	for _, r := range st.Reviews {
		js.Reviews = append(js.Reviews, item.Review{Kind: cleanText(r.Kind), Who: cleanText(r.Who)})
	}
	return js
}

// cleanCVE and cleanRelease copy the records with their text cleaned.
func cleanCVE(c *item.CVE) *item.CVE {
	if c == nil || c.ID == "" {
		return nil
	}
	out := &item.CVE{ID: cleanText(c.ID), Fixed: cleanAll(c.Fixed), Introduced: cleanAll(c.Introduced),
		Commits: cleanAll(c.Commits), Files: cleanAll(c.Files), Subsystems: cleanAll(c.Subsystems)}
	for _, r := range c.Ranges {
		out.Ranges = append(out.Ranges, item.CVERange{Introduced: cleanText(r.Introduced), IntroducedCommit: cleanText(r.IntroducedCommit),
			Fixed: cleanText(r.Fixed), FixedCommit: cleanText(r.FixedCommit)})
	}
	return out
}

func cleanRelease(r *item.Release) *item.Release {
	if r == nil || r.Version == "" {
		return nil
	}
	return &item.Release{Version: cleanText(r.Version), Moniker: cleanText(r.Moniker), EOL: r.EOL,
		Released: cleanText(r.Released), Tarball: cleanText(r.Tarball), Signature: cleanText(r.Signature),
		Patch: cleanText(r.Patch), ChangeLog: cleanText(r.ChangeLog), Browse: cleanText(r.Browse)}
}
