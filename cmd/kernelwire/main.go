// Command kernelwire polls Linux-kernel and Rust-for-Linux news sources, tags
// and deduplicates their items, and republishes curated RSS, Atom and JSON
// feeds.
//
// Usage:
//
//	kernelwire serve   [flags]   poll the sources and serve the feeds
//	kernelwire poll --once       poll every source once, report, exit
//	kernelwire check   [flags]   validate the config (feeds.yaml:LINE: message)
//	kernelwire opml import FILE  add an OPML file's feeds to the config's sources
//	kernelwire sources [flags]   show each source's poll state (also GET /api/sources)
//	kernelwire tag --explain FILE|URL|- [--index N]   show why an item gets its topics
//	kernelwire retag [--force]   re-tag stored items after a change of the topic rules
//	kernelwire version           print the version
//
// Every flag can also be set through the environment as KERNELWIRE_<NAME>,
// upper-cased with dashes as underscores (--redis-prefix is
// KERNELWIRE_REDIS_PREFIX); a flag given on the command line wins.
//
// Storage: with no --redis, everything lives in an embedded bbolt file under
// --data (one process at a time). With --redis redis://host:6379/0 several
// processes share one Redis; run extra replicas with --no-poll to only serve.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `kernelwire: Linux kernel and Rust-for-Linux news, curated.

Usage:
  kernelwire serve   [flags]   poll the sources and serve the curated feeds
  kernelwire poll --once       poll every source once, print a report, exit
  kernelwire check   [flags]   validate the config file
  kernelwire opml import FILE  add an OPML file's feeds to the config's sources
  kernelwire sources [flags]   show each source's poll state (a table)
  kernelwire tag --explain FILE|URL|- [--index N]
                               show why an item gets its topics (- reads JSON)
  kernelwire retag [--force]   re-tag stored items after a rules change
  kernelwire version           print the version

Run 'kernelwire <command> --help' for a command's flags. Every flag is also
read from KERNELWIRE_<NAME> (e.g. KERNELWIRE_REDIS=redis://127.0.0.1:6379/0).
`

// run is main without the process: it returns the exit code, so tests can
// drive every subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "poll":
		return cmdPoll(ctx, args[1:], stdout, stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "opml":
		return cmdOPML(args[1:], stdout, stderr)
	case "tag":
		return cmdTag(ctx, args[1:], os.Stdin, stdout, stderr)
	case "retag":
		return cmdRetag(ctx, args[1:], stdout, stderr)
	case "sources":
		return cmdSources(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return cmdVersion(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "kernelwire: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: kernelwire version\n\nPrints kernelwire's version (set at build time, else the module's, else \"dev\").")
	}
	if ok, code := parseFlags(fs, args, stderr); !ok {
		return code
	}
	fmt.Fprintln(stdout, "kernelwire", buildVersion())
	return 0
}
