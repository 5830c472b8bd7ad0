// Package extract owns kernelwire's kernel extractors: the facts read out of
// an item's text that several stages rely on (kernel versions, CVE ids,
// mailing-list patch subjects, subsystem prefixes, commit trailers), and Text, the one
// conversion of HTML to plain text. Package tag runs the extractors as rule
// evidence and stores their findings on the item; package dedup keys
// stories by them; parse, publish and web read HTML through Text.
//
// Every extractor is registered once, in All: adding one is one entry there
// (its name becomes the rule term "extract:<name>", config validates against
// the table, and tag evaluates and caches it by its index), never a new
// constant in other packages.
//
// It is a leaf: it imports item and nothing else of ours, keeps no state and
// never logs. Extractors are conservative (a version needs kernel context,
// a patch subject its brackets) because a false fact misfiles an item.
package extract

import (
	"strings"

	"github.com/kernelwire/kernelwire/internal/item"
)

// Scope is which of an item's texts an extractor reads for the values
// stored on the item (rules may apply an extractor to any field).
type Scope uint8

// The scopes, from narrowest to widest.
const (
	// Subject is the title alone: only a subject line is a patch subject.
	Subject Scope = iota
	// Headline is the title and the summary.
	Headline
	// Body is the title, the summary and the content.
	Body
	// Message is the title and the content: a mail's subject and body
	// (its summary is an excerpt of the body, whose lines and quotes are
	// lost).
	Message
	// MessageBody is the content alone: a mail's body, for facts no
	// subject holds.
	MessageBody
)

// Input is what an extractor's Find reads of each field.
type Input uint8

// The inputs.
const (
	// PlainText is Text: one line, markup dropped.
	PlainText Input = iota
	// MailLines is MailText: the lines the sender wrote, quotes dropped.
	MailLines
	// RawHTML is the field as stored (sanitised HTML for the summary and
	// the content), for extractors that read links.
	RawHTML
)

// Extractor is one kernel extractor.
type Extractor struct {
	// Name is how rules refer to it: the term "extract:" + Name.
	Name string
	// Doc says in a few words what it finds, for error messages.
	Doc string
	// Find returns what it finds in plain text (see Text), deduplicated,
	// in order of appearance: the values an explanation shows.
	Find func(text string) []string
	// MayFind, when set, is a cheap test on the raw HTML of a field that
	// is false when Find would find nothing in its text: tag uses it to
	// skip converting a long body that cannot match.
	MayFind func(html string) bool
	// Input is what Find reads (PlainText unless set).
	Input Input
	// Subject, when set, is a test on the title: false means the other
	// fields are not read. The mail extractors read a body only when its
	// subject says it may hold their facts (a reply, a patch, a CVE id),
	// which spares the bodies of nearly every article.
	Subject func(title string) bool
	// Scope and Record store the findings on the item: Record gets what
	// Find found over the Scope's fields and the item's title. Nil for an
	// extractor that is rule evidence only.
	Scope  Scope
	Record func(e *item.Extracted, found []string, title string)
}

// All returns every extractor. The order is fixed for a build, so callers
// may index per-extractor state by position; it is built on each call, so
// no caller can change another's table.
func All() []Extractor {
	return []Extractor{
		{
			Name: "kernel_version", Doc: "a Linux kernel version (6.13, 6.12.5, 6.14-rc2)",
			Find: KernelVersions, MayFind: mayHoldVersion, Scope: Headline,
			Record: func(e *item.Extracted, found []string, _ string) { e.KernelVersions = found },
		},
		{
			Name: "cve", Doc: "a CVE id",
			Find: CVEs, MayFind: mayHoldCVE, Scope: Body,
			Record: func(e *item.Extracted, found []string, _ string) { e.CVEs = found },
		},
		{
			Name: "patch", Doc: "a mailing-list patch or pull-request subject",
			Find: patchKind, Scope: Subject,
			Record: func(e *item.Extracted, _ []string, title string) { e.Patch = Patch(title) },
		},
		{
			Name: "subsystem", Doc: "a mail subject's subsystem prefix (mm:, drm/amdgpu:, net: phy:)",
			Find: SubjectPrefixes,
		},
		{
			Name: "trailer", Doc: "commit trailers (Signed-off-by:, Fixes:, Cc: stable)",
			Find: Trailers, MayFind: mayHoldTrailer,
		},
		{
			Name: "series", Doc: "a patch series' b4 change-id or links to its earlier versions",
			Find: SeriesLines, MayFind: maySeries, Input: MailLines, Scope: MessageBody, Subject: isPatchSubject,
			Record: func(e *item.Extracted, found []string, _ string) { e.Series = seriesOf(found) },
		},
		{
			Name: "review", Doc: "review trailers given in a mail (Reviewed-by:, Acked-by:, Tested-by:)",
			Find: Reviews, MayFind: mayReview, Input: MailLines, Scope: MessageBody, Subject: isMailSubject,
			Record: func(e *item.Extracted, found []string, _ string) { e.Reviews = reviewsOf(found) },
		},
		{
			Name: "status", Doc: "a patch applied, a pull merged, a fix added to or failed for a stable tree",
			Find: StatusLines, MayFind: mayStatus, Input: MailLines, Scope: Message, Subject: isStatusSubject,
			Record: func(e *item.Extracted, found []string, title string) { e.Event, _ = StatusOf(found, title) },
		},
		{
			Name: "cve_record", Doc: "a kernel CNA CVE announcement (linux-cve-announce)",
			Find: CVERecordLines, MayFind: mayCVERecord, Input: MailLines, Scope: MessageBody, Subject: mayHoldCVE,
			Record: func(e *item.Extracted, found []string, _ string) { e.CVE = cveRecordOf(found) },
		},
		{
			Name: "release", Doc: "a kernel.org release record (kdist.xml's description table)",
			Find: ReleaseRows, MayFind: mayRelease, Input: RawHTML, Scope: Headline, Subject: isReleaseSubject,
			Record: func(e *item.Extracted, found []string, _ string) { e.Release = releaseOf(found) },
		},
	}
}

// Lookup returns the index in All of the extractor called name.
func Lookup(name string) (int, bool) {
	for i, x := range All() {
		if x.Name == name {
			return i, true
		}
	}
	return -1, false
}

// isPatchSubject reports whether title is a patch or pull request
// subject, a reply to one included.
func isPatchSubject(title string) bool {
	// Most bracketed titles are no patch ("[$] ..." on LWN): a test for
	// the kind's letters spares parsing them.
	if strings.IndexByte(title, '[') < 0 {
		return false
	}
	for _, kind := range [...]string{"PATCH", "patch", "Patch", "RFC", "rfc", "PULL", "pull"} {
		if strings.Contains(title, kind) {
			return Patch(title) != nil
		}
	}
	return false
}

// isReleaseSubject reports whether title is shaped like a kdist item's:
// "6.13-rc2: mainline", "6.12.5: stable", "next-20250110: linux-next".
func isReleaseSubject(title string) bool {
	_, moniker, ok := strings.Cut(title, ": ")
	switch strings.TrimSpace(moniker) {
	case "mainline", "stable", "longterm", "linux-next":
		return ok
	}
	return false
}

// isMailSubject reports whether title is a patch subject or a reply.
func isMailSubject(title string) bool {
	return isReplySubject(title) || isPatchSubject(title)
}

// isReplySubject reports whether title starts with a reply prefix; the
// prefix has a colon within its first few bytes, which most titles lack.
func isReplySubject(title string) bool {
	i := strings.IndexByte(title, ':')
	return i >= 0 && i < 12 && replyPrefixRe.MatchString(title)
}

// isStatusSubject reports whether title can carry a status: a reply, or
// a stable maintainers' note.
func isStatusSubject(title string) bool {
	return isReplySubject(title) || StableNote(title) != ""
}

// patchKind is Patch as a finding: the subject's kind.
func patchKind(text string) []string {
	if p := Patch(text); p != nil {
		return []string{p.Kind}
	}
	return nil
}
