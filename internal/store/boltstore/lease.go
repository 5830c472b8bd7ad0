package boltstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Leases live in memory, not in the file: bbolt's file lock already limits a
// store to one process, so the only contenders are pollers inside it, and a
// lease must not outlive the process that took it. Expiry is still honoured
// (against the store's clock) so the backend keeps the contract the Redis one
// does, and the conformance suite can hold both to it.
type leaseTable struct {
	mu     sync.Mutex
	leases map[string]lease
}

type lease struct {
	token   string
	expires time.Time
}

// AcquireLease takes the lease on name for ttl unless a live one exists.
func (s *Store) AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	t := &s.leases
	t.mu.Lock()
	defer t.mu.Unlock()
	now := s.now()
	if l, ok := t.leases[name]; ok && now.Before(l.expires) {
		return false, nil
	}
	if t.leases == nil {
		t.leases = make(map[string]lease)
	}
	t.leases[name] = lease{token: token, expires: now.Add(ttl)}
	return true, nil
}

// RenewLease extends the lease to ttl from now if token still holds it.
func (s *Store) RenewLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	t := &s.leases
	t.mu.Lock()
	defer t.mu.Unlock()
	now := s.now()
	l, ok := t.leases[name]
	if !ok || l.token != token || !now.Before(l.expires) {
		return false, nil
	}
	t.leases[name] = lease{token: token, expires: now.Add(ttl)}
	return true, nil
}

// ReleaseLease drops the lease if token still holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, token string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	t := &s.leases
	t.mu.Lock()
	defer t.mu.Unlock()
	if l, ok := t.leases[name]; ok && l.token == token {
		delete(t.leases, name)
	}
	return nil
}

// LeaseRemaining reports how long the lease on name still lasts (0: none).
func (s *Store) LeaseRemaining(ctx context.Context, name string) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("lease %s: %w", name, err)
	}
	t := &s.leases
	t.mu.Lock()
	defer t.mu.Unlock()
	if l, ok := t.leases[name]; ok {
		return max(l.expires.Sub(s.now()), 0), nil
	}
	return 0, nil
}
