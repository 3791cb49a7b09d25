# sinergi — the two commands a user needs are `make run` and `make test`.
GO ?= go
SHELL := bash

# The tests check figures on two engines: the ClickHouse server that
# `sinergi setup` installs (Debian's 18.16) and chDB, current ClickHouse
# embedded in the test process. chDB's library comes from npm into the
# user's cache, shared by every clone (internal/clickhouse/chdbtest looks
# there too).
CHDB_LIB_VERSION := 26.7.3-stable.1
CHDB_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sinergi/chdb-$(CHDB_LIB_VERSION)
export CHDB_LIB_PATH ?= $(CHDB_DIR)/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so

.PHONY: run test setup setup-test setup-test-clients setup-browser build generate web bench bench-national bench-cluster

## run: install what is missing, start a managed ClickHouse, load the Kaltim data,
##      start the ETL scheduler and serve the console, GraphiQL and GraphQL on 127.0.0.1:8080
run: setup build
	bin/sinergi dev

## test: install what is missing, then run every test (integration tests start
##       their own ClickHouse servers and chDB). The full log is var/test.log;
##       the summary shows each suite's engines and every failure.
test: setup setup-test setup-browser
	$(GO) vet ./...
	@mkdir -p var
	@$(GO) test -count=1 -timeout 30m -v ./... > var/test.log 2>&1; status=$$?; \
	if [ $$status -eq 0 ]; then grep -E '^(engine: |ok |FAIL)' var/test.log; \
	else grep -vE '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS|time=.* level=INFO)' var/test.log; fi; \
	echo "full log: var/test.log"; exit $$status

## setup-test: install chDB for the tests when it is missing (npm; apt's npm
##             first when there is none and this user may install), and the
##             stock GraphQL clients of test/clients (npm ci, pinned by its lock)
setup-test: setup-test-clients
	@if [ ! -f "$(CHDB_LIB_PATH)" ]; then \
	  if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing npm (for chDB) with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) >/dev/null || true; \
	  fi; \
	  command -v npm >/dev/null || { echo "could not install chDB for the tests: npm is missing (install Node.js and npm)"; exit 1; }; \
	  echo "installing chDB $(CHDB_LIB_VERSION) (libchdb, ~570 MB) into $(CHDB_DIR)"; \
	  mkdir -p "$(CHDB_DIR)" && npm install --prefix "$(CHDB_DIR)" --no-audit --no-fund --loglevel=error \
	    "@chdb/lib-linux-x64-gnu@$(CHDB_LIB_VERSION)" || { echo "could not install chDB for the tests: npm install @chdb/lib-linux-x64-gnu@$(CHDB_LIB_VERSION) failed"; exit 1; }; \
	  test -f "$(CHDB_LIB_PATH)" || { echo "could not install chDB for the tests: no $(CHDB_LIB_PATH) after npm install"; exit 1; }; \
	fi

## setup-browser: install Debian's Chromium for the console's browser tests when
##                it is missing (apt, as root; nothing downloads a browser of its own)
setup-browser:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium and chromium-driver for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null \
	      || { echo "could not install chromium with apt-get"; exit 1; }; \
	  else \
	    echo "the browser tests need Chromium: sudo apt-get install chromium chromium-driver"; exit 1; \
	  fi; \
	fi

setup-test-clients:
	@if ! { command -v node && command -v npm; } >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Node.js and npm (for test/clients) with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/dev/null || true; \
	fi
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "the client tests need Node.js 20 or newer and npm (test/clients): install them, e.g. apt-get install nodejs npm"; exit 1; }
	@npm ci --prefix test/clients --no-audit --no-fund --prefer-offline --loglevel=error || { echo "could not install the client tests' packages: npm ci --prefix test/clients failed"; exit 1; }

## setup: install ClickHouse (Debian's clickhouse-server) when it is missing
setup:
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/doc/install (Go 1.26 or newer)"; exit 1; }
	$(GO) run ./cmd/sinergi setup

build:
	$(GO) build -o bin/sinergi ./cmd/sinergi

## web: rebuild the console (web/dist, committed and embedded in the binary)
##      from web/src with the pinned web/package-lock.json; needs Node.js and npm
web:
	cd web && npm ci --no-audit --no-fund && npm run build

## generate: regenerate the GraphQL code from schema.graphql
generate:
	$(GO) tool gqlgen generate

## bench: the benchmark suite on the small profile (minutes); bench-national: the full run;
##        bench-cluster: the small profile on a 2x2 ClickHouse cluster with ZooKeeper (loopback)
bench:
	bench/run.sh small 10

bench-cluster:
	bench/run.sh small 10 cluster

bench-national:
	bench/run.sh national 20
