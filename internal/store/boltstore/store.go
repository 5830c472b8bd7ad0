// Package boltstore is the embedded store.Store backend: one bbolt file, one
// process. It owns the file layout below and nothing else; it never logs.
// Its one goroutine is a save's own: it fills the in-memory lookup index
// while bbolt commits, and SaveItems waits for it before returning. Writes
// that arrive while another commits share the next transaction (commit.go):
// one sync of the file for many of them.
//
// Layout (top-level buckets):
//
//	items    key -> 0x01, uvarint length, the item's candidate record
//	         (story.EncodeRecord), then its JSON item.Item (FirstSeen
//	         set); a value written before records is the JSON alone
//	seen     key -> 8-byte big-endian expiry (unix ns, 0 = never) + hash
//	idx      one nested bucket per index ("t:<topic>", "s:<source>", and
//	         "t:all"); keys are 8-byte big-endian (MaxInt64 - published unix
//	         ns) followed by the item key, values empty, so a cursor walking
//	         forward goes newest first, ties by key
//	sources  name -> JSON store.SourceState
//	meta     "version" -> 8-byte big-endian counter
//
// bbolt has no TTL, so seen-mark expiry is ours: checked on read, swept in
// Prune. bbolt allows one read-write transaction at a time, which is what
// makes SaveItems atomic and race-free: a whole batch is one Update.
package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/story"
)

// Bucket and key names are string constants (converted at use) so the
// package holds no mutable byte slices.
const (
	bucketItems   = "items"
	bucketSeen    = "seen"
	bucketIdx     = "idx"
	bucketSources = "sources"
	bucketMeta    = "meta"
	keyVersion    = "version"
)

// lockTimeout bounds the wait for bbolt's file lock: a second process opening
// the same file fails with a clear error instead of hanging forever.
const lockTimeout = time.Second

// Store is a store.Store on a bbolt file.
type Store struct {
	db   *bolt.DB
	path string
	opts store.Options
	now  func() time.Time
	// leases are per process by design (see lease.go).
	leases leaseTable
	// lookups is the story lookup index (see lookup.go).
	lookups lookupIndex
	// records are the candidate records this process decoded or wrote.
	records story.Records
	// commits queues writes into shared transactions (commit.go).
	commits committer
	// damage is the first damage a read or write met after Open (see
	// view): from then on writes and Ping fail with it.
	damage atomic.Pointer[damageSeen]
}

// damageSeen records damage met while open. inWrite: it was met in a write
// transaction, whose rollback re-reads the (damaged) freelist and may
// itself have panicked with bbolt's writer lock still held, so nothing may
// wait on that lock again (a write, or DB.Close) without hanging for ever.
type damageSeen struct {
	err     error
	inWrite bool
}

var _ store.Store = (*Store)(nil)

// ErrDamaged is wrapped by every error that says the file's content cannot be
// trusted: bad meta pages, a truncated file, broken pages, or a panic inside
// bbolt while reading it. Such a file is never "repaired" behind the
// operator's back: the error says to restore it or move it aside.
var ErrDamaged = errors.New("store file is damaged")

// maxCheckBytes bounds the file size up to which Open walks every page and
// runs bbolt's consistency check (tx.Check). Both read the whole file, about
// a second per few hundred MiB; a larger file gets the cheap checks only
// (meta pages, size, freelist and the top-level buckets), and a page damaged
// in it surfaces later as an error from the read that touches it.
const maxCheckBytes = 512 << 20

// Open opens (creating if needed) the bbolt file at path and checks it: a
// damaged file is refused with ErrDamaged and a message saying what to do,
// never opened "healthy" only to fail (or panic) at the first read.
func Open(path string, opts store.Options) (*Store, error) {
	db, err := openBolt(path)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, opts: opts, now: time.Now}
	if err := s.validate(); err != nil {
		_ = db.Close() // the damage is the error worth returning
		return nil, err
	}
	err = s.update(context.Background(), func(tx *bolt.Tx) error {
		for _, name := range []string{bucketItems, bucketSeen, bucketIdx, bucketSources, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close() // the init error is the one worth returning
		return nil, fmt.Errorf("init bolt store %s: %w", path, err)
	}
	return s, nil
}

// openBolt is bolt.Open with its failures named. bbolt reads the freelist
// through its memory map while opening, so a file cut short can fault there:
// the fault is turned into a panic (SetPanicOnFault) and the panic into
// ErrDamaged. bbolt's own meta-page checks (magic, version, checksum) give
// ErrInvalid and friends, which mean the same.
func openBolt(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, fmt.Errorf("unreadable while opening: %v", r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("open bolt store %s: file is locked, is another kernelwire process using it? %w", path, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping),
		err != nil && strings.Contains(err.Error(), "file size too small"):
		return nil, damaged(path, err)
	case err != nil:
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	return db, nil
}

// validate checks an opened file before anything trusts it. The size check
// catches truncation (the meta page says how many pages exist); the walk
// reads every key and value through bbolt's normal read path, whose page
// assertions panic on scribbled pages (recovered by view, which also turns
// memory faults into panics); only then does tx.Check run, which checks the
// freelist against the reachable pages (a bad freelist makes the next write
// panic) but runs on a goroutine of its own where a fault could not be
// recovered: the walk has touched every page it will read by then.
func (s *Store) validate() error {
	info, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("open bolt store %s: %w", s.path, err)
	}
	full := info.Size() <= maxCheckBytes
	return s.view(context.Background(), func(tx *bolt.Tx) error {
		if need := tx.Size(); need > info.Size() {
			return damaged(s.path, fmt.Errorf("truncated: the file has %d bytes, its pages need %d", info.Size(), need))
		}
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if !full {
				_, _ = b.Cursor().First()
				return nil
			}
			return walkBucket(b)
		})
		if err != nil {
			return err
		}
		if !full {
			return nil
		}
		// The first problem is enough to refuse the file; the rest are
		// drained so Check's goroutine ends.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return damaged(s.path, first)
		}
		return nil
	})
}

// walkBucket reads every key and value of b and its nested buckets; the
// checksum makes sure every byte of a value (which may span overflow pages)
// is really loaded.
func walkBucket(b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return walkBucket(b.Bucket(k))
		}
		_ = crc32.ChecksumIEEE(v)
		return nil
	})
}

func damaged(path string, cause error) error {
	return fmt.Errorf("%w: %s (%v): restore it from a backup, or move it aside (mv %s %s.damaged) to start afresh",
		ErrDamaged, path, cause, path, path)
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

// Version returns the counter SaveItems and Prune bump on every change.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v = readVersion(tx)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("version: %w", err)
	}
	return v, nil
}

func readVersion(tx *bolt.Tx) int64 {
	b := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyVersion))
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func bumpVersion(tx *bolt.Tx) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(readVersion(tx)+1))
	return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyVersion), b[:])
}

// Ping reports whether the file is open and readable, and no damage was
// met since it was opened.
func (s *Store) Ping(ctx context.Context) error {
	if d := s.damage.Load(); d != nil {
		return fmt.Errorf("ping bolt store %s: %w", s.path, d.err)
	}
	if err := s.view(ctx, func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("ping bolt store %s: %w", s.path, err)
	}
	return nil
}

// Close closes the file; calling it again is harmless.
func (s *Store) Close() error {
	if d := s.damage.Load(); d != nil && d.inWrite {
		// DB.Close would wait for the writer lock a panicked rollback
		// may hold; the file lock goes with the process.
		return fmt.Errorf("close bolt store %s: %w", s.path, d.err)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close bolt store %s: %w", s.path, err)
	}
	return nil
}

// view checks ctx first: bbolt itself takes no context, and a cancelled
// caller should not start a transaction. Like transact (commit.go) it keeps
// damage from killing the process: the fault becomes a panic and the panic
// an ErrDamaged error for this one request.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverDamage(&err, false)
	return s.db.View(fn)
}

// recoverDamage, deferred with SetPanicOnFault on, turns a panic into err
// and remembers it.
func (s *Store) recoverDamage(err *error, inWrite bool) {
	r := recover()
	if r == nil {
		return
	}
	*err = damaged(s.path, fmt.Errorf("unreadable: %v", r))
	d := &damageSeen{err: *err, inWrite: inWrite}
	if !s.damage.CompareAndSwap(nil, d) && inWrite {
		s.damage.Store(d) // the writer lock matters more than which came first
	}
}
