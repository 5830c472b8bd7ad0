package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/store"
)

// SourceState returns the stored state of source name, or store.ErrNotFound.
func (s *Store) SourceState(ctx context.Context, name string) (store.SourceState, error) {
	var (
		st    store.SourceState
		found bool
	)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		data := tx.Bucket([]byte(bucketSources)).Get([]byte(name))
		if data == nil {
			return nil
		}
		found = true
		return json.Unmarshal(data, &st)
	})
	if err != nil {
		return store.SourceState{}, fmt.Errorf("source state %s: %w", name, err)
	}
	if !found {
		return store.SourceState{}, fmt.Errorf("source state %s: %w", name, store.ErrNotFound)
	}
	return st, nil
}

// PutSourceState replaces the state of st.Name.
func (s *Store) PutSourceState(ctx context.Context, st store.SourceState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode source state %s: %w", st.Name, err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketSources)).Put([]byte(st.Name), data)
	})
	if err != nil {
		return fmt.Errorf("put source state %s: %w", st.Name, err)
	}
	return nil
}

// SourceStates returns every stored state, sorted by name: bbolt keeps keys
// in byte order, which is Go's string order.
func (s *Store) SourceStates(ctx context.Context) ([]store.SourceState, error) {
	var out []store.SourceState
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketSources)).ForEach(func(k, v []byte) error {
			var st store.SourceState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	return out, nil
}
