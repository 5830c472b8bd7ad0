package redisstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kernelwire/kernelwire/internal/dedup"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
	"github.com/kernelwire/kernelwire/internal/story"
	"github.com/kernelwire/kernelwire/internal/story/storytest"
)

// Environment of the ingesting helper process TestStoryTwoProcesses starts.
const (
	envHelperPrefix = "KERNELWIRE_STORY_HELPER_PREFIX"
	envHelperID     = "KERNELWIRE_STORY_HELPER_ID"
	envHelperStart  = "KERNELWIRE_STORY_HELPER_START"
)

// TestMain turns the test binary into an ingesting process when started by
// TestStoryTwoProcesses, so the helper is not a test that skips itself.
func TestMain(m *testing.M) {
	if prefix := os.Getenv(envHelperPrefix); prefix != "" {
		if err := ingestHelper(prefix, os.Getenv(envHelperID), os.Getenv(envHelperStart)); err != nil {
			fmt.Fprintln(os.Stderr, "ingest helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(redistest.Main(m))
}

const (
	helperEvents  = 5
	helperSources = 4 // per process
)

var helperTitles = []string{
	"Linux 6.13 released", "Rust 1.83.0 released", "CVE-2024-1086 exploited in the wild",
	"Torvalds rejects bcachefs pull request", "GNOME 48 released with triple buffering",
}

// helperBatch is one source's poll: every event under the source's own
// link, and under a link every source of both processes carries.
func helperBatch(src string) []item.Item {
	var items []item.Item
	for e := range helperEvents {
		for _, link := range []string{
			fmt.Sprintf("https://%s.example/%d", src, e), fmt.Sprintf("https://shared.example/%d", e),
		} {
			items = append(items, item.Item{Source: src, Title: helperTitles[e], Link: link,
				Published: storetest.T0().Add(-time.Duration(e) * time.Hour)})
		}
	}
	dedup.Assign(items, src)
	return items
}

// ingestHelper saves helperSources batches concurrently into prefix,
// starting at the unix millisecond start so both processes collide.
func ingestHelper(prefix, id, start string) error {
	// The parent's redistest.URL exported the server's URL to us.
	o, err := clientOptions(os.Getenv(redistest.Env))
	if err != nil {
		return err
	}
	s := New(redis.NewClient(o), prefix, storetest.StoryOptions(nil))
	defer s.Close()
	ms, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return fmt.Errorf("start %q: %w", start, err)
	}
	time.Sleep(time.Until(time.UnixMilli(ms)))
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, helperSources)
	for i := range helperSources {
		src := fmt.Sprintf("p%s-s%d", id, i)
		wg.Go(func() { _, errs[i] = s.SaveItems(ctx, src, helperBatch(src)) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestStoryTwoProcesses has two processes ingest overlapping polls of the
// same events into one Redis at the same moment: exactly one story per
// event must result, holding every link.
func TestStoryTwoProcesses(t *testing.T) {
	s, _ := newStore(t, storetest.StoryOptions(nil))
	prefix := strings.TrimSuffix(s.base, "{kw}:")
	start := strconv.FormatInt(time.Now().Add(500*time.Millisecond).UnixMilli(), 10)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for p := range 2 {
		cmd := exec.CommandContext(t.Context(), os.Args[0])
		cmd.Env = append(os.Environ(), envHelperPrefix+"="+prefix, envHelperID+"="+strconv.Itoa(p), envHelperStart+"="+start)
		wg.Go(func() { outs[p], errs[p] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for p := range 2 {
		if errs[p] != nil {
			t.Fatalf("process %d: %v\n%s", p, errs[p], outs[p])
		}
	}
	// Each source's own link plus the shared one.
	checkStories(t, s, 2*helperSources+1)
}

// checkStories checks that s lists one story per helper event, each
// holding links links.
func checkStories(t *testing.T, s *Store, links int) {
	t.Helper()
	items, err := s.Items(t.Context(), store.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != helperEvents {
		t.Fatalf("got %d entries, want %d stories", len(items), helperEvents)
	}
	for _, rep := range items {
		got := map[string]bool{rep.Link: true}
		for _, r := range rep.Related {
			got[r.URL] = true
		}
		if len(got) != links {
			t.Errorf("story %q holds %d links, want %d", rep.Title, len(got), links)
		}
	}
}

// TestStoryRoundTrips pins the cost of clustering: a clustered save is one
// round trip when the process remembers everything its plan depends on
// (speculate.go), as it does here after its first save, whatever the batch
// size, and two (the snapshot script and the write script) for its first
// save, when nobody saves the same stories at the same moment.
func TestStoryRoundTrips(t *testing.T) {
	var rt counter
	s, _ := newStore(t, storetest.StoryOptions(nil), &rt)
	ctx := t.Context()
	batches := storytest.FixtureBatches(t, storetest.T0())
	// The connection's handshake (HELLO) passes the hook too.
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	before := rt.n.Load()
	if _, err := s.SaveItems(ctx, "warm", helperBatch("warm")); err != nil {
		t.Fatal(err)
	}
	if n := rt.n.Load() - before; n != 2 {
		t.Fatalf("first save: %d round trips, want 2", n)
	}
	for _, batch := range batches {
		before = rt.n.Load()
		if _, err := s.SaveItems(ctx, batch[0].Source, batch); err != nil {
			t.Fatal(err)
		}
		if n := rt.n.Load() - before; n != 1 {
			t.Fatalf("save of %d items of %s: %d round trips, want 1", len(batch), batch[0].Source, n)
		}
	}
}

// TestStorySpeculationMiss has a process plan from what it remembers while
// another process changed it: its write must find out, and the save end as
// if it had read first.
func TestStorySpeculationMiss(t *testing.T) {
	opts := storetest.StoryOptions(nil)
	var rt counter
	a, _ := newStore(t, opts, &rt)
	ctx := t.Context()
	b := New(client(t), strings.TrimSuffix(a.base, "{kw}:"), opts)
	t.Cleanup(func() { _ = b.Close() })
	if _, err := a.SaveItems(ctx, "a", helperBatch("a")); err != nil {
		t.Fatal(err)
	}
	// b carries the shared links too: coverage added to a's stories,
	// whose versions a remembers.
	if _, err := b.SaveItems(ctx, "b", helperBatch("b")); err != nil {
		t.Fatal(err)
	}
	before := rt.n.Load()
	res, err := a.SaveItems(ctx, "c", helperBatch("c"))
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.n.Load() - before; n < 2 {
		t.Errorf("a save planned from stale memory took %d round trip, want its write refused", n)
	}
	if got := res.Count(item.New); got != helperEvents {
		t.Errorf("c: %d new, want %d (its own links; the shared ones are known)", got, helperEvents)
	}
	// Saved again, everything is known: all duplicates, one round trip.
	before = rt.n.Load()
	if res, err = a.SaveItems(ctx, "c", helperBatch("c")); err != nil {
		t.Fatal(err)
	}
	if got := res.Count(item.Duplicate); got != 2*helperEvents {
		t.Errorf("c again: %d duplicates, want %d", got, 2*helperEvents)
	}
	if n := rt.n.Load() - before; n != 1 {
		t.Errorf("c again: %d round trips, want 1", n)
	}
	// a's, b's and c's own links and the shared one.
	checkStories(t, b, 4)
}

// TestStoryMemory measures what each stored item costs in Redis (MEMORY
// USAGE of every key) on the real fixtures, and holds it under 6 KB: the
// item hash with its JSON, its seen mark, its index entries, its share of
// story records and of the lookup stream.
func TestStoryMemory(t *testing.T) {
	batches := storytest.FixtureBatches(t, storetest.T0())
	s, admin := newStore(t, storetest.StoryOptions(nil))
	ctx := t.Context()
	stored := 0
	for _, batch := range batches {
		res, err := s.SaveItems(ctx, batch[0].Source, batch)
		if err != nil {
			t.Fatal(err)
		}
		stored += res.Count(item.New)
	}
	byKind := map[string]int64{}
	var total int64
	keys, err := admin.Keys(ctx, s.base+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		n, err := admin.MemoryUsage(ctx, k, 0).Result()
		if err != nil {
			t.Fatal(err)
		}
		kind, _, _ := strings.Cut(strings.TrimPrefix(k, s.base), ":")
		byKind[kind] += n
		total += n
	}
	perItem := float64(total) / float64(stored)
	t.Logf("%d items, %d keys, %d bytes: %.0f bytes/item; by key kind: %v", stored, len(keys), total, perItem, byKind)
	if byKind["story"] == 0 || byKind["lookups"] == 0 {
		t.Errorf("no story records or lookup stream: %v", byKind)
	}
	if perItem > 6144 {
		t.Errorf("%.0f bytes/item, want under 6144", perItem)
	}
}

func BenchmarkStorySave(b *testing.B) {
	storetest.BenchmarkStorySave(b, func(b *testing.B, opts store.Options) store.Store {
		s, _ := newStore(b, opts)
		return s
	}, storytest.FixtureBatches(b, storetest.T0()))
}

// TestStoryLookupExpiry checks that the lookup stream expires with the
// story window: Redis drops it a lookup TTL after the last save writes it,
// and Prune trims the entries that expired on the store's clock, from
// Redis and from the process's index.
func TestStoryLookupExpiry(t *testing.T) {
	opts := storetest.StoryOptions(nil)
	s, admin := newStore(t, opts)
	clock := storetest.NewClock(storetest.T0())
	s.SetClock(clock.Now)
	ctx := t.Context()
	for _, src := range []string{"a", "b"} {
		if _, err := s.SaveItems(ctx, src, helperBatch(src)); err != nil {
			t.Fatal(err)
		}
	}
	key := s.base + "lookups"
	ttl, err := admin.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > story.LookupTTL(opts.StoryWindow) {
		t.Fatalf("PTTL of the lookup stream: %v, want in (0, %v]", ttl, story.LookupTTL(opts.StoryWindow))
	}
	if n, err := admin.XLen(ctx, key).Result(); err != nil || n != 2 {
		t.Fatalf("lookup stream after two clustered saves: %d entries (%v), want 2", n, err)
	}
	held := s.index.x.Len()
	if held == 0 {
		t.Fatal("the process's index holds nothing after two clustered saves")
	}
	clock.Advance(story.LookupTTL(opts.StoryWindow) - time.Minute)
	if _, err := s.Prune(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := admin.XLen(ctx, key).Result(); err != nil || n != 2 {
		t.Fatalf("after prune within the TTL: %d entries (%v), want 2", n, err)
	}
	if n := s.index.x.Len(); n != held {
		t.Fatalf("after prune within the TTL the index holds %d entries, want %d", n, held)
	}
	clock.Advance(2 * time.Minute)
	if _, err := s.Prune(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := admin.XLen(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("after prune past the TTL: %d entries (%v), want 0", n, err)
	}
	if n := s.index.x.Len(); n != 0 {
		t.Fatalf("after prune past the TTL the index holds %d entries, want 0", n)
	}
}

// TestStoryIndexFromStream has a second process (a store with an empty
// index) and a process that missed saves (its cursor behind) ingest
// coverage of stories the first saved: both must find them through the
// lookup stream, not create stories of their own.
func TestStoryIndexFromStream(t *testing.T) {
	opts := storetest.StoryOptions(nil)
	first, _ := newStore(t, opts)
	ctx := t.Context()
	if _, err := first.SaveItems(ctx, "a", storyBatch("a", "https://a.example/")); err != nil {
		t.Fatal(err)
	}
	second := New(client(t), strings.TrimSuffix(first.base, "{kw}:"), opts)
	t.Cleanup(func() { _ = second.Close() })
	if _, err := second.SaveItems(ctx, "b", storyBatch("b", "https://b.example/")); err != nil {
		t.Fatal(err)
	}
	// first's cursor is now behind second's entry.
	if _, err := first.SaveItems(ctx, "c", storyBatch("c", "https://c.example/")); err != nil {
		t.Fatal(err)
	}
	items, err := first.Items(ctx, store.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(helperTitles) {
		t.Fatalf("got %d entries, want %d stories", len(items), len(helperTitles))
	}
	for _, rep := range items {
		if len(rep.Related) != 2 {
			t.Errorf("story %q: %d related, want 2 (the other two sources)", rep.Title, len(rep.Related))
		}
	}
}

// storyBatch is one poll of src: every helper event, reworded the way
// another outlet would, under the source's own links.
func storyBatch(src, site string) []item.Item {
	var items []item.Item
	for e, title := range helperTitles {
		items = append(items, item.Item{Source: src, Title: title, Link: fmt.Sprintf("%s%d", site, e),
			Published: storetest.T0().Add(-time.Duration(e) * time.Hour)})
	}
	dedup.Assign(items, src)
	return items
}

// TestStoryMalformedLookups has a lookup stream entry that is none of
// kernelwire's: a fresh process skips it and still finds the stories the
// good entries name.
func TestStoryMalformedLookups(t *testing.T) {
	opts := storetest.StoryOptions(nil)
	first, admin := newStore(t, opts)
	ctx := t.Context()
	if _, err := first.SaveItems(ctx, "a", storyBatch("a", "https://a.example/")); err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{"", "not base36 !\n", "zz\n\tfield before any item\n"} {
		if err := admin.XAdd(ctx, &redis.XAddArgs{Stream: first.base + "lookups", Values: []string{"e", junk}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	second := New(client(t), strings.TrimSuffix(first.base, "{kw}:"), opts)
	t.Cleanup(func() { _ = second.Close() })
	res, err := second.SaveItems(ctx, "b", storyBatch("b", "https://b.example/"))
	if err != nil {
		t.Fatalf("a malformed stream entry stopped the save: %v", err)
	}
	if res.Joined != len(helperTitles) {
		t.Fatalf("joined %d stories, want %d", res.Joined, len(helperTitles))
	}
}

// TestStoryReplicasLookalikes has three replicas (Stores of their own on
// one prefix), each with a poller's workers, save look-alike items that
// cluster into the same few stories at once: within a replica saves wait
// for each other, across replicas they conflict, back off and retry, and
// none may give up.
func TestStoryReplicasLookalikes(t *testing.T) {
	const replicas, workers, batches = 3, 12, 2
	first, _ := newStore(t, storetest.StoryOptions(nil))
	prefix := strings.TrimSuffix(first.base, "{kw}:")
	stores := []*Store{first}
	for range replicas - 1 {
		s := New(client(t), prefix, storetest.StoryOptions(nil))
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	saved := make([][]item.Item, replicas)
	errs := make([]error, replicas)
	for r, s := range stores {
		wg.Go(func() {
			saved[r], errs[r] = storetest.SaveLookalikes(t.Context(), s, fmt.Sprintf("r%d-kernel-hardening-", r), workers, batches)
		})
	}
	wg.Wait()
	var all []item.Item
	for r := range replicas {
		if errs[r] != nil {
			t.Fatalf("replica %d: %v", r, errs[r])
		}
		all = append(all, saved[r]...)
	}
	for _, s := range stores {
		storetest.CheckLookalikes(t, s, all)
	}
}
