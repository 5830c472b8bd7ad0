package poll

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/redisstore"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
	"github.com/kernelwire/kernelwire/internal/tag"
)

// roundTrips counts what the client sends to Redis: one per command outside a
// pipeline, one per pipeline. An EVALSHA the server answers NOSCRIPT is not
// counted: a script's first run on a server that has not cached it yet (a
// fresh or restarted one) costs one more round trip, once per server, not
// per poll.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if cmd.Name() != "evalsha" || !redis.HasErrorPrefix(err, "NOSCRIPT") {
			c.n.Add(1)
		}
		return err
	}
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// bigFeed is an RSS feed of n distinct items.
func bigFeed(name string, n int, stamp string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>big</title><link>https://example.org/</link>`)
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>[PATCH v2 %d/%d] rust: kernel: item %d %s</title><link>https://example.org/%s/%d</link><guid>g%d</guid><pubDate>%s</pubDate><description>Body %d</description></item>`,
			i+1, n, i, stamp, name, i, i, base.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// TestRedisRoundTripsPerPoll holds the pipeline issue's promise: one poll of
// one source costs a small constant number of Redis round trips, whether its
// feed has 5 items or 500, new, unchanged or updated (a process's first
// save reads the lookup stream first: one more).
func TestRedisRoundTripsPerPoll(t *testing.T) {
	storeOpts := store.Options{SeenTTL: 90 * 24 * time.Hour}
	counter := &roundTrips{}
	client := redis.NewClient(redistest.Options(t))
	// A connection made first keeps its handshake out of the count.
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	client.AddHook(counter)
	st := redisstore.New(client, redistest.Prefix(t, "poll"), storeOpts)
	t.Cleanup(func() { _ = st.Close() })
	tagger, err := tag.Compile(tag.Spec{Topics: []tag.TopicSpec{{
		Slug: "patches", Title: "Patches",
		Rules: []tag.RuleSpec{{Name: "patch", Group: tag.Group{Any: []tag.Entry{{Term: "extract:patch"}}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	up := fetchtest.NewServer(t)
	up.Feed("/small", bigFeed("small", 5, ""), "application/rss+xml")
	big := up.Feed("/big", bigFeed("big", 500, ""), "application/rss+xml")
	sources := []item.Source{{Name: "small", URL: up.URL("/small")}, {Name: "big", URL: up.URL("/big")}}
	// The 500-item batch is the point here: the per-poll cap is raised.
	p := New(Config{Sources: sources, Fetcher: fetch.New(fetch.Config{AllowPrivateNetworks: true}), Tagger: tagger, Store: st,
		MaxItemsPerPoll: 1000})

	steps := []struct {
		name   string
		src    item.Source
		before func()
		new    int
		upd    int
	}{
		{"5 new items", sources[0], nil, 5, 0},
		{"500 new items", sources[1], nil, 500, 0},
		{"500 items, 304", sources[1], nil, 0, 0},
		{"500 items changed", sources[1], func() { big.Update(bigFeed("big", 500, "v2")) }, 0, 500},
	}
	var counts []int64
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		counter.n.Store(0)
		r := p.PollSource(t.Context(), s.src)
		if r.Err != nil {
			t.Fatalf("%s: %v", s.name, r.Err)
		}
		if r.New != s.new || r.Updated != s.upd {
			t.Errorf("%s: %d new, %d updated, want %d and %d", s.name, r.New, r.Updated, s.new, s.upd)
		}
		n := counter.n.Load()
		counts = append(counts, n)
		t.Logf("%s: %d Redis round trips (new %d, updated %d, duplicate %d)", s.name, n, r.New, r.Updated, r.Duplicate)
		// State read, lease acquire, items (clustered: a read first on
		// the first save), state write, lease release.
		if n > 6 {
			t.Errorf("%s: %d round trips, want a small constant (<= 6)", s.name, n)
		}
	}
	// (The first poll may cost one more: a clustering store's first save.)
	if counts[1] > counts[0] {
		t.Errorf("round trips grow with the feed: %d for 5 items, %d for 500", counts[0], counts[1])
	}
}
