package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoArgumentsThroughTheBinary runs the process with no arguments: usage
// on stderr, exit 2.
func TestNoArgumentsThroughTheBinary(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("kernelwire with no arguments: %v, want exit status 2", err)
	}
	if !strings.Contains(stderr.String(), "Usage:") || !strings.Contains(stderr.String(), "kernelwire serve") {
		t.Errorf("stderr lacks the usage:\n%s", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

func TestUsageAndHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want []string // fragments of stdout+stderr
		not  []string
	}{
		{"check --help", []string{"check", "--help"}, nil, 0, []string{"Usage: kernelwire check", "Exit status: 0 when the config is valid", "1 when it has\nproblems"}, nil},
		{"version --help", []string{"version", "--help"}, nil, 0, []string{"Usage: kernelwire version"}, []string{"kernelwire dev"}},
		{"version", []string{"version"}, nil, 0, []string{"kernelwire " + buildVersion()}, nil},
		{"check a public addr without base url", []string{"check", "--config", "../../feeds.yaml", "--addr", "0.0.0.0:8080"}, nil, 0,
			[]string{"warning: --base-url is not set and --addr 0.0.0.0:8080 is reachable", "ok ("}, nil},
		{"check the env's public addr", []string{"check", "--config", "../../feeds.yaml"}, map[string]string{"KERNELWIRE_ADDR": ":8080"}, 0,
			[]string{"warning: --base-url is not set and --addr :8080"}, nil},
		{"check a public addr with base url", []string{"check", "--config", "../../feeds.yaml", "--addr", "0.0.0.0:8080", "--base-url", "https://news.example.org"}, nil, 0,
			[]string{"ok ("}, []string{"warning"}},
		{"check loopback", []string{"check", "--config", "../../feeds.yaml"}, nil, 0, []string{"ok ("}, []string{"warning"}},
		{"check a relative base url", []string{"check", "--config", "../../feeds.yaml", "--base-url", "news.example.org"}, nil, 2,
			[]string{`bad --base-url "news.example.org": want an absolute http:// or https:// URL`}, nil},
		{"serve a ftp base url", []string{"serve", "--base-url", "ftp://news.example.org/"}, nil, 2,
			[]string{`kernelwire serve: bad --base-url "ftp://news.example.org/"`}, nil},
		{"serve a base url with a query", []string{"serve", "--base-url", "https://news.example.org/?a=b"}, nil, 2,
			[]string{"query or fragment"}, nil},
		{"serve a base url from the env", []string{"serve"}, map[string]string{"KERNELWIRE_BASE_URL": "//news.example.org"}, 2,
			[]string{`bad --base-url "//news.example.org"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errOut := runCmd(t, t.Context(), tc.args...)
			all := out + errOut
			if code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all, w) {
					t.Errorf("output has %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestREADMECommandTable: every command the usage lists is one run
// dispatches (its --help exits 0) and has a row in the README's command
// table, and every row is a command of the usage.
func TestREADMECommandTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	inUsage := map[string]bool{}
	for line := range strings.SplitSeq(usage, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "kernelwire" {
			inUsage[f[1]] = true
		}
	}
	for _, want := range []string{"serve", "poll", "check", "opml", "sources", "tag", "retag", "version"} {
		if !inUsage[want] {
			t.Errorf("the usage does not list %s", want)
		}
	}
	inTable := map[string]bool{}
	for line := range strings.SplitSeq(string(readme), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `kernelwire "); ok {
			inTable[strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '`' })[0]] = true
		}
	}
	for cmd := range inUsage {
		if !inTable[cmd] {
			t.Errorf("README's command table has no row for kernelwire %s", cmd)
		}
		if code, out, errOut := runCmd(t, t.Context(), cmd, "--help"); code != 0 || !strings.Contains(out+errOut, "Usage: kernelwire "+cmd) {
			t.Errorf("kernelwire %s --help: exit %d\n%s%s", cmd, code, out, errOut)
		}
	}
	for cmd := range inTable {
		if !inUsage[cmd] {
			t.Errorf("README's command table lists kernelwire %s, which the usage does not", cmd)
		}
	}
}
