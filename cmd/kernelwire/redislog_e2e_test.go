package main

import (
	"strings"
	"testing"
)

// TestRedisClientLogsThroughSlog runs the binary against a Redis that
// refuses connections: what go-redis reports by itself comes out as the
// process's other log lines do (level, msg, err), never as its own
// unformatted "redis: <date> <file:line>" lines.
func TestRedisClientLogsThroughSlog(t *testing.T) {
	addr := freeAddr(t) // nothing listens there once freeAddr returns
	code, _, stderr := runProcess(t, "poll", "--once", "--config", "../../feeds.yaml", "--redis", "redis://"+addr+"/0")
	if code == 0 {
		t.Fatalf("poll against no Redis exited 0:\n%s", stderr)
	}
	if !strings.Contains(stderr, `level=WARN msg="redis client" err=`) {
		t.Errorf("no go-redis line through slog in:\n%s", stderr)
	}
	for line := range strings.Lines(stderr) {
		if strings.HasPrefix(line, "redis: ") {
			t.Errorf("go-redis wrote past slog: %q", line)
		}
	}
}
