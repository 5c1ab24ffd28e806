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

## Unit tests only (no Prefect server, no browser).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not ui" --ignore=tests/test_flow_e2e.py --ignore=tests/test_cli.py

clean:
	rm -rf warehouse/current warehouse/_* warehouse/.newsclean-warehouse .pytest_cache
