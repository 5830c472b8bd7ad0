package poll

import (
	"errors"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
)

// TestPartialPoll: a truncated feed stores the items before the damage and
// the poll says it was partial, not ok and not failed.
func TestPartialPoll(t *testing.T) {
	st := boltStore(t)
	up := fetchtest.NewServer(t)
	full := bigFeed("f", 3, "")
	up.Feed("/f", full[:len(full)-40], "application/rss+xml") // cut inside the last item
	src := item.Source{Name: "f", URL: up.URL("/f")}
	p := testPoller(t, st, fetch.Config{}, src)
	r := p.PollSource(t.Context(), src)
	if r.Err != nil || r.Outcome() != "partial" || !errors.Is(r.Partial, parse.ErrPartial) || r.New != 2 {
		t.Errorf("got outcome %s new %d partial %v err %v, want partial with 2 new", r.Outcome(), r.New, r.Partial, r.Err)
	}
	if n := count(t, st); n != 2 {
		t.Errorf("stored %d items, want 2", n)
	}
}

// TestSourceTitleStored: the feed's own title and site link are kept with
// the source's state, for the pages and feeds that show the source.
func TestSourceTitleStored(t *testing.T) {
	st := boltStore(t)
	up := fetchtest.NewServer(t)
	up.Feed("/f", bigFeed("f", 2, ""), "application/rss+xml")
	src := item.Source{Name: "f", URL: up.URL("/f")}
	if r := testPoller(t, st, fetch.Config{}, src).PollSource(t.Context(), src); r.Err != nil {
		t.Fatal(r.Err)
	}
	if s := state(t, st, "f"); s.Title != "big" || s.SiteURL != "https://example.org/" {
		t.Errorf("got title %q site %q, want %q and %q", s.Title, s.SiteURL, "big", "https://example.org/")
	}
}
