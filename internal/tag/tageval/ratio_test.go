//go:build !race

// The race detector slows tagging and parsing by different factors, so the
// ratio is only meaningful, and only checked, without it.

package tageval

import (
	"bytes"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// TestTagCostRatio holds the budget of issue 3: tagging the corpus's
// items with the shipped rules costs less than a tenth of what gofeed
// takes to parse the same feeds.
//
// The two are timed alternately, one pass over the corpus each, many
// times, and the fastest pass of each counts: on a shared machine bursts
// of load slow some passes, and alternating gives both sides the same
// chances of a quiet one (and of one free of the other's garbage
// collection).
func TestTagCostRatio(t *testing.T) {
	c := loadCorpus(t)
	_, tg := shipped(t)
	parseAll := func() {
		for _, body := range c.bodies {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tagAll := func() {
		for i := range c.items {
			it := c.items[i]
			tg.Tag(&it, c.source[i], nil)
		}
	}
	best := func(d time.Duration, run func()) time.Duration {
		start := time.Now()
		run()
		return min(d, time.Since(start))
	}
	parseBest, tagBest := time.Hour, time.Hour
	for range 40 {
		parseBest = best(parseBest, parseAll)
		tagBest = best(tagBest, tagAll)
	}
	ratio := float64(tagBest) / float64(parseBest)
	t.Logf("%d items: gofeed parse %v, tag %v per pass (fastest of 40): ratio %.3f", len(c.items), parseBest, tagBest, ratio)
	if ratio >= 0.10 {
		t.Errorf("tagging costs %.1f%% of parsing, want < 10%%", ratio*100)
	}
}
