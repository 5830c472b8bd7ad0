package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/store"
)

// Meta values live in one hash: a handful of small named values.
func (s *Store) metaKey() string { return s.base + "meta" }

// GetMeta returns the value of key, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	v, err := s.rdb.HGet(ctx, s.metaKey(), key).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("meta %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("meta %s: %w", key, err)
	}
	return v, nil
}

// PutMeta sets key to value.
func (s *Store) PutMeta(ctx context.Context, key, value string) error {
	if err := s.rdb.HSet(ctx, s.metaKey(), key, value).Err(); err != nil {
		return fmt.Errorf("put meta %s: %w", key, err)
	}
	return nil
}
