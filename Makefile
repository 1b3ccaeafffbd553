# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/backlog.duckdb
PORT ?= 8501

.PHONY: run test test-fast install install-test bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Load the demo history into the store if it is empty, then start the dashboard.
run: install
	$(BIN)/backlog-health demo --db $(DB) --if-empty
	$(BIN)/backlog-health dashboard --db $(DB) --port $(PORT)

## Run the whole test suite (CI).
test: install-test
	$(BIN)/python -m pytest

## The edit-test loop (under 2 minutes): no browser, property, fault-injection or slow tests.
FAST := not (browser or property or fault or slow)
PYTEST_ARGS ?=
test-fast: install-test
	$(BIN)/python -m pytest -m "$(FAST)" $(PYTEST_ARGS)

## Benchmarks (figures quoted in the README): metric latency at scale, duplicate detection, and an
## organisation's history through the real ingest path (ORG_ARGS, e.g. "--backlogs 40", sizes it).
ORG_ARGS ?=
bench: install-test
	$(BIN)/python -m bench.metrics_bench
	$(BIN)/python -m bench.duplicates_eval
	$(BIN)/python -m bench.duplicates_scale
	$(BIN)/python -m bench.duplicates_bounded
	$(BIN)/python -m bench.startup_bench $(DB)
	$(BIN)/python -m bench.org_scale $(ORG_ARGS)
	$(BIN)/python -m bench.parquet_bench
	$(BIN)/python -m bench.backfill_bench

bench-quick: install-test
	$(BIN)/python -m bench.metrics_bench --quick
	$(BIN)/python -m bench.org_scale --quick

clean:
	rm -rf $(VENV) .pytest_cache
