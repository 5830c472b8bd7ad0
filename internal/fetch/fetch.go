// Package fetch owns getting feed bytes from upstream politely and safely:
// conditional GET (ETag / Last-Modified), our own gzip decoding with a cap on
// the decompressed size, bounded redirects with the permanent URL reported
// back, connect/header/whole-request timeouts, a dial-time guard against
// private networks, and a per-host Gate (one request in flight, a minimum
// gap, holds after 429/503).
//
// It must not parse, log, retry or schedule: it returns bytes or a wrapped
// error (StatusError, ErrTooLarge, ...) and leaves policy to package poll.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Version goes into the default User-Agent.
const Version = "0.1"

// DefaultUserAgent identifies us and says where to complain, as feed hosts
// ask crawlers to.
const DefaultUserAgent = "kernelwire/" + Version + " (+https://github.com/kernelwire/kernelwire)"

// acceptFeeds prefers the feed types over generic XML, and generic XML over
// anything else, so servers doing content negotiation pick the feed.
const acceptFeeds = "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

// maxAutoHold bounds how long Get holds a host back on its own after a 429
// or 503: a Retry-After of days is the server's wish, recorded in
// StatusError for the scheduler, but must not park workers in Acquire.
const maxAutoHold = time.Hour

// Config configures a Client; zero fields take the defaults noted.
type Config struct {
	UserAgent      string        // default DefaultUserAgent
	Timeout        time.Duration // whole request including body (default 30s)
	ConnectTimeout time.Duration // dial and TLS handshake (default 10s)
	HeaderTimeout  time.Duration // waiting for response headers (default 15s)
	MaxBodyBytes   int64         // cap on the raw and the decompressed body (default 10 MiB)
	MaxRedirects   int           // default 5; negative follows none
	// AllowPrivateNetworks lifts the dial-time refusal of loopback,
	// private, link-local, unspecified, multicast and CGNAT addresses for
	// every request (Request.AllowPrivateNetworks lifts it for one). The
	// refusal is the default so that whoever writes a source URL cannot
	// make the service probe 127.0.0.1, the LAN or 169.254.169.254;
	// tests against httptest servers on 127.0.0.1 opt in explicitly.
	AllowPrivateNetworks bool
	// MinHostGap is the minimum time between two requests to one host.
	MinHostGap time.Duration
	// NoHostLimits lifts the per-host gate (one request in flight and
	// MinHostGap): for benchmarks whose thousands of sources share one
	// loopback host, never for real upstreams. Holds (HoldUntil) are
	// still recorded for a scheduler to read with NotBefore.
	NoHostLimits bool
	// SharedGate, when set, is taken for each request after the local
	// Gate, so the one-at-a-time rule and MinHostGap hold across every
	// process sharing it (replicas on one Redis). Not with NoHostLimits.
	SharedGate SharedGate
}

func (c Config) withDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = 15 * time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 10 << 20
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = 5
	}
	return c
}

// Client fetches feeds. It is safe for concurrent use; create one per
// process (it owns the connection pools and the per-host Gate).
type Client struct {
	cfg Config
	// guarded dials public addresses only; open dials anything, for
	// requests allowed private networks. Two pools, not one with a
	// per-request check, so a connection an allowed source opened to a
	// private address is never reused by a source that is not allowed.
	guarded, open *http.Transport
	gate          *Gate
}

// New returns a Client with its own transports and Gate.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	open := newTransport(cfg, nil)
	guarded := open
	if !cfg.AllowPrivateNetworks {
		guarded = newTransport(cfg, denyPrivateControl)
	}
	gate := NewGate(cfg.MinHostGap)
	gate.unlimited = cfg.NoHostLimits
	return &Client{cfg: cfg, guarded: guarded, open: open, gate: gate}
}

// newTransport is the HTTP transport of a Client; control, when set, vets
// every address dialled.
func newTransport(cfg Config, control func(network, address string, c syscall.RawConn) error) *http.Transport {
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second, Control: control}
	transport := &http.Transport{
		// No proxy: the private-network guard checks the address we dial,
		// which behind a proxy would be the proxy's, not the feed's.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true, // a custom DialContext turns HTTP/2 off otherwise
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// We send Accept-Encoding and decompress ourselves so the size
		// cap sees decompressed bytes (see readBody).
		DisableCompression: true,
		MaxIdleConns:       100,
		// Polling is one request per host at a time (the Gate), so a
		// couple of idle connections per host is all reuse needs.
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	if cfg.NoHostLimits {
		// Without the gate many requests share one host at once; idle
		// connections for all of them avoid a new TCP connection each.
		transport.MaxIdleConnsPerHost = transport.MaxIdleConns
	}
	return transport
}

// Gate returns the per-host gate Get waits on, so a scheduler can consult
// NotBefore or add holds of its own.
func (c *Client) Gate() *Gate { return c.gate }

// CloseIdleConnections closes idle keep-alive connections, e.g. at shutdown.
func (c *Client) CloseIdleConnections() {
	c.guarded.CloseIdleConnections()
	c.open.CloseIdleConnections()
}

// Request is one conditional GET. ETag and LastModified are the validators
// stored from the previous successful fetch, verbatim.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// AllowPrivateNetworks lets this request reach private addresses
	// (a source feeds.yaml marks allow_private_networks).
	AllowPrivateNetworks bool
}

// Response is a 2xx or 304 answer.
type Response struct {
	Status      int
	NotModified bool   // 304: nothing changed, Body is nil
	Body        []byte // decompressed; nil on 304
	ContentType string
	// ETag and LastModified are the validators to store; on a 304
	// without them, the request's values are kept.
	ETag         string
	LastModified string
	FinalURL     string // after redirects
	// PermanentURL is set only when there were redirects and every hop
	// was permanent (301/308): the URL to store from now on.
	PermanentURL string
	Header       http.Header
	Duration     time.Duration // from sending the request to having the body
}

// Get fetches req.URL: it waits for the host's turn at the Gate, then sends a
// conditional GET and reads the capped, decompressed body. The Gate wait is
// bounded by ctx only; Config.Timeout starts once the turn comes. The turn is
// taken for the URL's host only: redirect hops to other hosts are one-off and
// not gated.
//
// Errors name the URL. A non-2xx, non-304 status is a *StatusError; on 429 or
// 503 with Retry-After the host is also held back in the Gate (for at most an
// hour).
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("fetch %s: unsupported scheme %q", req.URL, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("fetch %s: no host", req.URL)
	}
	host := gateKey(u)
	release, err := c.gate.Acquire(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer release()
	var retryAfter time.Duration
	if c.cfg.SharedGate != nil && !c.cfg.NoHostLimits {
		token, err := c.acquireShared(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
		}
		// Deferred after release, so it runs first: the local slot
		// frees only once the shared one has.
		defer func() { c.releaseShared(ctx, host, token, retryAfter) }()
	}

	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.do(rctx, u, req)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			if se.RetryAfter > 0 {
				retryAfter = se.RetryAfter
				c.gate.HoldUntil(host, time.Now().Add(min(se.RetryAfter, maxAutoHold)))
			}
			return nil, se
		}
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	return resp, nil
}

// gateKey is the Gate key for u: the host name without port, so two ports
// (or two feeds) on one server share one turn.
func gateKey(u *url.URL) string {
	return strings.ToLower(u.Hostname())
}

// do performs the request and reads the body; errors are not yet URL-named.
func (c *Client) do(ctx context.Context, u *url.URL, req Request) (*Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	hreq.Header.Set("Accept", acceptFeeds)
	hreq.Header.Set("Accept-Encoding", "gzip")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	// A per-call http.Client (a few words; the transport is shared) lets
	// CheckRedirect record this request's hops without shared state.
	transport := c.guarded
	if req.AllowPrivateNetworks {
		transport = c.open
	}
	hops, allPermanent := 0, true
	hc := &http.Client{
		Transport: transport,
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			for _, prev := range via {
				if prev.URL.String() == next.URL.String() {
					return fmt.Errorf("redirect loop at %s: %w", next.URL, ErrTooManyRedirects)
				}
			}
			if len(via) > c.cfg.MaxRedirects {
				return fmt.Errorf("more than %d redirects, last to %s: %w", max(c.cfg.MaxRedirects, 0), next.URL, ErrTooManyRedirects)
			}
			hops++
			if code := next.Response.StatusCode; code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
				allPermanent = false
			}
			return nil
		},
	}

	start := time.Now()
	resp, err := hc.Do(hreq)
	if err != nil {
		// url.Error repeats method and URL ("Get \"...\": "); we name the
		// URL ourselves, so keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()

	out := &Response{
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FinalURL:     resp.Request.URL.String(),
		Header:       resp.Header,
	}
	if hops > 0 && allPermanent {
		out.PermanentURL = out.FinalURL
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		// RFC 9110 section 15.4.5: a 304 has no body. Servers may omit
		// validators on it; the stored ones stay valid then.
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = req.ETag
		}
		if out.LastModified == "" {
			out.LastModified = req.LastModified
		}
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		body, err := readBody(resp, c.cfg.MaxBodyBytes)
		if err != nil {
			return nil, err
		}
		out.Body = body
	default:
		se := &StatusError{URL: req.URL, Code: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter, _ = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		// Drain a little so a short error page does not cost the
		// connection; a long one is not worth waiting for.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return nil, se
	}
	out.Duration = time.Since(start)
	return out, nil
}
