package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/tag"
)

const checkUsage = `Usage: kernelwire check [--config FILE] [--addr ADDR] [--base-url URL]

Validates the config and prints every problem as FILE:LINE: message. Warns
(without failing) about settings that work but surprise: an interval below
the 5m minimum (it is raised), a retired key, a public --addr without
--base-url, a WebSub hub without --base-url. --addr and --base-url
are the ones serve will use (also read from KERNELWIRE_ADDR and
KERNELWIRE_BASE_URL).

Exit status: 0 when the config is valid (warnings included), 1 when it has
problems, 2 for bad flags.
`

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	path := fs.String("config", "feeds.yaml", "config file")
	addr := fs.String("addr", "127.0.0.1:8080", "the listen address serve will use")
	baseURL := fs.String("base-url", "", "the public URL prefix serve will use")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), checkUsage)
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if err := checkBaseURL(*baseURL); err != nil {
		fmt.Fprintln(stderr, "kernelwire check:", err)
		return 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if _, err := tag.Compile(cfg.TagSpec()); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *path, err)
		return 1
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "%s:%d: warning: %v\n", w.File, w.Line, w.Err)
	}
	for _, w := range deploymentWarnings(*addr, *baseURL, cfg.WebSub.Hub) {
		fmt.Fprintf(stderr, "%s: warning: %s\n", *path, w)
	}
	fmt.Fprintf(stdout, "%s: ok (%d sources, %d topics, %d people)\n", *path, len(cfg.Sources), len(cfg.Topics), len(cfg.People))
	return 0
}

// checkBaseURL accepts an empty --base-url (links from each request) or an
// absolute http(s) URL with a host and nothing after its path: it prefixes
// every id and self link, so a relative or odd one would be published in
// every feed.
func checkBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("bad --base-url %q: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("bad --base-url %q: want an absolute http:// or https:// URL, such as https://news.example.org", raw)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("bad --base-url %q: no host", raw)
	case u.User != nil:
		return fmt.Errorf("bad --base-url %q: no user or password belongs in a public URL", raw)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#"):
		return fmt.Errorf("bad --base-url %q: a query or fragment cannot prefix paths", raw)
	}
	return nil
}

// deploymentWarnings are what check says about a deployment that works but
// surprises its users.
func deploymentWarnings(addr, baseURL, hub string) []string {
	var out []string
	if baseURL == "" && !loopbackAddr(addr) {
		out = append(out, fmt.Sprintf("--base-url is not set and --addr %s is reachable from other machines: "+
			"feed ids and self links will be built from each request's Host header, so they change with the name "+
			"a reader (or a proxy) uses; set --base-url to the public URL, e.g. --base-url https://news.example.org", addr))
	}
	if hub != "" && baseURL == "" {
		out = append(out, fmt.Sprintf("websub.hub %s is set but --base-url is not: serve cannot ping the hub "+
			"(it fetches feeds by their public URL) and will refuse to start polling", hub))
	}
	return out
}

// loopbackAddr reports a listen address only this machine can reach.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
