package boltstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kernelwire/kernelwire/internal/store"
)

// queueBehind starts a write that holds the transaction until release is
// closed, then queues fns behind it and waits until all of them are queued,
// so that they are committed as one batch. It returns each fn's outcome
// (once release is closed and they are done) and the blocking write's.
func queueBehind(t *testing.T, s *Store, release chan struct{}, fns ...func(*bolt.Tx) error) (outcomes []error, first error) {
	t.Helper()
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		first = s.update(context.Background(), func(*bolt.Tx) error {
			close(started)
			<-release
			return nil
		})
	})
	<-started
	outcomes = make([]error, len(fns))
	for i, fn := range fns {
		wg.Go(func() { outcomes[i] = s.update(context.Background(), fn) })
		// Queued in order: the next one goes in once this one is in.
		for {
			s.commits.mu.Lock()
			n := len(s.commits.queue)
			s.commits.mu.Unlock()
			if n == i+1 {
				break
			}
			runtime.Gosched()
		}
	}
	close(release)
	wg.Wait()
	return outcomes, first
}

func putMeta(key string, txs *[]int, mu *sync.Mutex) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		mu.Lock()
		*txs = append(*txs, tx.ID())
		mu.Unlock()
		return tx.Bucket([]byte(bucketMeta)).Put(metaKey(key), []byte("v-"+key))
	}
}

// Writes queued while another commits share one transaction, in the order
// they came: each sees the ones before it.
func TestWritesQueuedShareACommit(t *testing.T) {
	s := openTemp(t, store.Options{})
	var (
		mu  sync.Mutex
		txs []int
	)
	sawA := false
	fns := []func(*bolt.Tx) error{
		putMeta("a", &txs, &mu),
		func(tx *bolt.Tx) error {
			sawA = tx.Bucket([]byte(bucketMeta)).Get(metaKey("a")) != nil
			return putMeta("b", &txs, &mu)(tx)
		},
		putMeta("c", &txs, &mu),
	}
	outcomes, first := queueBehind(t, s, make(chan struct{}), fns...)
	if first != nil {
		t.Fatal(first)
	}
	for i, err := range outcomes {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if len(txs) != 3 || txs[0] != txs[1] || txs[1] != txs[2] {
		t.Errorf("transactions %v, want the three writes in one", txs)
	}
	if !sawA {
		t.Error("the second write did not see the first")
	}
	for _, k := range []string{"a", "b", "c"} {
		if v, err := s.GetMeta(context.Background(), k); err != nil || v != "v-"+k {
			t.Errorf("meta %s = %q, %v", k, v, err)
		}
	}
}

// A write that fails in a batch fails alone: the writes before and after it
// are committed, its own changes are not, and each write still sees those
// committed before it.
func TestFailedWriteFailsAlone(t *testing.T) {
	s := openTemp(t, store.Options{})
	var (
		mu  sync.Mutex
		txs []int
	)
	bad := errors.New("refused")
	runs := 0
	sawB := false
	fns := []func(*bolt.Tx) error{
		putMeta("a", &txs, &mu),
		func(tx *bolt.Tx) error {
			runs++
			if err := tx.Bucket([]byte(bucketMeta)).Put(metaKey("bad"), []byte("x")); err != nil {
				return err
			}
			return fmt.Errorf("bad write: %w", bad)
		},
		func(tx *bolt.Tx) error {
			sawB = tx.Bucket([]byte(bucketMeta)).Get(metaKey("a")) != nil
			return putMeta("b", &txs, &mu)(tx)
		},
	}
	outcomes, first := queueBehind(t, s, make(chan struct{}), fns...)
	if first != nil {
		t.Fatal(first)
	}
	if outcomes[0] != nil || outcomes[2] != nil {
		t.Fatalf("outcomes %v, want only the second to fail", outcomes)
	}
	if !errors.Is(outcomes[1], bad) {
		t.Fatalf("failed write got %v, want its own error", outcomes[1])
	}
	if runs != 2 {
		t.Errorf("failed write ran %d times, want 2 (in the batch, then alone)", runs)
	}
	if !sawB {
		t.Error("the write after the failed one did not see the one before it")
	}
	for k, want := range map[string]string{"a": "v-a", "b": "v-b"} {
		if v, err := s.GetMeta(context.Background(), k); err != nil || v != want {
			t.Errorf("meta %s = %q, %v; want %q", k, v, err, want)
		}
	}
	if _, err := s.GetMeta(context.Background(), "bad"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the failed write's change was kept: %v", err)
	}
}

// Many writers at once: every write is committed and returns, whoever
// leads.
func TestConcurrentWritesAllCommit(t *testing.T) {
	s := openTemp(t, store.Options{})
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.PutSourceState(context.Background(), store.SourceState{Name: fmt.Sprintf("s%02d", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	states, err := s.SourceStates(context.Background())
	if err != nil || len(states) != n {
		t.Fatalf("%d states, %v; want %d", len(states), err, n)
	}
}
