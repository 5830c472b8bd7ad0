package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkHugeFeed is issue 10's figures, each a cold `kernelwire poll
// --once` (a process of its own, an empty embedded store) against
// upstreams on loopback:
//
// Neighbours/{one-host,separate-hosts}: ten ordinary feeds without, then
// with, a 50,000-mail (9.4 MB) lore archive listed first, in the same
// iteration. It reports when the ordinary sources were polled (each
// one's line, from the process's start: normal_first_s and normal_last_s
// without the archive, huge_normal_first_s and huge_normal_last_s with
// it), when the archive's own poll ended (huge_s), and the process's peak
// RSS (rss_MB with the archive, rss_none_MB without; the rusage figure
// /usr/bin/time -v prints as "Maximum resident set size").
//
// Linear/{cap=300,cap=all}: the archive alone at 10,000 and at 50,000
// mails in the same iteration, with the shipped max_items_per_poll and
// with the cap lifted so that every mail is ingested. cpu_ratio is the
// process's CPU time (user+system) at 50k over that at 10k: 5 is linear,
// 25 quadratic.
//
//	make bench-huge
func BenchmarkHugeFeed(b *testing.B) {
	for _, separate := range []bool{false, true} {
		name := "one-host"
		if separate {
			name = "separate-hosts"
		}
		b.Run("Neighbours/"+name, func(b *testing.B) {
			var none, with ran
			var noneAt, withAt []time.Duration
			var hugeAt time.Duration
			for b.Loop() {
				u := newUpstreams(b, 0, 10, separate, false, nil)
				none = benchPoll(b, u.cfg)
				noneAt = normalTimes(b, none, u.names)
				u = newUpstreams(b, 50000, 10, separate, false, nil)
				with = benchPoll(b, u.cfg)
				withAt = normalTimes(b, with, u.names)
				hugeAt = lineTime(b, with, "huge")
			}
			b.Logf("ordinary sources polled at %v without the archive; at %v with it (its poll ended at %v)",
				rounded(noneAt), rounded(withAt), hugeAt.Round(time.Millisecond))
			b.ReportMetric(noneAt[0].Seconds(), "normal_first_s")
			b.ReportMetric(slices.Max(noneAt).Seconds(), "normal_last_s")
			b.ReportMetric(withAt[0].Seconds(), "huge_normal_first_s")
			b.ReportMetric(slices.Max(withAt).Seconds(), "huge_normal_last_s")
			b.ReportMetric(hugeAt.Seconds(), "huge_s")
			b.ReportMetric(with.cpu.Seconds(), "huge_cpu_s")
			b.ReportMetric(float64(with.rss)/(1<<20), "rss_MB")
			b.ReportMetric(float64(none.rss)/(1<<20), "rss_none_MB")
		})
	}
	for _, lift := range []bool{false, true} {
		name, tune := "cap=300", func(s string) string { return s }
		if lift {
			name, tune = "cap=all", func(s string) string {
				return regexp.MustCompile(`(?m)^(\s*)max_items_per_poll:.*$`).ReplaceAllString(s, "${1}max_items_per_poll: 50000")
			}
		}
		b.Run("Linear/"+name, func(b *testing.B) {
			var small, large ran
			for b.Loop() {
				small = benchPoll(b, newUpstreams(b, 10000, 0, false, false, tune).cfg)
				large = benchPoll(b, newUpstreams(b, 50000, 0, false, false, tune).cfg)
			}
			b.ReportMetric(small.cpu.Seconds(), "cpu_10k_s")
			b.ReportMetric(large.cpu.Seconds(), "cpu_50k_s")
			b.ReportMetric(large.cpu.Seconds()/small.cpu.Seconds(), "cpu_ratio")
			b.ReportMetric(small.wall.Seconds(), "wall_10k_s")
			b.ReportMetric(large.wall.Seconds(), "wall_50k_s")
			b.ReportMetric(float64(large.rss)/(1<<20), "rss_50k_MB")
		})
	}
}

// benchPoll runs a cold poll --once of cfg on a fresh embedded store; it
// fails unless every source was polled.
func benchPoll(b *testing.B, cfg string) ran {
	b.Helper()
	r := runStream(b, nil, "poll", "--once", "--config", cfg, "--data", b.TempDir(), "--log-level", "error")
	if out := r.out(); r.code != 0 || !strings.Contains(out, " 0 failed") {
		b.Fatalf("poll --once: exit %d\n%s%s", r.code, out, r.stderr)
	}
	return r
}

// normalTimes is when each named source's line came, sorted.
func normalTimes(b *testing.B, r ran, names []string) []time.Duration {
	b.Helper()
	var at []time.Duration
	for _, n := range names {
		at = append(at, lineTime(b, r, n))
	}
	slices.Sort(at)
	return at
}

func lineTime(b *testing.B, r ran, source string) time.Duration {
	b.Helper()
	for _, l := range r.lines {
		if sourceOf(l.text) == source {
			if !strings.Contains(l.text, " ok ") {
				b.Fatalf("%s: %s", source, l.text)
			}
			return l.at
		}
	}
	b.Fatalf("no line for %s in:\n%s", source, r.out())
	return 0
}

func rounded(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("[%s]", strings.Join(parts, " "))
}
