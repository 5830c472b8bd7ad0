// Package redisstore is the store.Store backend shared by replicas: every
// replica's poller and web server talk to one Redis (standalone, Sentinel or
// Cluster, through redis.UniversalClient). It owns the key layout below and
// the Lua scripts that keep it consistent; it never logs.
//
// Keys, all under the caller's prefix and the hash tag {kw}:
//
//	<prefix>{kw}:item:<key>           hash: d (item JSON), c (its candidate
//	                                  record, story.EncodeRecord), p (published),
//	                                  f (first seen), s (source), sc (score),
//	                                  t (topics JSON, for unindexing)
//	<prefix>{kw}:seen:<key>           string "<expiry unix ms>:<hash>", SET PX
//	<prefix>{kw}:idx:topic:<slug>     sorted set; "all" indexes every item
//	<prefix>{kw}:idx:source:<name>    sorted set
//	<prefix>{kw}:indexes              set of the source and topic index keys
//	                                  (Prune's retention walks them)
//	<prefix>{kw}:version              INCR counter
//	<prefix>{kw}:sources              hash name -> SourceState JSON
//	<prefix>{kw}:saveturn             string, a save's token, SET PX: the
//	                                  save turn of a contended save (turn.go)
//
// Why one hash tag: SaveItems is one Lua script over the whole batch (one
// round trip, atomic), and a script may only touch keys of one cluster slot.
// The trade-off is that a Redis Cluster keeps all of kernelwire's data on one
// shard: the cluster buys failover, not capacity. At kernelwire's size (a few
// thousand items) that is the right side of the trade. The tag is fixed, so
// deployments sharing a cluster (told apart by prefix) share that shard too.
//
// Index scores are the negated publish time in unix microseconds (exact in a
// float64 until the year 2255), read with ZRANGE: ascending order is newest
// first and, on equal scores, ascending by key, the same tie-break as the
// bbolt backend (a ZREVRANGE over positive scores would order ties by
// descending key).
//
// Seen marks are keys of their own because Redis 7.0 has no per-field hash
// expiry. Their expiry is also written into the value and checked against the
// store's clock, so tests can move time; PX lets Redis reclaim them for real.
package redisstore

import (
	"context"
	_ "embed" // the Lua scripts
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story"
)

var (
	//go:embed layout.lua
	layoutLua string
	//go:embed retention.lua
	retentionLua string
	//go:embed prune.lua
	pruneLua string

	// The scripts are immutable once built; redis.Script only caches its
	// digest. Run sends EVALSHA and falls back to EVAL on NOSCRIPT.
	pruneScript = redis.NewScript(layoutLua + retentionLua + pruneLua)
)

// Store is a store.Store on Redis.
type Store struct {
	rdb  redis.UniversalClient
	base string // "<prefix>{kw}:"
	opts store.Options
	now  func() time.Time
	// index is the story lookup index (story.go), shared by this
	// store's saves.
	index *memIndex
	// records are the candidate records this process decoded or wrote.
	records *story.Records
	// saving holds a token while a SaveItems runs: the store's saves
	// are serialised (see SaveItems). A channel, so waiting for it
	// ends with the caller's context.
	saving chan struct{}
	// turnWait bounds a save's wait for the save turn (turn.go).
	turnWait time.Duration
}

var _ store.Store = (*Store)(nil)

// New returns a store on client with every key under prefix. The store owns
// client from then on: Close closes it.
func New(client redis.UniversalClient, prefix string, opts store.Options) *Store {
	return &Store{rdb: client, base: prefix + "{kw}:", opts: opts, now: time.Now, index: &memIndex{}, records: &story.Records{},
		saving: make(chan struct{}, 1), turnWait: turnWait}
}

// Open connects to the redis:// (or rediss://) URL url and pings it.
func Open(ctx context.Context, url, prefix string, opts store.Options) (*Store, error) {
	o, err := clientOptions(url)
	if err != nil {
		return nil, fmt.Errorf("open redis store: %w", err)
	}
	s := New(redis.NewClient(o), prefix, opts)
	if err := s.Ping(ctx); err != nil {
		_ = s.Close() // the ping error is the one worth returning
		return nil, fmt.Errorf("open redis store: %w", err)
	}
	return s, nil
}

// clientOptions parses url into the client options Open uses.
func clientOptions(url string) (*redis.Options, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: do not echo it.
		return nil, fmt.Errorf("parse URL: %w", err)
	}
	// The default client sends CLIENT SETINFO (Redis 7.2 and later) and
	// CLIENT MAINT_NOTIFICATIONS on every new connection; Redis 7.0 answers
	// both with an error, which go-redis logs, three lines per connection.
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// Without it a context deadline does not bound socket I/O.
	o.ContextTimeoutEnabled = true
	return o, nil
}

// SetClock replaces the clock SaveItems reads (MaxAge, FirstSeen, seen-mark
// expiry). It exists for tests; call it before the store is used. A nil now
// restores time.Now.
func (s *Store) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.now = now
}

func (s *Store) itemKey(key string) string      { return s.base + "item:" + key }
func (s *Store) seenKey(key string) string      { return s.base + "seen:" + key }
func (s *Store) topicIndex(topic string) string { return s.base + "idx:topic:" + topic }
func (s *Store) sourceIndex(src string) string  { return s.base + "idx:source:" + src }
func (s *Store) versionKey() string             { return s.base + "version" }
func (s *Store) sourcesKey() string             { return s.base + "sources" }

// Version returns the counter SaveItems and Prune INCR on every change.
func (s *Store) Version(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.versionKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("version: %w", err)
	}
	return v, nil
}

// Count returns the number of items in topic's index.
func (s *Store) Count(ctx context.Context, topic string) (int, error) {
	if topic == "" {
		topic = store.AllTopic
	}
	n, err := s.rdb.ZCard(ctx, s.topicIndex(topic)).Result()
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", topic, err)
	}
	return int(n), nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// Close closes the client.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("close redis store: %w", err)
	}
	return nil
}
