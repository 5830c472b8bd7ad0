package tageval

import (
	"regexp"
	"strings"
	"testing"
)

// seriesSuffix is what a version of a series may carry after its subject
// ("[ver #4]", "v2") and the characters lore renders differently between
// versions (spacing after a comma: "adi, adv7511" and "adi,adv7511").
var (
	seriesSuffix = regexp.MustCompile(`(?:ver\d+|v\d+)$`)
	nonAlnum     = regexp.MustCompile(`[^a-z0-9]+`)
)

// seriesKey is a thread subject reduced to its letters and digits, without a
// trailing version marker: the mails of one thread and the versions of one
// series share it even when their spacing or "[ver #N]" differ.
func seriesKey(title string) string {
	return seriesSuffix.ReplaceAllString(nonAlnum.ReplaceAllString(threadSubject(title), ""), "")
}

// TestBlind4Apart checks that blind4 is what it claims: every label a
// shipped topic, no item twice, and no item of a thread or series in the
// development set or an earlier blind set, by a key stricter than
// TestBlind3Apart's.
func TestBlind4Apart(t *testing.T) {
	_, tg := shipped(t)
	slugs := map[string]bool{}
	for _, tp := range tg.Topics() {
		slugs[tp.Slug] = true
	}
	seen := map[string]bool{}
	for _, name := range []string{"dev.jsonl", "blind.jsonl", "blind3.jsonl"} {
		for _, l := range loadSet(t, name) {
			seen[strings.ToLower(strings.TrimSpace(l.Title))] = true
			seen[seriesKey(l.Title)] = true
		}
	}
	set := loadSet(t, "blind4.jsonl")
	if len(set) < 150 {
		t.Errorf("blind4: %d items, want at least 150", len(set))
	}
	own := map[string]bool{}
	for _, l := range set {
		if own[seriesKey(l.Title)] {
			t.Errorf("blind4: two items of the thread of %q", l.Title)
		}
		own[seriesKey(l.Title)] = true
		if seen[strings.ToLower(strings.TrimSpace(l.Title))] || seen[seriesKey(l.Title)] {
			t.Errorf("blind4 item %q is in, or of a thread in, an earlier set", l.Title)
		}
		for _, s := range l.Labels {
			if !slugs[s] {
				t.Errorf("blind4 item %q: label %q is not a shipped topic", l.Title, s)
			}
		}
	}
}
