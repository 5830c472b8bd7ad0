package poll

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// TestUnchangedBodySkipsWrite: an upstream that ignores conditional GET but
// sends the same bytes costs no parse and no item write, until RefreshEvery
// has passed and a full save refreshes the items' seen marks.
func TestUnchangedBodySkipsWrite(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "kw.db"), store.Options{SeenTTL: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tagger, err := tag.Compile(tag.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	up := fetchtest.NewServer(t)
	feed := up.Feed("/f", bigFeed("f", 3, ""), "application/rss+xml")
	feed.SetValidators(false, false)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	src := item.Source{Name: "f", URL: up.URL("/f")}
	p := New(Config{Sources: []item.Source{src}, Fetcher: fetch.New(fetch.Config{AllowPrivateNetworks: true}), Tagger: tagger, Store: st,
		Now: func() time.Time { return now }, RefreshEvery: time.Hour})

	steps := []struct {
		name      string
		advance   time.Duration
		update    bool
		outcome   string
		new       int
		dup       int
		upd       int
		versionUp bool
	}{
		{"first poll stores", 0, false, "ok", 3, 0, 0, true},
		{"same bytes: no parse, no write", time.Minute, false, "unchanged", 0, 0, 0, false},
		{"same bytes again", 10 * time.Minute, false, "unchanged", 0, 0, 0, false},
		{"after RefreshEvery: full save refreshes marks", time.Hour, false, "ok", 0, 3, 0, false},
		// Every title names the series length, so the old items change too.
		{"changed bytes", time.Minute, true, "ok", 1, 0, 3, true},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.update {
			feed.Update(bigFeed("f", 4, ""))
		}
		v0, _ := st.Version(t.Context())
		r := p.PollSource(t.Context(), src)
		v1, _ := st.Version(t.Context())
		if r.Err != nil || r.Outcome() != s.outcome || r.New != s.new || r.Duplicate != s.dup || r.Updated != s.upd {
			t.Errorf("%s: outcome %s new %d duplicate %d updated %d err %v, want %s, %d, %d, %d",
				s.name, r.Outcome(), r.New, r.Duplicate, r.Updated, r.Err, s.outcome, s.new, s.dup, s.upd)
		}
		if (v1 != v0) != s.versionUp {
			t.Errorf("%s: store version %d -> %d, want change=%v", s.name, v0, v1, s.versionUp)
		}
	}
	if got := up.Count("/f"); got != len(steps) {
		t.Errorf("upstream fetched %d times, want %d", got, len(steps))
	}
}
