package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Leases are plain keys <prefix>{kw}:lease:<name> holding the holder's token,
// set with SET NX PX so Redis itself expires the lease of a dead process.
// Renew and release must only touch a lease the caller still holds: after an
// expiry another replica may own the key, and a blind PEXPIRE or DEL would
// extend or drop its lease. Hence compare-and-act scripts, the pattern the
// Redis documentation gives for SET-based locks
// (https://redis.io/docs/latest/commands/set/#patterns).
var (
	renewScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)
	releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)
)

func (s *Store) leaseKey(name string) string { return s.base + "lease:" + name }

// AcquireLease takes the lease on name for ttl unless someone holds it.
func (s *Store) AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.leaseKey(name), token, leaseTTL(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return ok, nil
}

// RenewLease extends the lease to ttl from now if token still holds it.
func (s *Store) RenewLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	n, err := renewScript.Run(ctx, s.rdb, []string{s.leaseKey(name)}, token, leaseTTL(ttl).Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renew lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease deletes the lease if token still holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, token string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.leaseKey(name)}, token).Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// leaseTTL rounds up to Redis's millisecond resolution: PX 0 is an error,
// and a lease must never be shorter than asked.
func leaseTTL(ttl time.Duration) time.Duration {
	return max(ttl.Round(time.Millisecond), time.Millisecond)
}

// LeaseRemaining reports how long the lease on name still lasts (0: none),
// so a poll that finds a source leased can say for how long (poll's
// LeaseInspector). One PTTL; only a skipped poll asks.
func (s *Store) LeaseRemaining(ctx context.Context, name string) (time.Duration, error) {
	d, err := s.rdb.PTTL(ctx, s.leaseKey(name)).Result()
	if err != nil {
		return 0, fmt.Errorf("lease %s: %w", name, err)
	}
	return max(d, 0), nil // -1 (no expiry) and -2 (no key) are "none" here
}
