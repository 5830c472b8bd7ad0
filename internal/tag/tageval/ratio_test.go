//go:build !race

// The race detector slows tagging and parsing by different factors, so the
// ratio is only meaningful, and only checked, without it.

package tageval

import (
	"testing"
)

// TestTagCostRatio holds the budget of issue 3: tagging an item with the
// shipped rules costs less than a tenth of what gofeed takes to parse it.
// Each side is measured three times, interleaved, and the fastest run
// counts: on a shared machine a burst of load slows one run, and the
// minimum is the estimate that noise does not inflate.
func TestTagCostRatio(t *testing.T) {
	var parseNs, tagNs int64
	for range 3 {
		p := testing.Benchmark(BenchmarkParseGofeed)
		g := testing.Benchmark(BenchmarkTagShipped)
		if p.N == 0 || g.N == 0 {
			t.Fatal("benchmark did not run")
		}
		if parseNs == 0 || p.NsPerOp() < parseNs {
			parseNs = p.NsPerOp()
		}
		if tagNs == 0 || g.NsPerOp() < tagNs {
			tagNs = g.NsPerOp()
		}
	}
	ratio := float64(tagNs) / float64(parseNs)
	t.Logf("gofeed parse %d ns/op, tag %d ns/op over the same items: ratio %.3f", parseNs, tagNs, ratio)
	if ratio >= 0.10 {
		t.Errorf("tagging costs %.1f%% of parsing, want < 10%%", ratio*100)
	}
}
