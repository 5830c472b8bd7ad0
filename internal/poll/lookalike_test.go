package poll

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/redisstore"
)

// lookalikeFeed is source src's weekly kernel-hardening feed of replies
// to the look-alike threads (fetchtest.LookalikeLore).
func lookalikeFeed(src string, replies int) []byte {
	return fetchtest.LookalikeLore(src, replies, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
}

// TestLookalikeFeedsOnePoll is the cold poll that lost items: one
// poller's workers, at once, store weekly lore feeds whose items all join
// the same few threads. Every source must be stored whole (none may fail
// with concurrent saves kept changing the same stories), one story per
// thread holding every reply.
func TestLookalikeFeedsOnePoll(t *testing.T) {
	const sources, replies = 48, 1
	up := fetchtest.NewServer(t)
	var srcs []item.Source
	for i := range sources {
		name := fmt.Sprintf("kernel-hardening-2020-w%02d", i)
		up.Feed("/"+name, lookalikeFeed(name, replies), "application/atom+xml")
		srcs = append(srcs, item.Source{Name: name, URL: up.URL("/" + name)})
	}
	st := redisStore(t)()
	p := testPoller(t, st, fetch.Config{NoHostLimits: true}, srcs...)
	p.cfg.Workers = 32
	for _, r := range p.PollAll(t.Context(), nil) {
		if r.Err != nil || r.New != replies*len(fetchtest.LookalikeThreads) {
			t.Errorf("%s: new %d, err %v; want %d new", r.Source, r.New, r.Err, replies*len(fetchtest.LookalikeThreads))
		}
	}
	reps, err := st.Items(t.Context(), store.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != len(fetchtest.LookalikeThreads) {
		t.Fatalf("got %d entries, want %d stories", len(reps), len(fetchtest.LookalikeThreads))
	}
	for _, rep := range reps {
		if got := 1 + len(rep.Related) + rep.Replies; got != sources*replies {
			t.Errorf("story %q holds %d items, want %d", rep.Title, got, sources*replies)
		}
	}
}

// failFirstSave fails each source's first save the way contention does,
// storing nothing, as redisstore does when it gives up.
type failFirstSave struct {
	store.Store
	failed map[string]*atomic.Bool
}

func (f *failFirstSave) SaveItems(ctx context.Context, src string, items []item.Item) (store.SaveResult, error) {
	if b := f.failed[src]; b != nil && b.CompareAndSwap(false, true) {
		return store.SaveResult{}, fmt.Errorf("save items of %s: %w", src, redisstore.ErrConflict)
	}
	return f.Store.SaveItems(ctx, src, items)
}

// TestFailedSaveRetriedNextPoll: a poll whose save failed keeps neither
// the response's validators nor its body hash, so the next poll fetches
// the feed whole again (no conditional request, no "unchanged" skip) and
// stores every item as new: none was marked seen.
func TestFailedSaveRetriedNextPoll(t *testing.T) {
	up := fetchtest.NewServer(t)
	feed := up.Feed("/kh", lookalikeFeed("kh", 2), "application/atom+xml")
	st := &failFirstSave{Store: redisStore(t)(), failed: map[string]*atomic.Bool{"kh": {}}}
	p := testPoller(t, st, fetch.Config{}, item.Source{Name: "kh", URL: up.URL("/kh")})
	ctx := t.Context()

	r := p.PollAll(ctx, nil)[0]
	if !errors.Is(r.Err, redisstore.ErrConflict) {
		t.Fatalf("first poll: got %v, want ErrConflict", r.Err)
	}
	s, err := st.SourceState(ctx, "kh")
	if err != nil {
		t.Fatal(err)
	}
	if s.ETag != "" || s.LastModified != "" || s.BodyHash != "" || s.ItemsSeen != 0 {
		t.Fatalf("state after the failed save kept %+v", s)
	}
	if n, err := st.Count(ctx, store.AllTopic); err != nil || n != 0 {
		t.Fatalf("Count after the failed save: %d, %v", n, err)
	}

	r = p.PollAll(ctx, nil)[0]
	if r.Err != nil || r.NotModified || r.Unchanged || r.New != 2*len(fetchtest.LookalikeThreads) {
		t.Fatalf("second poll: %+v, want all %d items new", r, 2*len(fetchtest.LookalikeThreads))
	}
	if s, err = st.SourceState(ctx, "kh"); err != nil || s.ETag != feed.ETag() {
		t.Fatalf("state after the stored poll: %+v, %v; want ETag %s", s, err, feed.ETag())
	}
}
