// Package redistest gives tests a real Redis server, never a fake: the Lua
// scripts and the server's semantics are what the Redis-backed tests are for.
//
// URL finds one in this order:
//  1. KERNELWIRE_TEST_REDIS, when set (CI sets it); the test fails when it
//     does not answer;
//  2. a server answering on 127.0.0.1:6379 (a developer's machine);
//  3. a redis-server this package starts for the test binary, on a free
//     loopback port in a temporary folder, keeping nothing on disk. Main
//     stops it when the tests end.
//
// So `go test ./...` passes on a machine where nothing is running, provided
// redis-server is installed; when it is not, the test fails with the command
// that installs it. Redis-backed tests never skip, under -short neither.
//
// Every test works under a key prefix of its own (Prefix), deleted at
// cleanup with SCAN and DEL: the server may be shared, so nothing here ever
// flushes a database.
package redistest

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Env names the variable that points the tests at a Redis of the caller's.
const Env = "KERNELWIRE_TEST_REDIS"

// defaultURL is where a developer's Redis usually listens.
const defaultURL = "redis://127.0.0.1:6379/0"

// InstallHint is what to run when redis-server is missing.
const InstallHint = "sudo apt-get install redis-server   (Debian/Ubuntu; macOS: brew install redis)"

var (
	mu      sync.Mutex
	found   string  // the URL every later call returns
	started *server // the server this binary started, if any
	tmpDir  string
	inMain  bool // Main wraps the tests, so a started server is stopped
)

// Main runs the tests of a package that uses this one and stops the
// redis-server started for them, if any. A package's TestMain calls it:
//
//	func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
func Main(m *testing.M) int {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	Stop()
	return code
}

// Stop stops the server this test binary started, if any. Main calls it;
// a TestMain that does more than Main may call it itself.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if started != nil {
		_ = started.proc.Kill()
		<-started.exited
		started = nil
	}
	if tmpDir != "" {
		_ = os.RemoveAll(tmpDir)
		tmpDir = ""
	}
}

// URL returns the URL of a Redis server the test may use, finding or
// starting one on first use (see the package comment), or fails the test
// saying why.
func URL(t testing.TB) string {
	t.Helper()
	u, err := find()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return u
}

// Options returns URL's client options as the stores configure their own
// (DisableIdentity: Redis 7.0 answers the newer handshake with errors).
func Options(t testing.TB) *redis.Options {
	t.Helper()
	o, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: %s: %v", URL(t), err)
	}
	o.DisableIdentity = true
	return o
}

// Client returns a client on URL, closed at cleanup.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(Options(t))
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Prefix returns a key prefix of the test's own, "kwtest:<name>:<random>:",
// and deletes the keys under it when the test ends.
func Prefix(t testing.TB, name string) string {
	t.Helper()
	prefix := "kwtest:" + name + ":" + rand.Text() + ":"
	c := redis.NewClient(Options(t))
	t.Cleanup(func() {
		defer c.Close()
		if err := DeletePrefix(context.Background(), c, prefix); err != nil {
			t.Errorf("redistest: delete %s*: %v", prefix, err)
		}
	})
	return prefix
}

// DeletePrefix deletes the keys under prefix, and only those.
func DeletePrefix(ctx context.Context, c redis.UniversalClient, prefix string) error {
	if prefix == "" {
		return errors.New("empty prefix: refusing to delete every key")
	}
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	for len(batch) > 0 {
		n := min(len(batch), 500)
		if err := c.Del(ctx, batch[:n]...).Err(); err != nil {
			return fmt.Errorf("del: %w", err)
		}
		batch = batch[n:]
	}
	return nil
}

func find() (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if found != "" {
		return found, nil
	}
	if u := os.Getenv(Env); u != "" {
		if err := ping(u); err != nil {
			return "", fmt.Errorf("%s=%s does not answer: %w", Env, u, err)
		}
		found = u
		return found, nil
	}
	if ping(defaultURL) == nil {
		found = defaultURL
		_ = os.Setenv(Env, found) // for the processes tests start, as below
		return found, nil
	}
	if !inMain {
		return "", errors.New("no Redis answers on 127.0.0.1:6379, and this package cannot start one: " +
			"its TestMain must call redistest.Main (so the server is stopped), or set " + Env)
	}
	u, err := start()
	if err != nil {
		return "", err
	}
	found = u
	// Processes the tests start (helpers re-executing the test binary,
	// the kernelwire binary) find the same server.
	_ = os.Setenv(Env, u)
	return found, nil
}

func ping(u string) error {
	o, err := redis.ParseURL(u)
	if err != nil {
		return err
	}
	o.DisableIdentity = true
	o.DialerRetries, o.MaxRetries = 1, -1
	o.DialTimeout = time.Second
	c := redis.NewClient(o)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// start runs redis-server on a free loopback port; a port taken between
// choosing it and binding it is retried with another.
func start() (string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("no Redis answers on 127.0.0.1:6379 and redis-server is not installed; install it: %s", InstallHint)
	}
	dir, err := os.MkdirTemp("", "kernelwire-redistest-")
	if err != nil {
		return "", err
	}
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			lastErr = err
			continue
		}
		srv, err := launch(bin, dir, port)
		if err != nil {
			lastErr = err
			continue
		}
		started, tmpDir = srv, dir
		return fmt.Sprintf("redis://127.0.0.1:%d/0", port), nil
	}
	_ = os.RemoveAll(dir)
	return "", fmt.Errorf("start %s: %w", bin, lastErr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// server is a redis-server this package started; exited receives its end.
type server struct {
	proc   *os.Process
	exited chan error
}

// launch starts the server in the foreground (so it dies with Kill, and its
// log says why it did not start) and waits until it answers.
func launch(bin, dir string, port int) (*server, error) {
	logPath := filepath.Join(dir, fmt.Sprintf("redis-%d.log", port))
	cmd := exec.Command(bin,
		"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", logPath, "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	u := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("redis-server on port %d exited (%v): %s", port, err, lastLine(logPath))
		default:
		}
		if ping(u) == nil {
			return &server{proc: cmd.Process, exited: exited}, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	<-exited
	return nil, fmt.Errorf("redis-server on port %d did not answer within 10s: %s", port, lastLine(logPath))
}

func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log)"
	}
	defer f.Close()
	var last string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" {
			last = l
		}
	}
	return last
}
