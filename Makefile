# sinergi — the two commands a user needs are `make run` and `make test`.
GO ?= go

.PHONY: run test setup build generate bench bench-national

## run: install what is missing, start a managed ClickHouse, load the demo data,
##      start the ETL scheduler and serve GraphQL + playground on 127.0.0.1:8080
run: setup build
	bin/sinergi dev

## test: install what is missing, then run every test (integration tests start
##       their own ClickHouse servers)
test: setup
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

## setup: install ClickHouse (Debian's clickhouse-server) when it is missing
setup:
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/doc/install (Go 1.26 or newer)"; exit 1; }
	$(GO) run ./cmd/sinergi setup

build:
	$(GO) build -o bin/sinergi ./cmd/sinergi

## generate: regenerate the GraphQL code from schema.graphql
generate:
	$(GO) tool gqlgen generate

## bench: the benchmark suite on the small profile (minutes); bench-national: the full run
bench:
	bench/run.sh small 10

bench-national:
	bench/run.sh national 20
