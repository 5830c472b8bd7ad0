package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

// client returns a new client on the test Redis with hooks, configured as
// Open configures its own. The server is real, never a fake, because the
// Lua scripts are what is under test; redistest finds or starts one.
func client(t testing.TB, hooks ...redis.Hook) *redis.Client {
	t.Helper()
	o, err := clientOptions(redistest.URL(t))
	if err != nil {
		t.Fatalf("test Redis URL: %v", err)
	}
	c := redis.NewClient(o)
	for _, h := range hooks {
		c.AddHook(h)
	}
	return c
}

// newStore returns a store on its own random prefix, whose keys are deleted
// (never the whole database: the server may be shared) on cleanup.
func newStore(t testing.TB, opts store.Options, hooks ...redis.Hook) (*Store, *redis.Client) {
	t.Helper()
	prefix := redistest.Prefix(t, "redisstore")
	admin := client(t)
	t.Cleanup(func() { _ = admin.Close() })
	s := New(client(t, hooks...), prefix, opts)
	t.Cleanup(func() { _ = s.Close() }) // the suite may have closed it already
	return s, admin
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store {
		s, _ := newStore(t, opts)
		return s
	})
}

// counter counts what reaches the server: single commands and pipelines.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRoundTrips pins the reason SaveItems takes batches: its round trips do
// not grow with the batch.
func TestRoundTrips(t *testing.T) {
	var rt counter
	s, _ := newStore(t, store.Options{SeenTTL: time.Hour}, &rt)
	ctx := t.Context()
	// Warm up: the pool dials a connection for the first single command and
	// another for the first pipeline, and each handshake (HELLO) passes the
	// hooks too. Those are per connection, not per call.
	if err := save(ctx, s, storetest.Items("warm", "s1", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Items(ctx, store.Query{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
		max  int64
	}{
		{"save 1 new", func() error { return save(ctx, s, storetest.Items("one", "s1", 1)) }, 2},
		{"save 500 new", func() error { return save(ctx, s, storetest.Items("k", "s1", 500)) }, 2},
		{"save 500 duplicates", func() error { return save(ctx, s, storetest.Items("k", "s1", 500)) }, 2},
		{"items page of 50", func() error {
			items, err := s.Items(ctx, store.Query{Limit: 50})
			if err == nil && len(items) != 50 {
				err = fmt.Errorf("got %d items", len(items))
			}
			return err
		}, 2},
		{"prune", func() error { _, err := s.Prune(ctx, time.Now()); return err }, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := rt.n.Load()
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			n := rt.n.Load() - before
			t.Logf("%s: %d round trips", tc.name, n)
			if n > tc.max {
				t.Fatalf("%s: %d round trips, want at most %d", tc.name, n, tc.max)
			}
		})
	}
}

func save(ctx context.Context, s *Store, items []item.Item) error {
	_, err := s.SaveItems(ctx, "s1", items)
	return err
}

// TestSeenMarkExpiresInRedis checks what the suite's fake clock cannot: the
// mark really carries a TTL in Redis, is refreshed by a duplicate, and is
// gone once it passes.
func TestSeenMarkExpiresInRedis(t *testing.T) {
	const ttl = time.Second
	s, admin := newStore(t, store.Options{SeenTTL: ttl})
	ctx := t.Context()
	it := storetest.Item("a", "s1", 0)
	it.Published = time.Now()
	pttl := func() time.Duration {
		d, err := admin.PTTL(ctx, s.seenKey("a")).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if err := save(ctx, s, []item.Item{it}); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d <= 0 || d > ttl {
		t.Fatalf("PTTL after save: %v, want in (0, %v]", d, ttl)
	}
	time.Sleep(300 * time.Millisecond)
	if err := save(ctx, s, []item.Item{it}); err != nil {
		t.Fatal(err)
	}
	if d := pttl(); d < ttl-150*time.Millisecond {
		t.Fatalf("PTTL after duplicate: %v, want refreshed to about %v", d, ttl)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	if n := admin.Exists(ctx, s.seenKey("a")).Val(); n != 0 {
		t.Fatalf("seen mark still in Redis after its TTL")
	}
	res, err := s.SaveItems(ctx, "s1", []item.Item{it})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcomes[0] != item.New {
		t.Fatalf("after expiry: got %v, want new", res.Outcomes[0])
	}
}

// TestKeysUnderPrefix checks every key lands under the prefix and the one
// hash tag, so the scripts stay in one cluster slot.
func TestKeysUnderPrefix(t *testing.T) {
	s, admin := newStore(t, store.Options{SeenTTL: time.Hour})
	ctx := t.Context()
	if err := save(ctx, s, []item.Item{storetest.Item("a", "s1", 0, "x")}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSourceState(ctx, store.SourceState{Name: "s1"}); err != nil {
		t.Fatal(err)
	}
	keys, err := admin.Keys(ctx, strings.TrimSuffix(s.base, "{kw}:")+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		s.itemKey("a"): true, s.seenKey("a"): true, s.versionKey(): true, s.sourcesKey(): true,
		s.topicIndex(store.AllTopic): true, s.topicIndex("x"): true, s.sourceIndex("s1"): true,
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, s.base) {
			t.Errorf("key %q is not under %q", k, s.base)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("key %q missing", k)
	}
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	prefix := redistest.Prefix(t, "redisstore")
	cases := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"reachable", redistest.URL(t), false},
		{"not a URL", "mysql://x", true},
		{"refused, password not echoed", "redis://:s3cret@127.0.0.1:1/0", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.url, prefix, store.Options{SeenTTL: time.Hour})
			if tc.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("got nil error")
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error echoes the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func BenchmarkSaveItems500(b *testing.B) {
	s, _ := newStore(b, store.Options{SeenTTL: 30 * 24 * time.Hour})
	storetest.BenchmarkSaveItems(b, s, 500)
}

// TestBackoff pins the retry pauses: zero with no jitter, growing with
// the attempt up to the cap, never beyond it.
func TestBackoff(t *testing.T) {
	const r = 0.999
	prev := time.Duration(0)
	for attempt := 1; attempt < maxAttempts; attempt++ {
		if got := backoff(attempt, 0); got != 0 {
			t.Fatalf("backoff(%d, 0) = %v, want 0", attempt, got)
		}
		got := backoff(attempt, r)
		if got < prev || got > backoffCap {
			t.Fatalf("backoff(%d, %v) = %v after %v, want growing up to %v", attempt, r, got, prev, backoffCap)
		}
		prev = got
	}
	if prev < backoffCap*9/10 {
		t.Fatalf("backoff never reaches its cap: %v", prev)
	}
}
