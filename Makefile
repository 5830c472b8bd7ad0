# The README's two commands: `make run` and `make test`.
GO ?= go

.PHONY: run test lint bench build

run:
	$(GO) run ./cmd/kernelwire serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/kernelwire ./cmd/kernelwire

# Redis-backed tests need a Redis at 127.0.0.1:6379 (or KERNELWIRE_TEST_REDIS)
# and fail without one; .ci/run starts one when absent.
test:
	$(GO) test -race -count=1 ./...

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt needed: $$fmt"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
