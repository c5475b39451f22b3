# Two entry points: `make run` starts Pixflow, `make test` runs the whole suite.
# Each creates the local virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench

$(VENV)/.run-deps: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -e ".[test]"
	touch $@

run: $(VENV)/.run-deps
	$(VENV)/bin/pixflow $(ARGS)

test: $(VENV)/.test-deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.run-deps
	$(PY) benchmarks/run_all.py
