package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kernelwire/kernelwire/internal/poll"
	"github.com/kernelwire/kernelwire/internal/web"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP listen address")
	noPoll := fs.Bool("no-poll", false, "serve only; leave polling to other replicas")
	errorDetail := fs.Bool("api-error-detail", false, "show each source's last error text in /api/sources, not only its class (timeout, refused, dns ...); the text names the addresses and ports tried, so keep it off where the API is public")
	baseURL := fs.String("base-url", "", "public URL prefix of ids and self links, e.g. https://news.example.org (default: from each request's Host)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire serve [flags]\n\nPolls the sources of the config and serves the curated feeds.")
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if err := checkBaseURL(*baseURL); err != nil {
		fmt.Fprintln(stderr, "kernelwire serve:", err)
		return 2
	}
	a, err := setup(ctx, c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire serve:", err)
		return 1
	}
	defer a.store.Close()
	if !*noPoll {
		// Re-file stored items when feeds.yaml's topics changed, before
		// polling adds items under the new rules. Only the polling
		// replica writes; a failure leaves the old topics in place.
		start := time.Now()
		if n, err := poll.Retag(ctx, a.store, a.tagger, a.cfg.Sources, a.tagger.Fingerprint()); err != nil {
			a.log.Error("retag stored items", "err", err)
		} else {
			a.log.Info("retagged stored items", "items", n, "rules", a.tagger.Fingerprint(), "duration", time.Since(start).Round(time.Millisecond))
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire serve:", err)
		return 1
	}
	front := web.New(web.Config{
		ErrorDetail: *errorDetail,
		Store:       a.store,
		Topics:      a.tagger.Topics(),
		Sources:     a.cfg.Sources,
		BaseURL:     *baseURL,
		HubURL:      a.cfg.WebSub.Hub,
		NamedFeeds:  namedFeeds(a.cfg.Feeds),
		Version:     buildVersion(),
		Registry:    a.reg,
		Log:         a.log,
	})
	if !*noPoll {
		// The polling replica pings the WebSub hub (serve-only replicas
		// would each ping it again); Start is a no-op without a hub.
		if err := front.Start(ctx); err != nil {
			fmt.Fprintln(stderr, "kernelwire serve:", err)
			return 1
		}
		defer front.Stop()
	}
	srv := &http.Server{
		Handler:           front,
		ConnContext:       web.ConnContext, // with web.Listener below
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	a.log.Info("serving", "addr", ln.Addr().String(), "polling", !*noPoll, "sources", len(a.cfg.Sources))

	var wg sync.WaitGroup
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	if !*noPoll {
		p := a.poller(poll.NewMetrics(a.reg))
		wg.Go(func() {
			if err := p.Run(pollCtx); err != nil {
				a.log.Error("poller stopped", "err", err)
			}
		})
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(web.Listener(ln)) }()

	code := 0
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case err := <-serveErr:
		a.log.Error("http server failed", "err", err)
		code = 1
	}
	stopPolling()
	front.Stop()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownBudget)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Warn("http shutdown", "err", err)
	}
	wg.Wait()
	if err := a.store.Close(); err != nil {
		a.log.Warn("close store", "err", err)
	}
	return code
}
