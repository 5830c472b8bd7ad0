package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/store/redistest"
)

// envRunMain makes the test binary run kernelwire's main instead of the
// tests: startBinary runs the command as its own process, so a test sees
// what an operator sees (exit codes, signals, a store dying under it).
const envRunMain = "KERNELWIRE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
		return
	}
	os.Exit(redistest.Main(m)) // stops the Redis redistest may start
}

// binary is a kernelwire process a test started.
type binary struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan error
}

// startBinary runs kernelwire with args as a process of its own; it is
// stopped with SIGTERM when the test ends.
func startBinary(t testing.TB, args ...string) *binary {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envRunMain+"=1")
	b := &binary{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = io.Discard, b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-b.exited
			t.Errorf("kernelwire %v did not stop within 15s of SIGTERM", args)
		}
	})
	return b
}

// serveBinary starts `kernelwire serve args` on a free port and returns its
// base URL once /healthz answers.
func serveBinary(t testing.TB, args ...string) (string, *binary) {
	t.Helper()
	addr := freeAddr(t)
	b := startBinary(t, append(append([]string{"serve"}, args...), "--addr", addr)...)
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-b.exited:
			t.Fatalf("serve exited (%v): %s", err, b.stderr)
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base, b
		}
	}
	t.Fatalf("serve did not come up: %s", b.stderr)
	return "", nil
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// privateRedis is a redis-server of one test's own, on a free port in a
// temporary folder, so the test may kill it (never the shared one).
type privateRedis struct {
	t      *testing.T
	bin    string
	dir    string
	addr   string
	cmd    *exec.Cmd
	exited chan error
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("this test starts and kills a Redis of its own; install redis-server (apt-get install redis-server): %v", err)
	}
	r := &privateRedis{t: t, bin: bin, dir: t.TempDir(), addr: freeAddr(t)}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *privateRedis) url() string { return "redis://" + r.addr + "/0" }

func (r *privateRedis) start() {
	r.t.Helper()
	host, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command(r.bin, "--bind", host, "--port", port, "--dir", r.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(r.cmd, r.exited)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", r.addr); err == nil {
			fmt.Fprint(c, "PING\r\n")
			buf := make([]byte, 7)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := io.ReadFull(c, buf)
			c.Close()
			if string(buf[:n]) == "+PONG\r\n" {
				return
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	r.t.Fatalf("redis-server on %s did not answer: %s", r.addr, log)
}

// kill stops the server the hard way, as a crash would.
func (r *privateRedis) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// syncBuffer is the process's output, readable while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond for up to 20 s; it bounds a wait, it asserts no timing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
