package poll

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/parse"
	"github.com/kernelwire/kernelwire/internal/store"
)

func TestPlaceUndated(t *testing.T) {
	now := time.Date(2026, 7, 3, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	dated := func(ago time.Duration) item.Item { return item.Item{Published: now.Add(-ago)} }
	undated := item.Item{Published: now, Undated: true}
	tests := []struct {
		name     string
		items    []item.Item
		feedDate time.Time
		first    bool
		want     []time.Time
	}{
		{"behind the oldest dated, in feed order", []item.Item{undated, dated(day), undated, dated(3 * day)}, time.Time{}, true,
			[]time.Time{now.Add(-3*day - time.Minute), now.Add(-day), now.Add(-3*day - 2*time.Minute), now.Add(-3 * day)}},
		{"nothing dated: first seen minus the order", []item.Item{undated, undated}, time.Time{}, true,
			[]time.Time{now.Add(-time.Minute), now.Add(-2 * time.Minute)}},
		{"nothing dated: the feed's own date minus the order", []item.Item{undated, undated}, now.Add(-2 * day), true,
			[]time.Time{now.Add(-2*day - time.Minute), now.Add(-2*day - 2*time.Minute)}},
		{"a feed date older than its items: behind both", []item.Item{dated(day), undated}, now.Add(-5 * day), true,
			[]time.Time{now.Add(-day), now.Add(-5*day - time.Minute)}},
		{"a feed date newer than its items: behind the items", []item.Item{undated, dated(3 * day)}, now.Add(-time.Hour), true,
			[]time.Time{now.Add(-3*day - time.Minute), now.Add(-3 * day)}},
		{"a later poll keeps first seen", []item.Item{undated, dated(day)}, now.Add(-2 * day), false,
			[]time.Time{now, now.Add(-day)}},
		{"all dated", []item.Item{dated(day)}, now.Add(-2 * day), true, []time.Time{now.Add(-day)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := placeUndated(tc.items, tc.feedDate, tc.first)
			wantN := 0
			for i, it := range tc.items {
				if it.Undated {
					wantN++
				}
				if !it.Published.Equal(tc.want[i]) {
					t.Errorf("item %d dated %s, want %s", i, it.Published, tc.want[i])
				}
			}
			if n != wantN {
				t.Errorf("counted %d undated, want %d", n, wantN)
			}
		})
	}
}

func TestOwnFeed(t *testing.T) {
	tests := []struct {
		name string
		feed parse.Feed
		own  bool
	}{
		{"our atom", parse.Feed{Generator: "kernelwire v1.2", SelfURL: "https://news.example.org/feeds/all.atom"}, true},
		{"our rss, dev build", parse.Feed{Generator: "kernelwire dev", SelfURL: "https://x.example/feeds/rust.rss"}, true},
		{"our json", parse.Feed{Title: "kernelwire: all news", SelfURL: "https://x.example/feeds/all.json?q=nova"}, true},
		{"no self link", parse.Feed{Generator: "kernelwire v1"}, false},
		{"another generator", parse.Feed{Generator: "Hugo 0.120", SelfURL: "https://blog.example/index.xml"}, false},
		{"a name that starts alike", parse.Feed{Generator: "kernelwirex", SelfURL: "https://x.example/feed"}, false},
		{"our title elsewhere", parse.Feed{Title: "kernelwire: a review", SelfURL: "https://blog.example/feed.xml"}, false},
	}
	for _, tc := range tests {
		if got := ownFeed(&tc.feed) != ""; got != tc.own {
			t.Errorf("%s: own = %v, want %v", tc.name, got, tc.own)
		}
	}
}

// TestPollRefusesOwnFeed polls a feed in the shape kernelwire writes: the
// poll fails naming why, and nothing is stored.
func TestPollRefusesOwnFeed(t *testing.T) {
	st := boltStore(t)
	up := fetchtest.NewServer(t)
	up.Feed("/feeds/all.atom", []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>kernelwire: all news</title><id>%s</id>
<link href="%s" rel="self"></link><updated>2026-07-01T00:00:00Z</updated>
<generator version="v1">kernelwire</generator>
<entry><title>Linux 6.17</title><id>tag:x,2026:1</id><link href="https://lwn.net/Articles/1/"></link><updated>2026-07-01T00:00:00Z</updated></entry>
</feed>`, up.URL("/feeds/all.atom"), up.URL("/feeds/all.atom"))), "application/atom+xml")
	src := item.Source{Name: "loop", URL: up.URL("/feeds/all.atom")}
	r := testPoller(t, st, fetch.Config{}, src).PollSource(t.Context(), src)
	if !errors.Is(r.Err, ErrOwnFeed) || r.Refused != 1 {
		t.Fatalf("poll of our own feed: err %v, refused %d; want ErrOwnFeed and 1", r.Err, r.Refused)
	}
	if n, err := st.Count(t.Context(), store.AllTopic); err != nil || n != 0 {
		t.Errorf("stored %d items from our own feed (%v)", n, err)
	}
}
