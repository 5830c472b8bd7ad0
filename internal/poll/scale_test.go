package poll

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
	"github.com/kernelwire/kernelwire/internal/store/boltstore"
)

// BenchmarkPollCycle10k is the scale measurement: 10,000 sources on one
// loopback upstream serving the ten real fixtures, each source's links
// rewritten so its items are its own. It polls one cold cycle (every source
// a 200 of new items: the first start) and then one steady cycle in which a
// third of the sources answer 304, a third serve the same body again
// without validators (parsed, all duplicates) and a third changed (new
// items). The per-host gate is lifted (one host); the store is bbolt.
// The upstream runs in the same process, so the figures include its work.
//
// Run it alone, once:
//
//	go test -run '^$' -bench PollCycle10k -benchtime 1x ./internal/poll
//
// It reports cold_s and steady_s (wall time per cycle) and peak_rss_MB
// (VmHWM from /proc/self/status, the process's peak resident set).
func BenchmarkPollCycle10k(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("KERNELWIRE_SCALE_N")); err == nil && v > 0 {
		n = v // smaller runs for profiling
	}
	up := fetchtest.NewServer(b)
	fx := loadFixtures(b)
	var cycle atomic.Int64 // which cycle the upstream is serving
	up.Handle("/", http.NotFoundHandler())
	srcs := make([]item.Source, n)
	for i := range n {
		path := "/s/" + strconv.Itoa(i)
		up.Handle(path, scaleFeed(i, fx[i%len(fx)], &cycle))
		srcs[i] = item.Source{Name: fmt.Sprintf("s%05d", i), URL: up.URL(path)}
	}
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "kw.db"), store.Options{SeenTTL: 90 * 24 * time.Hour, MaxItems: 5000})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p := New(Config{
		Sources: srcs,
		// Workers mostly wait (on loopback I/O and store commits), so
		// more of them than cores keeps both cores busy.
		Workers: 2 * runtime.GOMAXPROCS(0),
		Fetcher: fetch.New(fetch.Config{NoHostLimits: true, AllowPrivateNetworks: true}),
		Tagger:  tagger(b),
		Store:   st,
	})
	for b.Loop() {
		var cold, steady time.Duration
		for c := range 2 {
			cycle.Store(int64(c))
			start := time.Now()
			res := p.PollAll(b.Context(), nil)
			took := time.Since(start)
			outcomes := map[string]int{}
			var items int
			for _, r := range res {
				outcomes[r.Outcome()]++
				items += r.New
				if r.Err != nil && outcomes["error"] <= 3 {
					b.Logf("%s: %v", r.Source, r.Err)
				}
			}
			b.Logf("cycle %d: %v, outcomes %v, %d new items", c, took.Round(time.Millisecond), outcomes, items)
			if c == 0 {
				cold = took
			} else {
				steady = took
			}
		}
		b.ReportMetric(cold.Seconds(), "cold_s")
		b.ReportMetric(steady.Seconds(), "steady_s")
		b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak_rss_MB")
	}
}

// scaleFeed serves source i: kind i%3 decides 304s (0), unchanged bodies
// without validators (1) or a new body every cycle (2).
func scaleFeed(i int, parts [][]byte, cycle *atomic.Int64) http.Handler {
	kind := i % 3
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var version int64
		if kind == 2 {
			version = cycle.Load()
		}
		if kind != 1 {
			etag := fmt.Sprintf(`"%d-%d"`, i, version)
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/xml")
		// Every https:// link gets this source's (and version's) own host,
		// so items are the source's own, as they are in real life.
		host := []byte(fmt.Sprintf("https://s%d-v%d.", i, version))
		var buf bytes.Buffer
		for j, part := range parts {
			if j > 0 {
				buf.Write(host)
			}
			buf.Write(part)
		}
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		_, _ = w.Write(buf.Bytes())
	})
}

// loadFixtures returns every testdata feed split at "https://".
func loadFixtures(b *testing.B) [][][]byte {
	names, err := filepath.Glob("testdata/*.[xr][md][lf]")
	if err != nil || len(names) == 0 {
		b.Fatalf("fixtures: %v (%d)", err, len(names))
	}
	var out [][][]byte
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, bytes.Split(data, []byte("https://")))
	}
	return out
}

// peakRSS reads VmHWM, the peak resident set size, in bytes.
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
