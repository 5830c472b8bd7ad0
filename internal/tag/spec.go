// Package tag owns kernelwire's topic rules: it compiles the rule specs of
// feeds.yaml once into a phrase automaton plus a few regexps, files each item
// under its topics with the rule and words that fired, and runs the kernel
// extractors of package extract as rule evidence, storing their findings on
// the item.
//
// It must not read configuration itself (package config builds the specs and
// imports tag, never the reverse), must not log, and must not compile
// anything per item: Tag runs on every item of every poll.
package tag

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kernelwire/kernelwire/internal/extract"
)

// Field names a part of an item a rule looks at.
type Field string

// The fields a rule may name.
const (
	FieldTitle      Field = "title"
	FieldSummary    Field = "summary"
	FieldContent    Field = "content"
	FieldCategories Field = "categories"
	FieldAuthor     Field = "author"
	FieldSource     Field = "source"
	FieldHost       Field = "host"
	FieldPath       Field = "path"
	FieldLink       Field = "link"
)

// allFields is indexed by the bit a field occupies in a fieldMask.
var allFields = [...]Field{FieldTitle, FieldSummary, FieldContent, FieldCategories,
	FieldAuthor, FieldSource, FieldHost, FieldPath, FieldLink}

// DefaultFields are the fields a rule looks at when it names none: the text
// of the item, not where it came from.
var DefaultFields = []Field{FieldTitle, FieldSummary, FieldContent, FieldCategories}

// Fields lists every valid field name, for validation messages.
func Fields() []Field { return append([]Field(nil), allFields[:]...) }

// ValidField reports whether f is a field a rule may name.
func ValidField(f Field) bool { return fieldBit(f) != 0 }

type fieldMask uint16

func fieldBit(f Field) fieldMask {
	for i, g := range allFields {
		if g == f {
			return 1 << i
		}
	}
	return 0
}

// Special terms.
const (
	// ExtractPrefix starts a term naming an extractor of package extract
	// ("extract:kernel_version", "extract:cve", ...): it is true when the
	// extractor finds something in the rule's fields, so a rule can say
	// "a kernel version and the word released" without a version regexp
	// of its own.
	ExtractPrefix = "extract:"
	// TermPerson is true when a configured person (name or alias) is named.
	TermPerson = "extract:person"
	// TermList is true when the item is a mail of a mailing list of the
	// list table (see List): kernel context on its own.
	TermList = "extract:list"
	// TermKnownSubsystem is true when the item is a mail whose subject
	// prefix is in the subsystem table ("btrfs:", "drm/amdgpu:"): the
	// table, not the words of the subject, says its subsystem. A prefix
	// the table does not know ("stmpe-ts:", "man-pages:") names no
	// subsystem, so the words decide.
	TermKnownSubsystem = "extract:known_subsystem"
	// RegexpPrefix starts a term that is a regular expression (RE2 syntax,
	// matched case-insensitively) rather than a phrase.
	RegexpPrefix = "re:"
)

// Group is a boolean combination of entries. It matches when every entry of
// All matches, at least one entry of Any matches (if Any is non-empty), and
// no entry of None matches.
type Group struct {
	Any, All, None []Entry
}

// Entry is a Term or a nested Group; exactly one is set.
//
// A Term is a phrase, matched case-insensitively on word boundaries ("rust"
// matches "Rust's" and "Rust-for-Linux" but not "rustc" or "trust"), or
// "re:<regexp>" (case-insensitive), or one of the extract: terms.
//
// Fields, on a group entry only, replaces the rule's fields for that group:
// a rule can look for its subject in the title while accepting kernel
// context from the summary ({fields: [title, summary], any: [kernel]}).
type Entry struct {
	Term   string
	Group  *Group
	Fields []Field
}

// RuleSpec is one named rule of a topic. Fields defaults to DefaultFields.
type RuleSpec struct {
	Name   string
	Fields []Field
	Group
}

// TopicSpec is a topic and its rules; the first rule that matches files an
// item under the topic.
type TopicSpec struct {
	Slug, Title, Description string
	Rules                    []RuleSpec
}

// Spec is everything Compile needs: the topics and their rules, and the
// evidence tables rules do not spell out one by one.
type Spec struct {
	Topics []TopicSpec
	People []Person
	// Lists and Subsystems file mailing-list mail by where it was sent
	// and by its subject's subsystem prefix.
	Lists      []List
	Subsystems []Subsystem
}

// List is a mailing list and the topics its mail belongs to ("netdev":
// networking). A list with no topics is still a kernel list: its mail has
// kernel context (TermList), only no subject of its own (linux-kernel).
type List struct {
	Name   string
	Topics []string
}

// Subsystem is a subject prefix and the topics a mail about it belongs to
// ("mm": memory-management). Prefix is a path: "drm/amdgpu" and "drm"
// may both be listed; the longest listed path of a subject's prefix wins.
type Subsystem struct {
	Prefix string
	Topics []string
}

// Person is someone whose name is evidence for the maintainers topic when
// it appears together with governance words (see TermPerson). Roles are
// shown in explanations so a reader sees why the name counts.
type Person struct {
	Name    string
	Aliases []string
	Roles   []string
}

// CheckTerm reports whether term is usable in a rule, so that config can
// point at the offending line before Compile runs.
func CheckTerm(term string) error {
	switch {
	case strings.TrimSpace(term) == "":
		return fmt.Errorf("empty term")
	case strings.HasPrefix(term, RegexpPrefix):
		src := strings.TrimPrefix(term, RegexpPrefix)
		if src == "" {
			return fmt.Errorf("empty regexp in %q", term)
		}
		// Compiled as written so the error quotes the user's text;
		// adding (?i) never makes a valid expression invalid.
		if _, err := regexp.Compile(src); err != nil {
			return fmt.Errorf("bad regexp %q: %w", src, err)
		}
	case term == TermPerson, term == TermList, term == TermKnownSubsystem:
	case strings.HasPrefix(term, ExtractPrefix):
		if _, ok := extract.Lookup(strings.TrimPrefix(term, ExtractPrefix)); !ok {
			var names []string
			for _, x := range extract.All() {
				names = append(names, ExtractPrefix+x.Name)
			}
			return fmt.Errorf("unknown extractor %q (want %s, %s, %s or %s)", term, strings.Join(names, ", "), TermPerson, TermList, TermKnownSubsystem)
		}
	case normalize(term) == "":
		return fmt.Errorf("term %q has no text", term)
	}
	return nil
}
