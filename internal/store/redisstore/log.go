package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Logger adapts log to go-redis's logger (redis.SetLogger), so what the
// client reports by itself (a pool that cannot dial, a dropped connection)
// reaches the operator as the process's other lines do, at warning level
// with the text under "err", instead of as unformatted lines on stderr.
//
// go-redis has one logger per process and no per-client option, so it is
// set once, by whoever builds the process's logger (kernelwire's main
// wiring), before the first client; the store itself never logs.
type Logger struct{ log *slog.Logger }

// NewLogger returns a Logger writing to log.
func NewLogger(log *slog.Logger) Logger { return Logger{log: log} }

// Printf implements go-redis's logging interface.
func (l Logger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "err", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
