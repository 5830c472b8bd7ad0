package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// The per-host politeness gate shared by every process on this Redis (it
// satisfies fetch.SharedGate). One key per host, <prefix>{kw}:gate:<host>:
// while a request is in flight it holds that request's token and expires
// after hold (so a process that dies mid-request frees the host by itself);
// when the request ends it is replaced by a "gap" marker that expires after
// the politeness gap (or the server's Retry-After). A process takes the host
// only when the key is absent: no two requests to one host overlap across
// replicas, and none starts within the gap after another ended. Each step
// is one script, so one round trip: take or learn how long to wait; release.
var (
	gateAcquireScript = redis.NewScript(`
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
	return {1, 0}
end
local inGap = 0
if redis.call("GET", KEYS[1]) == "gap" then
	inGap = 1
end
return {0, redis.call("PTTL", KEYS[1]), inGap}`)
	gateReleaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
	return 0
end
if tonumber(ARGV[2]) > 0 then
	redis.call("SET", KEYS[1], "gap", "PX", ARGV[2])
else
	redis.call("DEL", KEYS[1])
end
return 1`)
)

func (s *Store) gateKey(host string) string { return s.base + "gate:" + host }

// AcquireHost takes host's turn with token for at most hold, unless another
// request to it is in flight or its gap has not passed. Then wait is how
// long the key still lasts, and exact says it is a gap, which ends then; a
// request in flight may end sooner.
func (s *Store) AcquireHost(ctx context.Context, host, token string, hold time.Duration) (ok bool, wait time.Duration, exact bool, err error) {
	res, err := gateAcquireScript.Run(ctx, s.rdb, []string{s.gateKey(host)}, token, leaseTTL(hold).Milliseconds()).Int64Slice()
	if err != nil {
		return false, 0, false, fmt.Errorf("acquire host %s: %w", host, err)
	}
	if len(res) < 2 {
		return false, 0, false, fmt.Errorf("acquire host %s: unexpected reply %v", host, res)
	}
	if res[0] == 1 {
		return true, 0, false, nil
	}
	// A PTTL of -2 means the key expired in between: no wait.
	return false, time.Duration(max(res[1], 0)) * time.Millisecond, len(res) > 2 && res[2] == 1, nil
}

// ReleaseHost ends token's turn on host and keeps the host closed for gap.
// A turn that already expired (and may be someone else's now) is left alone.
func (s *Store) ReleaseHost(ctx context.Context, host, token string, gap time.Duration) error {
	ms := int64(0)
	if gap > 0 {
		ms = leaseTTL(gap).Milliseconds()
	}
	if err := gateReleaseScript.Run(ctx, s.rdb, []string{s.gateKey(host)}, token, ms).Err(); err != nil {
		return fmt.Errorf("release host %s: %w", host, err)
	}
	return nil
}
