package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// A source's interval below the minimum is raised, and a service started
// without `check` says so in its log, with the file and line (check says
// it too: TestCheckRetiredDenyKey).
func TestIntervalBelowMinimumLogged(t *testing.T) {
	up := fetchtest.NewServer(t)
	body, err := os.ReadFile(filepath.Join("testdata", fixtures[0].file))
	if err != nil {
		t.Fatal(err)
	}
	up.Feed("/a", body, fixtures[0].contentType)
	shipped := shippedWithoutSources(t)
	text := shipped + "\nsources:\n  - {name: a, url: \"" + up.URL("/a") + "\", interval: 1m}\n"
	cfg := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(text[:strings.Index(text, "interval: 1m")], "\n") + 1
	code, out, errOut := runProcess(t, "poll", "--once", "--config", cfg, "--data", t.TempDir(), "--log-level", "warn")
	if code != 0 {
		t.Fatalf("poll --once: exit %d\n%s%s", code, out, errOut)
	}
	var warned string
	for l := range strings.SplitSeq(errOut, "\n") {
		if strings.Contains(l, `msg="config warning"`) {
			warned = l
		}
	}
	for _, want := range []string{"level=WARN", "file=" + cfg, "line=" + strconv.Itoa(line),
		`source \"a\" interval 1m is below the 5m minimum: it is polled every 5m`} {
		if !strings.Contains(warned, want) {
			t.Errorf("log line %q lacks %s\nstderr:\n%s", warned, want, errOut)
		}
	}
}
