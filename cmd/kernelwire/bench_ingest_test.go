package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
	"github.com/kernelwire/kernelwire/internal/poll/ingestbench"
	"github.com/kernelwire/kernelwire/internal/store/redistest"
)

// BenchmarkPollOnce is issue 12's ingest figure: a cold `kernelwire poll
// --once` (a process of its own, an empty store) over the ingestbench
// workload served on loopback, against gofeed parsing the same bytes in
// one goroutine, measured side by side in every iteration. Sub-benchmarks
// take the whole workload (561 feeds, 11,952 real items) or every other
// feed of it (280 feeds), on each backend.
//
// It reports kw_s and kw_cpu_s (the process's wall and CPU time),
// gofeed_s (the parse-only reference, wall), ratio (gofeed_s/kw_s: the
// target is >= 0.5), cpu_ratio (gofeed_s/kw_cpu_s) and rss_MB (the
// process's peak resident set). Compare the halves for linearity:
//
//	make bench-ingest
func BenchmarkPollOnce(b *testing.B) {
	all := ingestbench.Feeds(b)
	for _, backend := range []string{"bolt", "redis"} {
		for _, n := range []int{len(all) / 2, len(all)} {
			feeds := ingestbench.Spread(all, n)
			b.Run(fmt.Sprintf("%s/feeds=%d", backend, len(feeds)), func(b *testing.B) {
				up := fetchtest.NewServer(b)
				cfg := benchConfig(b, up, feeds)
				var kw, kwCPU, ref time.Duration
				var rss int64
				for b.Loop() {
					// The reference runs first, the process next, so
					// both see the same machine.
					start := time.Now()
					if _, err := ingestbench.ParseOnly(feeds); err != nil {
						b.Fatal(err)
					}
					ref += time.Since(start)
					wall, cpu, peak := pollOnce(b, cfg, backend, ingestbench.Count(feeds))
					kw += wall
					kwCPU += cpu
					rss = max(rss, peak)
				}
				n := float64(b.N)
				b.ReportMetric(kw.Seconds()/n, "kw_s")
				b.ReportMetric(kwCPU.Seconds()/n, "kw_cpu_s")
				b.ReportMetric(ref.Seconds()/n, "gofeed_s")
				b.ReportMetric(ref.Seconds()/kw.Seconds(), "ratio")
				b.ReportMetric(ref.Seconds()/kwCPU.Seconds(), "cpu_ratio")
				b.ReportMetric(float64(rss)/(1<<20), "rss_MB")
			})
		}
	}
}

// benchConfig writes a config with the shipped topics, people and
// defaults, and feeds served by up as its sources. The corpus is years
// old, so the age window is widened; the host gap is lifted because every
// feed shares one host.
func benchConfig(b *testing.B, up *fetchtest.Server, feeds []ingestbench.Feed) string {
	var sb strings.Builder
	sb.WriteString(shippedWithoutSources(b))
	sb.WriteString("\nsources:\n")
	for _, f := range feeds {
		up.Feed("/"+f.Name, f.Body, f.ContentType)
		fmt.Fprintf(&sb, "  - {name: %s, url: %q}\n", f.Name, up.URL("/"+f.Name))
	}
	path := filepath.Join(b.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// pollOnce runs `kernelwire poll --once` on a fresh store of backend and
// returns its wall time, CPU time (user and system) and peak RSS in
// bytes. It fails unless every item was taken.
func pollOnce(b *testing.B, cfg, backend string, items int) (wall, cpu time.Duration, rss int64) {
	var store []string
	if backend == "bolt" {
		store = []string{"--data", b.TempDir()}
	} else {
		store = []string{"--redis", redistest.URL(b), "--redis-prefix", redistest.Prefix(b, "bench")}
	}
	return pollStore(b, cfg, store, items)
}

// pollStore runs `kernelwire poll --once` on the store that storeArgs
// name, as pollOnce does. It fails unless every source was polled without
// failing and the items it took (new, updated or duplicate) are items.
func pollStore(b *testing.B, cfg string, storeArgs []string, items int) (wall, cpu time.Duration, rss int64) {
	args := append([]string{"poll", "--once", "--config", cfg, "--log-level", "error"}, storeArgs...)
	cmd := exec.CommandContext(b.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	wall = time.Since(start)
	if err != nil {
		b.Fatalf("poll --once: %v\n%s%s", err, out.String(), errOut.String())
	}
	summary := out.String()
	if !strings.Contains(summary, " 0 failed") {
		b.Fatalf("poll --once: sources failed:\n%s%s", summary, errOut.String())
	}
	var new, updated, dup int
	if i := strings.LastIndex(summary, "failed: "); i >= 0 {
		fmt.Sscanf(summary[i:], "failed: %d new, %d updated, %d duplicate", &new, &updated, &dup)
	}
	if new+updated+dup != items {
		b.Fatalf("poll --once took %d+%d+%d items, want %d:\n%s", new, updated, dup, items, summary)
	}
	st := cmd.ProcessState
	cpu = st.UserTime() + st.SystemTime()
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return wall, cpu, rss
}

// BenchmarkPollOnceInProcess is BenchmarkPollOnce's cold poll on the whole
// workload, run in this process so that -cpuprofile sees it:
//
//	go test -run '^$' -bench PollOnceInProcess -benchtime 1x -cpuprofile cpu.out ./cmd/kernelwire
//	go tool pprof -top cpu.out
//
// It reports cpu_s, the process's CPU time (user and system) over the
// polls, the upstream server's included: on a loaded machine it tells two
// versions apart where wall time cannot.
func BenchmarkPollOnceInProcess(b *testing.B) {
	feeds := ingestbench.Feeds(b)
	up := fetchtest.NewServer(b)
	cfg := benchConfig(b, up, feeds)
	for _, backend := range []string{"bolt", "redis"} {
		b.Run(backend, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				before := processCPU(b)
				args := []string{"poll", "--once", "--config", cfg, "--log-level", "error"}
				if backend == "bolt" {
					args = append(args, "--data", b.TempDir())
				} else {
					args = append(args, "--redis", redistest.URL(b), "--redis-prefix", redistest.Prefix(b, "bench"))
				}
				var out, errOut bytes.Buffer
				if code := run(b.Context(), args, &out, &errOut); code != 0 || !strings.Contains(out.String(), " 0 failed") {
					b.Fatalf("poll --once: exit %d\n%s%s", code, out.String(), errOut.String())
				}
				cpu += processCPU(b) - before
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu_s")
		})
	}
}

// processCPU is this process's CPU time so far (user and system).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
