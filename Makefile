# citekb: two commands matter, `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := examples/hf-daily-papers-pretraining.txt

.PHONY: setup system-deps run test lint typecheck unit integration bench soak scale-check schema clean lock lock-upgrade

# The virtualenv is refreshed when pyproject.toml or the lock changes. The lock
# is a constraints file: every package it names is installed at its pinned
# version; a dependency added to pyproject.toml but not yet locked still
# installs (run `make lock` to pin it).
$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

# requirements.lock: exact versions of every runtime, dev and bench package,
# compiled by uv from pyproject.toml. `make lock` after changing dependencies;
# `make lock-upgrade` moves every pin to the newest version the bounds allow.
LOCK_CMD = $(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -q -o requirements.lock
lock: setup
	$(LOCK_CMD)
lock-upgrade: setup
	$(LOCK_CMD) --upgrade

setup: $(BIN)/.installed

# Debian's Chromium drives the playground test; no browser is downloaded.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's chromium package" >&2; exit 1; fi; }

# `citekb load` exits 3 when the load is partial (entries S2 did not resolve,
# or S2 unreachable as on machines without internet: the entries are then
# written from the page itself); the demo goes on with what was loaded. Any
# other non-zero code is a failure and stops here.
run: setup
	$(BIN)/citekb db up
	@$(BIN)/citekb load $(SAMPLE) --no-analytics; code=$$?; \
	  if [ $$code -eq 3 ]; then echo "make run: partial load (see the summary above); continuing"; \
	  elif [ $$code -ne 0 ]; then exit $$code; fi
	$(BIN)/citekb analytics
	$(BIN)/citekb playground install
	@echo "make run: the playground is at http://$${API_HOST:-127.0.0.1}:$${API_PORT:-8000}/graphql, the explorer at /explore (Ctrl-C stops it)"
	$(BIN)/citekb serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The suite on every core (pytest-xdist, at most 4 workers, each with its own
# Neo4j; a file's tests stay on one worker so its fixtures are built once),
# then the tests marked `serial` alone: they assert wall-clock bounds that
# another worker's load must not decide. Both runs always run; either failing
# fails the target. Plain `pytest` still runs everything in one process.
PYTEST_WORKERS ?= $(shell n=$$(nproc); [ $$n -gt 4 ] && n=4; echo $$n)
test: setup system-deps lint typecheck
	@$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not serial"; parallel=$$?; \
	  $(BIN)/pytest -m serial; alone=$$?; \
	  echo "make test: parallel run exit $$parallel, serial run exit $$alone"; \
	  [ $$parallel -eq 0 ] && [ $$alone -eq 0 ]

# Benchmarks (bench/BENCHMARKS.md): all three at a small size by default;
# `make bench BENCH_PAPERS=100000` is the full run. wrk comes from Debian.
BENCH_PAPERS ?= 5000
BENCH_ARGS ?=
bench: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk missing: install Debian's wrk package" >&2; exit 1; fi; }
	@test -x $(BIN)/py-spy || $(BIN)/pip install -q -c requirements.lock -e '.[dev,bench]'
	$(BIN)/python -m bench.ingest --papers $(BENCH_PAPERS) $(BENCH_ARGS)
	$(BIN)/python -m bench.api --papers $(BENCH_PAPERS)
	$(BIN)/python -m bench.analytics --papers $(BENCH_PAPERS)

# Soak (bench/soak.py, results in bench/BENCHMARKS.md): 32 concurrent clients for
# 2 minutes on the bench.api mix against `citekb serve` on loopback; fails unless
# 0 errors and the API's memory stays flat. Not part of `make test`.
SOAK_ARGS ?=
soak: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk missing: install Debian's wrk package" >&2; exit 1; fi; }
	$(BIN)/python -m bench.soak --papers $(BENCH_PAPERS) --duration 120 --connections 32 $(SOAK_ARGS)

# Re-export schema.graphql after a change to the GraphQL schema (a test fails on drift).
schema: setup
	$(BIN)/citekb schema export

# Spark (local mode, GraphX) computes PageRank and communities on a 20,000-paper
# synthetic corpus from the projection files and stores them with citekb's
# writer; prints the top-20 overlap with igraph (exit 1 below 18). Needs Java 17;
# installs the optional `spark` extra (pyspark from PyPI). Not part of `make test`.
SCALE_PAPERS ?= 20000
scale-check: setup
	@$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/pip install -q -c requirements.lock -e '.[dev,spark]'
	$(BIN)/python -m bench.spark_check --papers $(SCALE_PAPERS)

unit: setup
	$(BIN)/pytest tests/unit graph_api loaders cypher

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
