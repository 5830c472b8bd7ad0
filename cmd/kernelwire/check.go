package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/tag"
)

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	path := fs.String("config", "feeds.yaml", "config file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire check [--config FILE]\n\nValidates the config; prints every problem as FILE:LINE: message and exits 1.")
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if _, err := tag.Compile(cfg.Topics, cfg.People); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *path, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d sources, %d topics, %d people)\n", *path, len(cfg.Sources), len(cfg.Topics), len(cfg.People))
	return 0
}
