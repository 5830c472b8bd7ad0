package main

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/poll"
)

// screen plays the part of a terminal: "\r\033[K" erases the current line.
func screen(raw string) []string {
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		if i := strings.LastIndex(l, "\r\033[K"); i >= 0 {
			l = l[i+len("\r\033[K"):]
		}
		lines = append(lines, l)
	}
	return lines
}

// TestProgressBarAndLogLines: on a terminal, log lines written while the
// progress bar shows land on lines of their own, above the bar.
func TestProgressBarAndLogLines(t *testing.T) {
	var term bytes.Buffer // stdout and stderr on one terminal
	rep := &reporter{out: &term, tty: true, total: 3}
	log := slog.New(slog.NewTextHandler(rep.logWriter(&term), nil))
	rep.result(poll.Result{Source: "lwn", Status: 200, New: 3})
	log.Warn("fetch failed", "source", "phoronix")
	rep.result(poll.Result{Source: "phoronix", Status: 503})
	log.Info("retry later", "source", "phoronix")
	rep.result(poll.Result{Source: "kernel-org", Status: 304, NotModified: true})
	rep.done()
	if !strings.Contains(term.String(), "] 2/3") {
		t.Fatalf("no progress bar was drawn:\n%q", term.String())
	}
	bar := regexp.MustCompile(`\[[# ]{30}\] \d/\d`)
	var logs int
	for _, l := range screen(term.String()) {
		if bar.MatchString(l) {
			t.Errorf("the bar is left on the screen: %q", l)
		}
		if strings.Contains(l, "msg=") {
			logs++
			if !strings.HasPrefix(l, "time=") {
				t.Errorf("a log line does not start its own line: %q", l)
			}
		}
	}
	if logs != 2 {
		t.Errorf("%d log lines on the screen, want 2:\n%s", logs, strings.Join(screen(term.String()), "\n"))
	}
}
