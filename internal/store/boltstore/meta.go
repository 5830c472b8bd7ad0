package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/store"
)

// Meta values share the meta bucket with the version counter; the "m:"
// prefix keeps a caller's key from overwriting it.
func metaKey(key string) []byte { return []byte("m:" + key) }

// GetMeta returns the value of key, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	found := false
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucketMeta)).Get(metaKey(key)); b != nil {
			v, found = string(b), true
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("meta %s: %w", key, err)
	}
	if !found {
		return "", fmt.Errorf("meta %s: %w", key, store.ErrNotFound)
	}
	return v, nil
}

// PutMeta sets key to value.
func (s *Store) PutMeta(ctx context.Context, key, value string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketMeta)).Put(metaKey(key), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("put meta %s: %w", key, err)
	}
	return nil
}
