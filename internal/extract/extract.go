// Package extract owns kernelwire's kernel extractors: the facts read out of
// an item's text that several stages rely on (kernel versions, CVE ids,
// mailing-list patch subjects, commit trailers), and Text, the one
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

import "github.com/kernelwire/kernelwire/internal/item"

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
			Find: KernelVersions, Scope: Headline,
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
			Name: "trailer", Doc: "commit trailers (Signed-off-by:, Fixes:, Cc: stable)",
			Find: Trailers, MayFind: mayHoldTrailer,
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

// patchKind is Patch as a finding: the subject's kind.
func patchKind(text string) []string {
	if p := Patch(text); p != nil {
		return []string{p.Kind}
	}
	return nil
}
