package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// BenchmarkServeFeed is issue 12's serving figure: `kernelwire serve`
// answering GET /feeds/all.atom from its cache, against nginx (one
// worker) serving the same bytes from a file, both loaded by wrk in turn
// within every iteration. The store holds the ten fixture feeds. Two
// cases: identity, and gzip (Accept-Encoding: gzip; nginx's gzip_static
// then serves kernelwire's own compressed bytes from a .gz file).
//
// It reports kw_rps and nginx_rps (wrk's Requests/sec) and ratio
// (kw_rps/nginx_rps: the target is >= 0.5). It needs wrk and nginx
// (apt-get install wrk nginx-light):
//
//	make bench-serve
func BenchmarkServeFeed(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Fatalf("this benchmark loads servers with wrk: apt-get install wrk (%v)", err)
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		b.Fatalf("this benchmark compares with nginx: apt-get install nginx-light (%v)", err)
	}
	up := fetchtest.NewServer(b)
	cfg := testConfig(b, up)
	data := b.TempDir()
	poll := exec.Command(os.Args[0], "poll", "--once", "--config", cfg, "--data", data, "--log-level", "error")
	poll.Env = append(os.Environ(), envRunMain+"=1")
	if out, err := poll.CombinedOutput(); err != nil {
		b.Fatalf("poll --once: %v\n%s", err, out)
	}
	base, _ := serveBinary(b, "--no-poll", "--config", cfg, "--data", data, "--log-level", "error")
	const path = "/feeds/all.atom"
	root := b.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "feeds"), 0o755); err != nil {
		b.Fatal(err)
	}
	for _, gz := range []bool{false, true} {
		body := fetchBody(b, base+path, gz)
		name := filepath.Join(root, filepath.FromSlash(path))
		if gz {
			name += ".gz"
		}
		if err := os.WriteFile(name, body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ngx := startNginx(b, nginx, root)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"identity", nil},
		{"gzip", []string{"-H", "Accept-Encoding: gzip"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var kw, ref float64
			for b.Loop() {
				kw += wrkRate(b, wrk, base+path, tc.args)
				ref += wrkRate(b, wrk, ngx+path, tc.args)
			}
			n := float64(b.N)
			b.ReportMetric(kw/n, "kw_rps")
			b.ReportMetric(ref/n, "nginx_rps")
			b.ReportMetric(kw/ref, "ratio")
		})
	}
}

// fetchBody GETs url (gzip-encoded when gz) and returns the bytes as sent.
func fetchBody(b *testing.B, url string, gz bool) []byte {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || gz != (resp.Header.Get("Content-Encoding") == "gzip") {
		b.Fatalf("GET %s: %d %q (%v)", url, resp.StatusCode, resp.Header.Get("Content-Encoding"), err)
	}
	return body
}

// startNginx runs nginx with one worker process serving root, and
// returns its base URL; it is stopped when the benchmark ends.
func startNginx(b *testing.B, bin, root string) string {
	dir := b.TempDir()
	addr := freeAddr(b)
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
%[4]s
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path %[1]s;
	proxy_temp_path %[1]s;
	fastcgi_temp_path %[1]s;
	uwsgi_temp_path %[1]s;
	scgi_temp_path %[1]s;
	types { application/atom+xml atom; }
	server {
		listen %[2]s;
		root %[3]s;
		gzip_static on;
		gzip_vary on;
	}
}
`, dir, addr, root, userLine())
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	// A file, not a pipe: the worker inherits it, and a pipe would keep
	// Wait waiting for the worker.
	out, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		// SIGTERM: the master stops its worker, then itself.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	url := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/feeds/all.atom"); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
				b.Fatalf("nginx answered %d: %s", resp.StatusCode, log)
			}
			return url
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	b.Fatalf("nginx did not come up: %s", log)
	return ""
}

// userLine keeps nginx's worker as the user running the benchmark: as
// root, nginx would switch to nobody, who cannot read a test's temp dir.
func userLine() string {
	if os.Geteuid() == 0 {
		return "user root;"
	}
	return ""
}

var wrkRateRe = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// wrkRate loads url with wrk for a few seconds (one thread, 32
// connections) and returns its requests per second, failing on any
// error or non-2xx answer.
func wrkRate(b *testing.B, wrk, url string, extra []string) float64 {
	args := append([]string{"-t1", "-c32", "-d4s"}, extra...)
	out, err := exec.Command(wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	text := string(out)
	if strings.Contains(text, "Non-2xx") || strings.Contains(text, "Socket errors") {
		b.Fatalf("wrk %s: errors:\n%s", url, text)
	}
	m := wrkRateRe.FindStringSubmatch(text)
	if m == nil {
		b.Fatalf("wrk %s: no rate in:\n%s", url, text)
	}
	rate, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		b.Fatal(err)
	}
	return rate
}
