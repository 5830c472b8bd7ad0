package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/web"
)

func TestPrintSources(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	reports := []web.SourceReport{
		{Name: "lkml", Polled: true, LastSuccess: now.Add(-3 * time.Minute), NextPoll: now.Add(12 * time.Minute), ItemsSeen: 42, Interval: "15m0s"},
		{Name: "lwn", Polled: true, ConsecutiveFailures: 2, LastError: "fetch https://lwn.net/: status 503\nService Unavailable", NextPoll: now.Add(30 * time.Minute)},
		{Name: "gone", Polled: true, Disabled: true, DisableReason: "gone (HTTP 410) at 2026-11-01T11:00:00Z"},
		{Name: "fresh"},
		{Name: "probe", Polled: true, ConsecutiveFailures: 1, LastErrorClass: "refused"},
	}
	var b bytes.Buffer
	printSources(&b, reports, now)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want a header and 5 rows:\n%s", len(lines), b.String())
	}
	tests := []struct {
		line int
		want []string
	}{
		{0, []string{"NAME", "STATUS", "LAST SUCCESS", "NEXT POLL", "FAILURES", "LAST ERROR"}},
		{1, []string{"lkml", "ok", "3m ago", "in 12m", "42", "15m0s"}},
		{2, []string{"lwn", "failing", "in 30m", "2", "status 503 Service Unavailable"}},
		{3, []string{"gone", "disabled", "gone (HTTP 410)"}},
		{4, []string{"fresh", "new", "default"}},
		{5, []string{"probe", "failing", "refused"}},
	}
	for _, tc := range tests {
		for _, w := range tc.want {
			if !strings.Contains(lines[tc.line], w) {
				t.Errorf("line %d %q lacks %q", tc.line, lines[tc.line], w)
			}
		}
	}
}
