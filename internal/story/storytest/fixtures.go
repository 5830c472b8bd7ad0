// Package storytest holds what clustering is tested with: real feeds
// (testdata, embedded) parsed into the batches poll would save, and
// Memory, the reference application of a story.Plan, which the planner's
// tests plan against and storetest holds every store backend to.
package storytest

import (
	"embed"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
)

//go:embed testdata/*.xml testdata/*.rdf
var fixtures embed.FS

// fixtureNames is the order the feeds are saved in, as the end-to-end
// test polls them (kernel.org first, aggregators last).
var fixtureNames = [...]string{
	"kdist_2020-05-03_feed-rs-fixture_1item.xml",
	"lwn-headlines-rss_2023-07-07.rdf",
	"lwn-republished-by-zhangyoufu_2026-07-02_rss2.xml",
	"phoronix-rss_2025-08-02_rss2.xml",
	"rust-blog-feed_2023-07-18_atom.xml",
	"inside-rust-feed_2023-07-18_atom.xml",
	"rust-lang-rust-github-releases_2024-03-28_rss2.xml",
	"hn-frontpage-scraped_2025-12-01T0546_atom.xml",
	"slashdot-main-rss1.0_2018-01-22T2349.rdf",
	"reddit-r-rust_2020-05-18_atom_1item.xml",
}

// Fixture is one real feed as an upstream serves it.
type Fixture struct {
	// Source is the name it is polled under: the file name up to "_".
	Source      string
	URL         string
	ContentType string
	Body        []byte
}

// Fixtures returns the real feeds of testdata (223 items), in save order.
func Fixtures(tb testing.TB) []Fixture {
	tb.Helper()
	out := make([]Fixture, 0, len(fixtureNames))
	for _, name := range fixtureNames {
		body, err := fixtures.ReadFile("testdata/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		ct := "application/rss+xml"
		if strings.Contains(name, "atom") {
			ct = "application/atom+xml"
		}
		out = append(out, Fixture{Source: strings.SplitN(name, "_", 2)[0], URL: "https://fixture.example/" + name,
			ContentType: ct, Body: body})
	}
	return out
}

// FixtureBatches parses Fixtures into one batch per feed as poll hands
// them to a store: source set, filed under the source's name as topic,
// keys assigned by dedup.Assign. now is the parse time (dates in the
// future are clamped to it).
func FixtureBatches(tb testing.TB, now time.Time) [][]item.Item {
	tb.Helper()
	var out [][]item.Item
	for _, f := range Fixtures(tb) {
		feed, err := parse.Parse(f.Body, f.ContentType, f.URL, now)
		if err != nil {
			tb.Fatalf("parse %s: %v", f.URL, err)
		}
		items := feed.Items
		for i := range items {
			items[i].Source = f.Source
			items[i].Topics = []string{f.Source}
		}
		dedup.Assign(items, f.Source)
		out = append(out, items)
	}
	return out
}
