package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// The save turn. Within a process saves wait for each other (SaveItems),
// but replicas only meet in Redis, optimistically: a save whose snapshot
// another replica's write invalidated plans again. Backoff spreads
// colliders out, yet a save with a slow plan (a large batch with many
// candidates) loses every time to replicas that commit small saves
// meanwhile. So a save that conflicted escalateAfter times claims the
// turn, <prefix>{kw}:saveturn, holding a token of its own; while it is
// held storysave.lua refuses every other save as a conflict (they back off
// and wait), the holder's next attempt finds nothing changed under it, and
// its write deletes the key. The turn only decides who may write: the
// optimistic checks still guard every write, so a turn that expired (a
// holder that died, or planned for longer than turnTTL) costs waiting,
// never correctness.
//
// A save refused because another holds the turn does not plan again
// until it got the turn itself: under contention the replicas take
// turns, each waiting cheaply (a claim every few milliseconds), rather
// than burning plans that would be refused; once saves stop meeting
// turns, they are optimistic again.
//
// Claiming costs a round trip, only after conflicts: a save that meets
// none pays nothing beyond the GET inside the write script. A save gives
// up (ErrConflict) only after maxAttempts attempts, or turnWait waiting
// for the turn: far beyond what replicas polling look-alike feeds cause.

// escalateAfter is how many conflicting attempts a save makes before it
// claims the turn. While a turn is held every other replica's save is
// refused, which wastes their plans, so it is a last resort: three
// replicas saving look-alike stories as fast as they can rarely need more
// than ten attempts.
const escalateAfter = 12

// turnTTL bounds how long a holder that died keeps the other replicas'
// saves waiting; it outlasts any one attempt's read, plan and write, and
// is well within turnWait.
const turnTTL = 2 * time.Second

// claimTurnScript takes the turn for ARGV[1] for ARGV[2] ms when it is
// free or already ARGV[1]'s (renewing it), and reports whether it did.
var claimTurnScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if not v or v == ARGV[1] then
	redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
	return 1
end
return 0`)

// errTurnTaken is trySave's answer when the write was refused because
// another save holds the turn.
var errTurnTaken = errors.New("another save holds the save turn")

func (s *Store) turnKey() string { return s.base + "saveturn" }

// newTurnToken names one save's claim.
func newTurnToken() string { return rand.Text() }

// claimTurn takes (or renews) the turn for token.
func (s *Store) claimTurn(ctx context.Context, token string) (bool, error) {
	n, err := claimTurnScript.Run(ctx, s.rdb, []string{s.turnKey()}, token, turnTTL.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("claim save turn: %w", err)
	}
	return n == 1, nil
}

// Waiting for the turn: a holder needs it for one attempt (milliseconds),
// so a waiter asks again soon, up to turnWait in all (Store.turnWait, so
// tests can shorten it), which spans several turnTTLs (a dead holder's
// turn expires) and many holders in a row.
const (
	turnPoll = 4 * time.Millisecond
	turnWait = 10 * time.Second
)

// awaitTurn claims (or renews) the turn for token, waiting while another
// save holds it. It fails with ErrConflict when the turn stayed taken for
// s.turnWait.
func (s *Store) awaitTurn(ctx context.Context, token string) error {
	deadline := time.Now().Add(s.turnWait)
	for {
		held, err := s.claimTurn(ctx, token)
		if err != nil || held {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %s for the save turn: %w", s.turnWait, ErrConflict)
		}
		t := time.NewTimer(time.Duration((0.5 + mathrand.Float64()) * float64(turnPoll)))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// releaseTurn gives the turn up if token still holds it, for a save that
// ends without writing (a write deletes it itself). Best effort: the
// turn expires anyway.
func (s *Store) releaseTurn(ctx context.Context, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = releaseScript.Run(ctx, s.rdb, []string{s.turnKey()}, token).Err()
}
