# One command to run the main job, one to run the tests; both set up .venv from pinned versions.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint setup clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	$(PY) -c "from cleaners.dedup import warm_up; warm_up()"  # numba kernels compiled once, cached: no run compiles
	touch $(STAMP)

setup: $(STAMP)

## Ingest seeds/ into ./warehouse (embedded Prefect server: nothing to start by hand).
run: $(STAMP)
	$(VENV)/bin/newsclean run seeds --warehouse warehouse

## Set up and run the whole test suite (lint and format check first).
test: $(STAMP) lint
	bash .ci/system-deps.sh
	$(PY) -m pytest

## Static checks (configured in pyproject.toml): ruff lint and format check over the repo, mypy on cleaners/ (strict) and flows/.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy cleaners flows

## The fast tier: tests/cleaners, tests/flows and the house rules; no Prefect, no CLI process, no browser.
test-fast: $(STAMP)
	@echo "test-fast: skips tests/e2e (Prefect server or harness, the CLI as a process) and tests/ui (browser); make test runs all"
	$(PY) -m pytest -q -m "not e2e and not ui" tests/cleaners tests/flows tests/test_layout.py

clean:
	rm -rf warehouse/current warehouse/_* warehouse/.newsclean-warehouse .pytest_cache
