package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// common are the flags every command that touches the store shares.
type common struct {
	config      string
	redis       string
	redisPrefix string
	data        string
	logLevel    string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "feeds.yaml", "config file")
	fs.StringVar(&c.redis, "redis", "", "Redis URL (redis://host:6379/0); empty: embedded store under --data")
	fs.StringVar(&c.redisPrefix, "redis-prefix", "kw:", "prefix of every Redis key")
	fs.StringVar(&c.data, "data", "./data", "folder of the embedded store")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
}

// parseFlags parses args, then fills every flag not given on the command line
// from KERNELWIRE_<NAME>. It returns (false, code) when the command must end:
// --help (0) or a bad flag (2).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (bool, int) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, 0
		}
		return false, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false, 2
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad []string
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				bad = append(bad, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(bad) > 0 {
		fmt.Fprintf(stderr, "%s: bad environment: %s\n", fs.Name(), strings.Join(bad, "; "))
		return false, 2
	}
	return true, 0
}

func envName(flagName string) string {
	return "KERNELWIRE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func userAgent() string {
	return "kernelwire/" + buildVersion() + " (+https://github.com/kernelwire/kernelwire)"
}

// shutdownBudget bounds a graceful stop: SIGTERM to exit within 10 s.
const shutdownBudget = 8 * time.Second
