# The README's two commands: `make run` and `make test`.
GO ?= go

.PHONY: run test lint bench bench-ingest bench-serve bench-huge bench-miniflux build

run:
	$(GO) run ./cmd/kernelwire serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/kernelwire ./cmd/kernelwire

# Redis-backed tests use KERNELWIRE_TEST_REDIS, else 127.0.0.1:6379, else a
# redis-server they start themselves (internal/store/redistest); they fail,
# never skip, when redis-server is not installed.
test:
	$(GO) test -race -count=1 ./...

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt needed: $$fmt"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Issue 12's ingest figures: a cold `kernelwire poll --once` over 561 real
# feeds (and every other one of them) served on loopback, on each backend,
# against gofeed parsing the same bytes, side by side in every run. ratio is
# gofeed_s/kw_s. COUNT runs each; benchstat summarises them when installed.
COUNT ?= 5
BENCHSTAT ?= $(shell command -v benchstat || echo $(HOME)/go/bin/benchstat)
bench-ingest:
	$(GO) test -run '^$$' -bench 'PollOnce$$' -benchtime 1x -count $(COUNT) -timeout 2h ./cmd/kernelwire | tee bench-ingest.txt
	@if [ -x "$(BENCHSTAT)" ]; then $(BENCHSTAT) bench-ingest.txt; else echo "for a summary: go install golang.org/x/perf/cmd/benchstat@latest"; fi

# Issue 12's serving figure: kernelwire serving a cached /feeds/all.atom
# against nginx (one worker) serving the same bytes from a file, identity
# and gzip, both loaded by wrk in turn. ratio is kw_rps/nginx_rps. Needs
# wrk and nginx (apt-get install wrk nginx-light).
bench-serve:
	$(GO) test -run '^$$' -bench 'ServeFeed' -benchtime 1x -count $(COUNT) -timeout 1h ./cmd/kernelwire | tee bench-serve.txt
	@if [ -x "$(BENCHSTAT)" ]; then $(BENCHSTAT) bench-serve.txt; else echo "for a summary: go install golang.org/x/perf/cmd/benchstat@latest"; fi

# Issue 10's figures: ten ordinary feeds polled by `kernelwire poll --once`
# without and with a 50,000-mail (9.4 MB) lore archive, on one host and on
# hosts of their own (when each ordinary source was polled, peak RSS), and
# the archive alone at 10k and 50k mails, capped and uncapped (cpu_ratio:
# 5 is linear). TestHugeFeedEndToEnd asserts the behaviour, not the times.
HUGE_COUNT ?= 1
bench-huge:
	$(GO) test -run '^$$' -bench 'HugeFeed' -benchtime 1x -count $(HUGE_COUNT) -timeout 1h ./cmd/kernelwire | tee bench-huge.txt

# Issue 12's Miniflux comparison: the 561 feeds of bench-ingest served on
# loopback, polled cold and then with every upstream answering 304, by
# `kernelwire poll --once` (embedded store) and by Miniflux on a fresh
# PostgreSQL database of its own (dropped after), CPU counting Postgres'
# backends. Ratios are kw/miniflux (below 1: kernelwire took less). Skips
# unless MINIFLUX_BIN is set and psql reaches MINIFLUX_PG (default
# postgres://postgres@127.0.0.1:5432/postgres). Setup, once:
#   GOBIN=/tmp/mfbin go install miniflux.app/v2@v2.3.5
# then: MINIFLUX_BIN=/tmp/mfbin/miniflux.app make bench-miniflux
MINIFLUX_COUNT ?= 3
bench-miniflux:
	$(GO) test -run '^$$' -bench 'Miniflux$$' -benchtime 1x -count $(MINIFLUX_COUNT) -timeout 2h ./cmd/kernelwire | tee bench-miniflux.txt
	@if [ -x "$(BENCHSTAT)" ]; then $(BENCHSTAT) bench-miniflux.txt; else echo "for a summary: go install golang.org/x/perf/cmd/benchstat@latest"; fi
