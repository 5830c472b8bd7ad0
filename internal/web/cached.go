package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/kernelwire/kernelwire/internal/publish"
)

// renderFunc renders one document for the cache: its bytes, media type and
// Last-Modified (zero for none).
type renderFunc = func(ctx context.Context) ([]byte, string, time.Time, error)

// serveCached serves the document cached in c under key at the store's
// current version, rendering it on a miss (once, however many requests
// miss together). A tick other than zero (the page's minute) also makes
// the copy of an earlier tick a miss. When the store does not answer, it serves the last copy
// cached under key instead, with a Warning header: a subscriber keeps
// getting the feed it had while Redis restarts, and /readyz (which asks the
// store every time) still tells the load balancer the truth. Without a
// cached copy the answer is 503.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, c *publish.Cache, key string, tick int64, render renderFunc) error {
	// The hot path: a version read within VersionTTL and a copy of it
	// cached. It needs no store, no render and so no deadline (a timer per
	// request was a share of what serving a cached feed cost).
	if ver, ok := s.freshVersion(); ok {
		if entry := c.Fresh(key, tickVersion(tick, ver)); entry != nil {
			serveEntry(w, r, entry)
			return nil
		}
	}
	ctx, cancel := withTimeout(r)
	defer cancel()
	ver, err := s.version(ctx)
	var entry *publish.Entry
	if err == nil {
		entry, err = c.Get(ctx, key, tickVersion(tick, ver), render)
	}
	if err != nil {
		if r.Context().Err() != nil {
			return err // the client left; nobody reads a stale copy either
		}
		if !errors.Is(err, errStoreDown) {
			err = s.checkStore(ctx, err)
		}
		stale := c.Last(key)
		if stale == nil {
			return err
		}
		if !errors.Is(err, errStoreDown) {
			// Version errors are logged once per outage (version);
			// a render that failed after the version answered is not.
			s.cfg.Log.Warn("render failed: serving the cached copy", "path", r.URL.Path, "err", err)
		}
		// RFC 7234 section 5.5.2: 111 "Revalidation Failed" is the
		// warning for a stale response served because the origin of
		// freshness could not be reached. RFC 9111 dropped the header;
		// it is still what people and tools look for.
		w.Header().Set("Warning", `111 kernelwire "Revalidation Failed: store unreachable, serving a cached copy"`)
		entry = stale
	}
	serveEntry(w, r, entry)
	return nil
}

// serveEntry writes entry with its header and body in one write when r
// came on a connection of Listener (coalesce.go).
func serveEntry(w http.ResponseWriter, r *http.Request, entry *publish.Entry) {
	c := heldConn(r)
	c.hold()
	defer c.release()
	entry.ServeHTTP(w, r)
}

// freshEntry is serveCached's hot path for a key held as bytes: the copy
// cached in c under key for tick at the store version read within
// VersionTTL, or nil.
func (s *Server) freshEntry(c *publish.Cache, key []byte, tick int64) *publish.Entry {
	ver, ok := s.freshVersion()
	if !ok {
		return nil
	}
	return c.FreshBytes(key, tickVersion(tick, ver))
}

// checkStore is called after a render failed while the version was still
// fresh: when the store does not answer a ping either, it is down, and the
// version cache learns so at once (the next requests fail fast); err is
// then wrapped in errStoreDown.
func (s *Server) checkStore(ctx context.Context, err error) error {
	pctx, cancel := context.WithTimeout(ctx, s.cfg.StoreWait)
	defer cancel()
	if perr := s.cfg.Store.Ping(pctx); perr == nil || ctx.Err() != nil {
		return err
	}
	s.verMu.Lock()
	defer s.verMu.Unlock()
	return s.markDown(err)
}

// versionBits is how many low bits of a cache version hold the store's
// version when a tick holds the high ones: 2^38 store changes, and ticks
// of minutes until the year 65,000.
const versionBits = 38

// tickVersion orders (tick, version) pairs as one int64, for the cache's
// "older than" test: a later tick, or the same tick and a later store
// version, is newer. The key stays the same across ticks, so the stale
// copy of a page is found whatever minute the store went down in.
func tickVersion(tick, version int64) int64 {
	return tick<<versionBits | version&(1<<versionBits-1)
}
