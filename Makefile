# The README's two commands: `make run` and `make test`.
GO ?= go

.PHONY: run test lint bench build

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
