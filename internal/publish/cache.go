package publish

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache keeps the most recently used rendered documents, at most
// maxEntries of them. It is safe for concurrent use.
type Cache struct {
	max    int
	flight singleflight.Group
	// renders counts the entries made: each is one render and one gzip
	// compression, however many requests it then serves.
	renders atomic.Int64

	mu      sync.Mutex
	lru     *list.List // of *cacheItem, most recent first
	entries map[string]*list.Element
}

type cacheItem struct {
	key   string
	entry *Entry
}

// NewCache returns a cache of at most maxEntries entries (at least one).
func NewCache(maxEntries int) *Cache {
	return &Cache{
		max:     max(maxEntries, 1),
		lru:     list.New(),
		entries: make(map[string]*list.Element),
	}
}

// Get returns the entry for key rendered at version or later. A miss, or an
// entry of an older version, calls render once however many callers miss
// together; each caller still returns on its own ctx. Render errors are not
// cached.
func (c *Cache) Get(ctx context.Context, key string, version int64, render func(ctx context.Context) (body []byte, contentType string, lastModified time.Time, err error)) (*Entry, error) {
	if e := c.lookup(key, version); e != nil {
		return e, nil
	}
	ch := c.flight.DoChan(key+"\x00"+strconv.FormatInt(version, 10), func() (any, error) {
		// A flight that finished between our lookup and DoChan has
		// already stored the entry: do not render it twice.
		if e := c.lookup(key, version); e != nil {
			return e, nil
		}
		// The render is shared by every waiter, so one client hanging up
		// must not fail the others: it runs detached from the canceller.
		body, contentType, lastModified, err := render(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("render %s at version %d: %w", key, version, err)
		}
		c.renders.Add(1)
		e, err := NewEntry(body, contentType, lastModified)
		if err != nil {
			return nil, fmt.Errorf("cache %s: %w", key, err)
		}
		e.version = version
		return c.store(key, e), nil
	})
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("cache get %s: %w", key, context.Cause(ctx))
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Entry), nil
	}
}

// Fresh returns the entry for key rendered at version or later, or nil:
// Get without a render, for a caller that has no context to wait on yet.
func (c *Cache) Fresh(key string, version int64) *Entry {
	return c.lookup(key, version)
}

// FreshBytes is Fresh for a key held as bytes: a server that builds the
// key of every request looks it up without making a string of it (the
// compiler does not allocate for a map index of string(key)).
func (c *Cache) FreshBytes(key []byte, version int64) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[string(key)]
	return c.hit(el, ok, version)
}

// Last returns the newest entry cached for key, whatever its version, or
// nil. It is the stale copy a server may still serve when the store it
// would check the version against does not answer.
func (c *Cache) Last(key string) *Entry {
	return c.lookup(key, math.MinInt64)
}

// Renders is how many documents the cache has rendered and compressed:
// once per key and version, not once per request.
func (c *Cache) Renders() int64 { return c.renders.Load() }

// Len is the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cache) lookup(key string, version int64) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	return c.hit(el, ok, version)
}

// hit is the entry of el when found (ok) at version or later, moved to
// the front. The caller holds mu.
func (c *Cache) hit(el *list.Element, ok bool, version int64) *Entry {
	if !ok {
		return nil
	}
	ci := el.Value.(*cacheItem)
	if ci.entry.version < version {
		return nil
	}
	c.lru.MoveToFront(el)
	return ci.entry
}

// store keeps e unless a newer version got there first (renders of
// different versions may finish out of order), and returns what is kept.
func (c *Cache) store(key string, e *Entry) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		ci := el.Value.(*cacheItem)
		if ci.entry.version > e.version {
			return ci.entry
		}
		ci.entry = e
		c.lru.MoveToFront(el)
		return e
	}
	c.entries[key] = c.lru.PushFront(&cacheItem{key: key, entry: e})
	for c.lru.Len() > c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheItem).key)
	}
	return e
}
