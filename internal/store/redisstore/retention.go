package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Prune applies MaxAge and MaxItems at now in one script call and returns how
// many items it removed, and sweeps expired story lookup entries. Seen
// marks are left to expire by Redis itself.
//
// The same retention runs at the end of every SaveItems script, so Prune only
// has work when time passed without saves or the options were tightened.
func (s *Store) Prune(ctx context.Context, now time.Time) (int, error) {
	n, err := pruneScript.Run(ctx, s.rdb, []string{s.versionKey()},
		s.base, s.cutoff(now), strconv.Itoa(max(s.opts.MaxItems, 0)), strconv.FormatInt(now.UnixMilli(), 10)).Int()
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	s.index.mu.Lock()
	s.index.x.Sweep(now.UnixMilli())
	s.index.mu.Unlock()
	return n, nil
}
