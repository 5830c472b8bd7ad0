package boltstore

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Every write is a bbolt read-write transaction, and each
// commit syncs the file twice (data pages, then the meta page): a few
// milliseconds on a real disk, while bbolt's writer lock keeps every other
// writer waiting. A poll writes twice per source (its items, then its
// state), so a cold poll of hundreds of sources spent most of its wall time
// in those syncs, one after the other, with the workers idle behind them.
//
// So the writes that queue while one commits run together next, in the
// order they came, as one transaction: each still returns only once its own
// writes are durable, and each sees every write queued before it, exactly
// as when each had a transaction of its own. bbolt's DB.Batch does the same
// but waits up to MaxBatchDelay for a batch to fill; here a batch is what
// queued during the commit before it, so a write that finds nothing
// committing waits for nothing. A write whose function fails must not fail
// the others with it: the batch is rolled back, the writes before it commit
// again without it, it runs alone (its error is its own) and the rest go on.
// Functions are therefore written to be run again: they set what they
// return afresh on each run, and what they keep in memory (the lookup
// index, the record cache) tolerates a transaction that was rolled back.

// write is one update waiting to be committed.
type write struct {
	fn func(*bolt.Tx) error
	// done gets the write's outcome, or errLead when the write is to
	// commit the queue itself.
	done chan error
}

// errLead hands the lead to a queued write: it commits the queue (itself
// included) and then hands the lead on.
var errLead = errors.New("lead the next commit")

// committer queues writes; one goroutine at a time (the leader, a writer
// whose own write is queued) commits them.
type committer struct {
	mu      sync.Mutex
	queue   []*write
	leading bool
}

// update runs fn in a read-write transaction, possibly shared with writes
// queued at the same time (see above), and returns once it is committed or
// rolled back. It checks ctx first (bbolt itself takes no context, and a
// cancelled caller should not start a write) and refuses to write into a
// file known to be damaged.
func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d := s.damage.Load(); d != nil {
		// Writing into a damaged file only spreads the damage.
		return d.err
	}
	w := &write{fn: fn, done: make(chan error, 1)}
	c := &s.commits
	c.mu.Lock()
	c.queue = append(c.queue, w)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if !lead {
		if err := <-w.done; !errors.Is(err, errLead) {
			return err
		}
	}
	s.lead()
	return <-w.done
}

// lead commits everything queued as one batch, then hands the lead to the
// first write queued meanwhile, if any: each leader commits one batch, so
// no writer waits on others' writes after its own is done.
func (s *Store) lead() {
	c := &s.commits
	c.mu.Lock()
	batch := c.queue
	c.queue = nil
	c.mu.Unlock()
	s.commit(batch)
	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].done <- errLead
	} else {
		c.leading = false
	}
	c.mu.Unlock()
}

// commit runs batch's writes in one transaction and tells each its
// outcome. When one fails, the writes before it commit without it, it is
// run alone, and those after it are committed after it.
func (s *Store) commit(batch []*write) {
	for len(batch) > 0 {
		failed := -1
		err := s.transact(func(tx *bolt.Tx) error {
			for i, w := range batch {
				if err := w.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			// Committed, or the commit itself failed (or met damage):
			// the same outcome for all of them.
			for _, w := range batch {
				w.done <- err
			}
			return
		}
		if len(batch) == 1 {
			batch[0].done <- err
			return
		}
		s.commit(batch[:failed])
		w := batch[failed]
		w.done <- s.transact(w.fn)
		batch = batch[failed+1:]
	}
}

// transact is one bbolt Update. It keeps damage the open-time checks could
// not see (a file above maxCheckBytes, or one scribbled on while open)
// from killing the process: bbolt panics on pages it cannot make sense of
// and faults on pages past the end of a shrunk file; the fault becomes a
// panic and the panic an ErrDamaged error. bbolt rolls the transaction
// back on the way out.
func (s *Store) transact(fn func(*bolt.Tx) error) (err error) {
	if d := s.damage.Load(); d != nil {
		return d.err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverDamage(&err, true)
	return s.db.Update(fn)
}
