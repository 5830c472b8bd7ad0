package redistest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestStart starts a server of its own, as on a machine where nothing
// answers on 6379, and checks that it answers and that Stop ends it.
func TestStart(t *testing.T) {
	mu.Lock()
	saved, savedDir := started, tmpDir
	started, tmpDir = nil, ""
	u, err := start()
	mine, dir := started, tmpDir
	started, tmpDir = saved, savedDir
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(u); err != nil {
		t.Fatalf("started server at %s does not answer: %v", u, err)
	}
	if u == defaultURL {
		t.Fatalf("started server took the default URL %s", u)
	}
	_ = mine.proc.Kill()
	<-mine.exited
	_ = os.RemoveAll(dir)
	if err := ping(u); err == nil {
		t.Fatalf("server at %s still answers after it was killed", u)
	}
}

func TestStartWithoutRedisServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := start()
	if err == nil || !strings.Contains(err.Error(), InstallHint) {
		t.Fatalf("got %v, want an error naming the install command %q", err, InstallHint)
	}
}

func TestUnreachableEnv(t *testing.T) {
	mu.Lock()
	saved := found
	found = ""
	mu.Unlock()
	defer func() { mu.Lock(); found = saved; mu.Unlock() }()
	t.Setenv(Env, "redis://127.0.0.1:1/0")
	_, err := find()
	if err == nil || !strings.Contains(err.Error(), Env) {
		t.Fatalf("got %v, want an error naming %s", err, Env)
	}
}

// TestPrefix checks that a test's cleanup deletes its own keys and no
// other.
func TestPrefix(t *testing.T) {
	c := Client(t)
	ctx := context.Background()
	other := "kwtest:redistest-other:" + t.Name() + ":"
	if err := c.Set(ctx, other+"k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	defer c.Del(ctx, other+"k")
	var prefix string
	t.Run("inner", func(t *testing.T) {
		prefix = Prefix(t, "redistest")
		for _, k := range []string{"a", "b", "{kw}:c"} {
			if err := c.Set(ctx, prefix+k, "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if n := countKeys(t, c, prefix); n != 0 {
		t.Errorf("%d keys left under %s after cleanup", n, prefix)
	}
	if n := countKeys(t, c, other); n != 1 {
		t.Errorf("another prefix's key was deleted (%d left)", n)
	}
	if err := DeletePrefix(ctx, c, ""); err == nil {
		t.Error("DeletePrefix with an empty prefix did not refuse")
	}
}

func countKeys(t *testing.T, c *redis.Client, prefix string) int {
	keys, err := c.Keys(context.Background(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}
