package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// A poll --once killed mid-poll leaves its leases in Redis until they
// expire. The next poll --once must not call that a clean run: it reports
// each such source as skipped with the lease's remaining time, says so on
// stderr and exits 3.
func TestPollAfterCrashReportsLeasedSources(t *testing.T) {
	up := fetchtest.NewServer(t)
	body, err := os.ReadFile(filepath.Join("testdata", fixtures[4].file))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	// Two hosts (one server): sources on one host would be polled one
	// after the other, and only the first would hold a lease at the kill.
	names := []string{"a", "b"}
	hosts := map[string]string{"a": "127.0.0.1", "b": "localhost"}
	for _, n := range names {
		feed := up.Feed("/"+n+"-ok", body, "application/atom+xml")
		up.Handle("/"+n, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select { // the first run hangs here until it is killed
			case <-release:
			case <-r.Context().Done():
				return
			}
			feed.ServeHTTP(w, r)
		}))
	}
	var b strings.Builder
	b.WriteString(shippedWithoutSources(t) + "\nsources:\n")
	for _, n := range names {
		u := strings.Replace(up.URL("/"+n), "127.0.0.1", hosts[n], 1)
		b.WriteString("  - {name: " + n + ", url: \"" + u + "\"}\n")
	}
	cfg := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"--config", cfg, "--log-level", "error"}, storeFlags(t, "redis")...)

	crashed := startBinary(t, append([]string{"poll", "--once"}, flags...)...)
	waitFor(t, "the first run to fetch every source", func() bool {
		return up.Count("/a")+up.Count("/b") == len(names)
	})
	if err := crashed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-crashed.exited
	crashed.exited <- nil // for startBinary's cleanup
	once.Do(func() { close(release) })

	code, out, errOut := runProcess(t, append([]string{"poll", "--once"}, flags...)...)
	if code != 3 {
		t.Errorf("exit %d, want 3\n%s%s", code, out, errOut)
	}
	for _, n := range names {
		if line := lineFor(t, out, n); !strings.Contains(line, "skipped") || !strings.Contains(line, "its lease expires in ") {
			t.Errorf("%s: %q, want skipped with the lease's remaining time", n, line)
		}
	}
	if !strings.Contains(out, "2 sources, 0 failed, 2 skipped") {
		t.Errorf("summary: %s", out)
	}
	if !strings.Contains(errOut, "2 of 2 sources not polled: another poller holds their leases (the last expires in ") {
		t.Errorf("stderr: %q", errOut)
	}
}
