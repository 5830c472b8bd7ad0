package dedup

import (
	"strings"
	"time"
)

// Rewrite thresholds (see rewrittenAs): how rare a shared word must be
// (idf 5.5: fewer than one background headline in 37 carries it), how
// many such words, how much of the lighter and of the heavier title's
// weight they must carry, and how soon the digest follows.
const (
	minRareIDF      = 5.5
	minRareShared   = 2
	minRewriteCover = 0.5
	minRewriteHeavy = 0.25
	rewriteGap      = 48 * time.Hour
)

// rewrittenAs is rule 8 of SameStory: a news digest (Slashdot,
// SoylentNews) writes its own headline for an article others link to,
// so the two share the event's names, not its phrasing: "Dutch Hand Back
// Control of Chinese-Owned Chipmaker Nexperia" and "Netherlands returns
// control of Nexperia to Chinese owner". One of the two is a digest's
// story, neither asks or explains (an explainer is commentary, its own
// story: "Why Raspberry Pi isn't vulnerable to Spectre or Meltdown"
// beside a report of the flaws), they are at most two days apart, and
// they share two rare words that carry half the lighter title's weight
// and a quarter of the heavier's: a short title sharing two words with a
// long digest headline about something else ("The Legacy of Undersea
// Cables" beside a ship seized for cutting one) is not its report.
// Two digest stories are left to rule 7: a digest does not rewrite its
// own headlines.
func rewrittenAs(a, b features, gap time.Duration) bool {
	if a.rewrite == b.rewrite || a.asks || b.asks || gap > rewriteGap {
		return false
	}
	rare, ws := 0, 0.0
	for i, t := range a.toks {
		if containsString(b.toks, t) {
			ws += a.weights[i]
			if a.weights[i] >= minRareIDF && !isYear(t) {
				rare++
			}
		}
	}
	return rare >= minRareShared && ws >= minRewriteCover*min(a.weight, b.weight) &&
		ws >= minRewriteHeavy*max(a.weight, b.weight)
}

// sameText is rule 7 of SameStory: the titles say the same thing, by
// Jaccard similarity or containment of their words (minJaccard,
// minOverlap), and the words they share weigh minCover of the lighter
// title when each counts by its rarity (idf): "Are large language models
// worth it?" and "Exploring the limits of large language models as quant
// traders" share three words that hundreds of headlines a week carry.
func sameText(a, b features) bool {
	shared, sharedWords := 0, 0
	ws := 0.0
	for i, t := range a.toks {
		if containsString(b.toks, t) {
			shared++
			ws += a.weights[i]
			if !isYear(t) {
				sharedWords++
			}
		}
	}
	// A year is weak evidence: "Advent of Code 2025" and "Advent of
	// Sysadmin 2025" share a word and a year and are two stories. Text alone
	// needs two shared tokens besides years (a version such as "GNOME 47"
	// still counts).
	if sharedWords < 2 || ws < minCover*min(a.weight, b.weight) {
		return false
	}
	union := len(a.toks) + len(b.toks) - shared
	return float64(shared)/float64(union) >= minJaccard ||
		shared >= minShared && float64(shared)/float64(min(len(a.toks), len(b.toks))) >= minOverlap
}

// askWords open a title that asks or explains rather than reports.
var askWords = map[string]bool{"why": true, "how": true, "what": true, "should": true}

// asks reports whether title (of words ws) is a question or an
// explainer: it ends with a question mark or opens with an askWords word.
func asks(title string, ws []string) bool {
	return strings.HasSuffix(strings.TrimSpace(title), "?") || len(ws) > 0 && askWords[ws[0]]
}
