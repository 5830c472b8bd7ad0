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
	"strconv"
	"strings"
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
// base URL once /healthz answers 200 from that process. A free port is only
// free when freeAddr closes it: another test's server (of this package or
// another run on the machine) may take it first, and its answers then
// looked like ours (a 404 for every feed). So the port must be one our
// process listens on, and a serve that lost the port is started again on
// another.
func serveBinary(t testing.TB, args ...string) (string, *binary) {
	t.Helper()
	for range 5 {
		addr := freeAddr(t)
		b := startBinary(t, append(append([]string{"serve"}, args...), "--addr", addr)...)
		base := "http://" + addr
		if up(t, b, base) {
			return base, b
		}
	}
	t.Fatal("serve lost its port to another process five times")
	return "", nil
}

// up waits for b to answer base's /healthz; false when b exited because
// another process took its port.
func up(t testing.TB, b *binary, base string) bool {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-b.exited:
			b.exited <- err // for startBinary's cleanup
			if strings.Contains(b.stderr.String(), "address already in use") {
				return false
			}
			t.Fatalf("serve exited (%v): %s", err, b.stderr)
		default:
		}
		if !listensOn(b.cmd.Process.Pid, strings.TrimPrefix(base, "http://")) {
			continue
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
	}
	t.Fatalf("serve did not come up: %s", b.stderr)
	return false
}

// listensOn reports whether process pid holds a listening TCP socket on
// addr (an IPv4 host:port), from Linux's /proc: one of the process's file
// descriptors is the socket /proc/net/tcp lists in state LISTEN (0A) on
// that address.
func listensOn(pid int, addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host).To4()
	p, err := strconv.Atoi(port)
	if ip == nil || err != nil {
		return false
	}
	// /proc/net/tcp writes the address as the 32-bit word in host order
	// (little-endian here), then the port.
	local := fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], p)
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return false
	}
	sockets := map[string]bool{}
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil {
			if inode, ok := strings.CutPrefix(l, "socket:["); ok {
				sockets[strings.TrimSuffix(inode, "]")] = true
			}
		}
	}
	table, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(table)) {
		f := strings.Fields(line)
		if len(f) > 9 && f[1] == local && f[3] == "0A" && sockets[f[9]] {
			return true
		}
	}
	return false
}

// waitReplicas waits for `poll --once` replicas to finish: each exits 0,
// or 3 when it skipped a source another replica held.
func waitReplicas(t *testing.T, replicas []*binary) {
	t.Helper()
	for i, r := range replicas {
		select {
		case err := <-r.exited:
			r.exited <- err // for startBinary's cleanup
			// 3: a source was skipped because another replica held it.
			if code := r.cmd.ProcessState.ExitCode(); code != 0 && code != 3 {
				t.Errorf("replica %d: exit %d: %s", i, code, r.stderr)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("replica %d did not finish", i)
		}
	}
}

// freeAddr is a loopback address with a port that was free a moment ago.
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
		// Only our redis-server's answer counts: another one may hold
		// the port freeAddr let go of.
		if !listensOn(r.cmd.Process.Pid, r.addr) {
			continue
		}
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

// TestListensOn: the port check tells the process holding a listener from
// one that does not, which is what keeps serveBinary from taking another
// process's server for ours.
func TestListensOn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	addr := ln.Addr().String()
	if !listensOn(os.Getpid(), addr) {
		t.Errorf("listensOn(this process, %s) = false, want true", addr)
	}
	if listensOn(other.Process.Pid, addr) {
		t.Errorf("listensOn(another process, %s) = true, want false", addr)
	}
	if listensOn(os.Getpid(), freeAddr(t)) {
		t.Error("listensOn(a closed port) = true, want false")
	}
}
