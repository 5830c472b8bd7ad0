package redisstore

import (
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/storetest"
)

func TestZZPhases(t *testing.T) {
	batches := storetest.FixtureBatches(t, "../../parse/testdata")
	var tr, tp, ta, tw, sr, sw time.Duration
	cands := 0
	for range 10 {
		s, admin := newStore(t, storetest.StoryOptions(nil))
		ctx := t.Context()
		admin.ConfigSet(ctx, "slowlog-log-slower-than", "0")
		defer admin.ConfigSet(ctx, "slowlog-log-slower-than", "10000")
		srv := func() time.Duration {
			var d time.Duration
			for _, e := range admin.SlowLogGet(ctx, 20).Val() {
				if len(e.Args) > 0 && strings.EqualFold(e.Args[0], "evalsha") {
					d += e.Duration
				}
			}
			admin.Do(ctx, "SLOWLOG", "RESET")
			return d
		}
		srv()
		for _, b := range batches {
			now := s.now()
			t0 := time.Now()
			snap, _, err := s.readSnapshot(ctx, b, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			cands += len(snap.items)
			sr += srv()
			t1 := time.Now()
			plan, err := store.PlanSave(snap, s.opts, b[0].Source, b, now)
			if err != nil {
				t.Fatal(err)
			}
			t2 := time.Now()
			args, err := s.planArgs(plan, snap, store.EncodeLookups(plan.Lookups, 0), now, &written{})
			if err != nil {
				t.Fatal(err)
			}
			t3 := time.Now()
			if err := storySaveScript.Run(ctx, s.rdb, []string{s.versionKey()}, args...).Err(); err != nil {
				t.Fatal(err)
			}
			tw += time.Since(t3)
			sw += srv()
			tr += t1.Sub(t0)
			tp += t2.Sub(t1)
			ta += t3.Sub(t2)
		}
	}
	t.Logf("server: read %v write %v", sr/10, sw/10)
	t.Logf("per ingest: read %v plan %v args %v write %v; snapshot items %d", tr/10, tp/10, ta/10, tw/10, cands/10)
}

func TestZZCands(t *testing.T) {
	batches := storetest.FixtureBatches(t, "../../parse/testdata")
	opts := storetest.StoryOptions(nil)
	calls, yes, prep := 0, 0, 0
	sp, pp := opts.SamePrepared, opts.Prepare
	opts.SamePrepared = func(a, b any) bool { calls++; r := sp(a, b); if r { yes++ }; return r }
	opts.Prepare = func(it item.Item) any { prep++; return pp(it) }
	s, _ := newStore(t, opts)
	for _, b := range batches {
		if _, err := s.SaveItems(t.Context(), b[0].Source, b); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("calls %d yes %d prepare %d", calls, yes, prep)
}

func TestZZPlanProfile(t *testing.T) {
	batches := storetest.FixtureBatches(t, "../../parse/testdata")
	s, _ := newStore(t, storetest.StoryOptions(nil))
	ctx := t.Context()
	type sb struct {
		snap *snapshot
		b    []item.Item
	}
	var snaps []sb
	for _, b := range batches {
		snap, _, err := s.readSnapshot(ctx, b, s.now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, sb{snap, b})
		if _, err := s.SaveItems(ctx, b[0].Source, b); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.Create("/tmp/plan.prof")
	pprof.StartCPUProfile(f)
	t0 := time.Now()
	for range 200 {
		for _, x := range snaps {
			p, err := store.PlanSave(x.snap, s.opts, x.b[0].Source, x.b, s.now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.planArgs(p, x.snap, store.EncodeLookups(p.Lookups, 0), s.now(), &written{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	pprof.StopCPUProfile()
	t.Logf("plan+args per ingest %v", time.Since(t0)/200)
}
