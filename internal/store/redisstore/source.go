package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/store"
)

// Source states live in one hash, name -> JSON: a handful of small records
// that SourceStates reads in one HGETALL.

// SourceState returns the stored state of source name, or store.ErrNotFound.
func (s *Store) SourceState(ctx context.Context, name string) (store.SourceState, error) {
	data, err := s.rdb.HGet(ctx, s.sourcesKey(), name).Bytes()
	if errors.Is(err, redis.Nil) {
		return store.SourceState{}, fmt.Errorf("source state %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.SourceState{}, fmt.Errorf("source state %s: %w", name, err)
	}
	var st store.SourceState
	if err := json.Unmarshal(data, &st); err != nil {
		return store.SourceState{}, fmt.Errorf("source state %s: decode: %w", name, err)
	}
	return st, nil
}

// PutSourceState replaces the state of st.Name.
func (s *Store) PutSourceState(ctx context.Context, st store.SourceState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("put source state %s: encode: %w", st.Name, err)
	}
	if err := s.rdb.HSet(ctx, s.sourcesKey(), st.Name, data).Err(); err != nil {
		return fmt.Errorf("put source state %s: %w", st.Name, err)
	}
	return nil
}

// SourceStates returns every stored state, sorted by name.
func (s *Store) SourceStates(ctx context.Context) ([]store.SourceState, error) {
	all, err := s.rdb.HGetAll(ctx, s.sourcesKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	out := make([]store.SourceState, 0, len(all))
	for name, data := range all {
		var st store.SourceState
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return nil, fmt.Errorf("source states: decode %s: %w", name, err)
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b store.SourceState) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
