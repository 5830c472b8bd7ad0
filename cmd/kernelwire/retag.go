package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kernelwire/kernelwire/internal/poll"
)

func cmdRetag(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("retag", flag.ContinueOnError)
	var c common
	c.register(fs)
	force := fs.Bool("force", false, "re-tag even if the rules have not changed since the items were tagged")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire retag [--force] [flags]\n\nRe-tags every stored item with the topic rules of the config, when they differ\nfrom the rules the items were tagged with (serve does this at start too).")
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	a, err := setup(ctx, c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire retag:", err)
		return 1
	}
	defer a.store.Close()
	fingerprint := a.tagger.Fingerprint()
	if *force {
		fingerprint = "" // Retag's "ignore what is stored"
	}
	start := time.Now()
	n, err := poll.Retag(ctx, a.store, a.tagger, a.cfg.Sources, fingerprint)
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire retag:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d items re-filed under the current rules (%s) in %s\n", n, a.tagger.Fingerprint(), time.Since(start).Round(time.Millisecond))
	return 0
}
