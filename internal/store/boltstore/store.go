// Package boltstore is the embedded store.Store backend: one bbolt file, one
// process. It owns the file layout below and nothing else; it never logs and
// never starts goroutines.
//
// Layout (top-level buckets):
//
//	items    key -> JSON item.Item (FirstSeen set)
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
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/kernelwire/kernelwire/internal/store"
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
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the bbolt file at path.
func Open(path string, opts store.Options) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open bolt store %s: file is locked, is another kernelwire process using it? %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open bolt store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
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
	return &Store{db: db, path: path, opts: opts, now: time.Now}, nil
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

// Ping reports whether the file is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.view(ctx, func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("ping bolt store %s: %w", s.path, err)
	}
	return nil
}

// Close closes the file; calling it again is harmless.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close bolt store %s: %w", s.path, err)
	}
	return nil
}

// view and update check ctx first: bbolt itself takes no context, and a
// cancelled caller should not start a transaction.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}
