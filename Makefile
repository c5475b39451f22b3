# Two entry points: `make run` starts Pixflow, `make test` runs the whole suite.
# Each creates the local virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench lock

# Both install the locked versions (requirements.lock), then Pixflow itself without resolving again.
$(VENV)/.run-deps: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	touch $@

# Resolve the ranges in pyproject.toml afresh into requirements.lock (in a throwaway environment).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -e ".[test]"
	(echo "# The exact versions CI and \`make\` install (pyproject.toml declares the compatible ranges)."; \
	 echo "# Regenerate after changing a dependency: make lock"; \
	 .lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .lock-venv

run: $(VENV)/.run-deps
	$(VENV)/bin/pixflow $(ARGS)

test: $(VENV)/.test-deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.run-deps
	$(PY) benchmarks/run_all.py
