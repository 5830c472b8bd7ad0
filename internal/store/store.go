// Package store is the contract between the poller (which writes) and the
// web server (which reads), and nothing else: interfaces and types, no
// logic. Backends live in subpackages: redisstore (shared by replicas) and
// boltstore (embedded, single process); every backend passes the storetest
// conformance suite. What a save changes in stories is decided above the
// store, in package story, and applied by each backend; store imports
// item and nothing else of ours.
//
// Methods take whole batches so that a poll of one source costs a constant
// number of round trips, whatever the number of items.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
)

// ErrNotFound is returned when a requested record does not exist.
var ErrNotFound = errors.New("not found")

// AllTopic is the pseudo-topic that indexes every item.
const AllTopic = "all"

// CuratedTopic is the pseudo-topic that indexes the curated river: the
// stories with at least one topic, or with a member from a wholly on-topic
// source (Item.OnTopic). It cannot be a topic slug (slugs have no "_").
const CuratedTopic = "_curated"

// Options are the retention and dedup settings every backend honours.
type Options struct {
	// SeenTTL is how long an identity key is remembered after the item was
	// last seen upstream. It must exceed MaxAge (config checks it), or an item
	// still in its upstream feed could come back as new once the mark expired.
	SeenTTL time.Duration
	// MaxAge drops items older than this at ingest and prunes stored items
	// older than this. Zero means no limit.
	MaxAge time.Duration
	// MaxItems is what each source's and each topic's index keeps: its
	// newest MaxItems stories. A story is dropped (every member, with its
	// seen mark) once none of its indexes keeps it, so one source flooding
	// the store pushes out only its own oldest stories; "all" keeps no
	// count of its own. An item dropped this way is taken again if it
	// comes back upstream, and dropped again at once while its indexes
	// have no room for it. Zero means no limit.
	MaxItems int

	// Priority ranks sources (feeds.yaml priority, higher wins) when
	// several carry one story: the highest ranking member represents it.
	Priority map[string]int
	// StoryWindow is how long story keys and buckets are kept for lookup
	// (zero: story.DefaultWindow).
	StoryWindow time.Duration
}

// SaveResult reports a batch: one Outcome per input item, in input order.
type SaveResult struct {
	Outcomes []item.Outcome
	// Joined counts the New items that joined an existing story; they are
	// stored, but curated feeds list the story.
	Joined int
}

// Count returns how many items had outcome o.
func (r SaveResult) Count(o item.Outcome) int {
	n := 0
	for _, x := range r.Outcomes {
		if x == o {
			n++
		}
	}
	return n
}

// Query selects items, newest first (by Published, then Key).
type Query struct {
	// Topic is a topic slug, or AllTopic (the default when empty).
	Topic string
	// Source restricts to one source name when set (Topic is then ignored).
	Source string
	Offset int
	Limit  int // <= 0 means 50
}

// SourceState is what the poller remembers about a source between polls
// and across restarts.
type SourceState struct {
	Name string `json:"name"`
	// URL is the current URL: it differs from feeds.yaml after a permanent
	// redirect.
	URL string `json:"url"`
	// ConfigURL is the URL feeds.yaml gave when the state was written; when
	// the operator edits it, the redirected URL and validators are dropped.
	ConfigURL    string `json:"config_url,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Interval is the adapted poll interval.
	Interval  time.Duration `json:"interval,omitempty"`
	NextPoll  time.Time     `json:"next_poll,omitzero"`
	Failures  int           `json:"consecutive_failures"`
	LastError string        `json:"last_error,omitempty"`
	// LastErrorClass names the kind of LastError (poll.ErrorClass:
	// "timeout", "dns", "http-5xx" ...), which public reports show
	// instead of the text.
	LastErrorClass string    `json:"last_error_class,omitempty"`
	LastErrorAt    time.Time `json:"last_error_at,omitzero"`
	LastSuccess    time.Time `json:"last_success,omitzero"`
	LastStatus     int       `json:"last_status,omitempty"`
	ItemsSeen      int64     `json:"items_seen"`
	// BodyHash is the hash of the last body whose items were stored, and
	// LastFullSave when that was: an upstream that ignores conditional GET
	// but sends the same bytes again is treated like a 304 (no parse, no
	// item write) until the seen marks need refreshing.
	BodyHash string `json:"body_hash,omitempty"`
	// Title and SiteURL are the feed's own <title> and site <link>, as
	// last parsed: how a person is shown the source.
	Title         string    `json:"title,omitempty"`
	SiteURL       string    `json:"site_url,omitempty"`
	LastFullSave  time.Time `json:"last_full_save,omitzero"`
	Disabled      bool      `json:"disabled,omitempty"`
	DisableReason string    `json:"disable_reason,omitempty"`
}

// Store is implemented by every backend. All methods are safe for concurrent
// use.
type Store interface {
	// SaveItems stores a poll's items for source src in one atomic step per
	// item (an item is never marked seen without being stored), with a
	// constant number of round trips per call. Items must carry Key, Hash,
	// Published and Source. Items older than Options.MaxAge are not taken.
	// Seeing a known key again refreshes its SeenTTL.
	SaveItems(ctx context.Context, src string, items []item.Item) (SaveResult, error)
	// Items returns items matching q, newest first. The indexes hold
	// stories: each is its representative, with the union of its members'
	// topics and its coverage in Related and Replies.
	Items(ctx context.Context, q Query) ([]item.Item, error)
	// Item returns one item by key, or ErrNotFound.
	Item(ctx context.Context, key string) (item.Item, error)
	// Count returns how many items index topic holds (AllTopic for all).
	Count(ctx context.Context, topic string) (int, error)
	// Version changes whenever stored items change; readers cache rendered
	// output against it.
	Version(ctx context.Context) (int64, error)

	// SourceState returns the state of source name, or ErrNotFound.
	SourceState(ctx context.Context, name string) (SourceState, error)
	// PutSourceState replaces the state of st.Name.
	PutSourceState(ctx context.Context, st SourceState) error
	// SourceStates returns every stored source state, sorted by name.
	SourceStates(ctx context.Context) ([]SourceState, error)

	// GetMeta returns a small named value (such as the fingerprint of the
	// topic rules the items were tagged with), or ErrNotFound.
	GetMeta(ctx context.Context, key string) (string, error)
	// PutMeta sets a small named value.
	PutMeta(ctx context.Context, key, value string) error

	// Leaser coordinates pollers that share the store.
	Leaser

	// Prune applies Options.MaxAge and Options.MaxItems to stored items and
	// returns how many were removed.
	Prune(ctx context.Context, now time.Time) (int, error)
	// Ping reports whether the backend is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Leaser hands out per-source leases so that replicas sharing a store poll
// each source from one process at a time. A lease is held by whoever knows
// its token (random per acquisition) and expires after its ttl unless
// renewed, so a process that dies mid-poll loses its leases by itself.
type Leaser interface {
	// AcquireLease takes the lease on name for ttl if nobody holds it,
	// and reports whether it did.
	AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error)
	// RenewLease extends a lease held with token to ttl from now, and
	// reports false when the lease was lost (expired, or taken since).
	RenewLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if token still holds it; releasing a
	// lease that was lost is not an error.
	ReleaseLease(ctx context.Context, name, token string) error
}
