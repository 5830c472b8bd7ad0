package storytest

import (
	"embed"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/tag"
)

//go:embed testdata/lore-*.atom
var loreFixtures embed.FS

// seriesNames are the three polls of SeriesPolls, in order.
var seriesNames = [...]string{
	"lore-btrfs_series-v1-replies_2026-01-13.atom",
	"lore-btrfs_series-v2-reviewed_2026-01-13.atom",
	"lore-btrfs_series-v2-applied_2026-01-14.atom",
}

// SeriesPollTimes are when the polls of SeriesPolls are made: each just
// after the newest mail of its file.
var SeriesPollTimes = [...]time.Time{
	time.Date(2026, time.January, 13, 10, 0, 0, 0, time.UTC),
	time.Date(2026, time.January, 13, 22, 0, 0, 0, time.UTC),
	time.Date(2026, time.January, 14, 17, 0, 0, 0, time.UTC),
}

// SeriesPolls returns three polls of lore's linux-btrfs feed that follow
// one real patch series (see testdata/README.md): v1 with its replies,
// then v2 and a review, then v2 applied to vfs/vfs.git (vfs-7.0.btrfs).
func SeriesPolls(tb testing.TB) []Fixture {
	tb.Helper()
	var out []Fixture
	for _, name := range seriesNames {
		body, err := loreFixtures.ReadFile("testdata/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, Fixture{Source: "linux-btrfs", URL: "https://lore.kernel.org/linux-btrfs/new.atom",
			ContentType: "application/atom+xml", Body: body})
	}
	return out
}

// MailBatch parses a lore fixture into the batch poll would save: tagged
// (no topics, but every extractor runs, so the mails carry their series,
// reviews and status), keys assigned by dedup.Assign.
func MailBatch(tb testing.TB, f Fixture, now time.Time) []item.Item {
	tb.Helper()
	feed, err := parse.Parse(f.Body, f.ContentType, f.URL, now)
	if err != nil {
		tb.Fatalf("parse %s: %v", f.URL, err)
	}
	tg, err := tag.Compile(tag.Spec{})
	if err != nil {
		tb.Fatal(err)
	}
	items := feed.Items
	for i := range items {
		items[i].Source = f.Source
		tg.Tag(&items[i], f.Source, []string{"patches"})
	}
	dedup.Assign(items, f.Source)
	return items
}

// LoreFixture returns one of the other lore threads of testdata (see its
// README) as a feed of source src.
func LoreFixture(tb testing.TB, name, src string) Fixture {
	tb.Helper()
	body, err := loreFixtures.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return Fixture{Source: src, URL: "https://lore.kernel.org/" + src + "/new.atom", ContentType: "application/atom+xml", Body: body}
}
