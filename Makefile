# Two entry points: `make run` starts Pixflow, `make test` runs the whole suite.
# Each creates the local virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench lock FORCE

# The Python that made .venv (its version and real path): a .venv made by another Python (an upgrade, a removed
# interpreter, a folder copied from elsewhere) is rebuilt rather than half-used.
WANT_PYTHON := $(shell $(PYTHON) -c 'import os, sys; print(sys.version.split()[0], os.path.realpath(sys.executable))' 2>/dev/null)
HAVE_PYTHON := $(shell $(PY) -c 'import os, sys; print(sys.version.split()[0], os.path.realpath(sys._base_executable))' 2>/dev/null)

# Both install the locked versions (requirements.lock), then Pixflow itself without resolving again.
$(VENV)/.run-deps: pyproject.toml requirements.lock $(if $(filter-out $(WANT_PYTHON),$(HAVE_PYTHON)),FORCE,)
	@test -n "$(WANT_PYTHON)" || { echo "make: $(PYTHON) does not run; set PYTHON=/path/to/python3.11+" >&2; exit 1; }
	@if [ -d $(VENV) ] && [ "$(HAVE_PYTHON)" != "$(WANT_PYTHON)" ]; then \
	  echo "==> $(VENV) was made by another Python ($(or $(HAVE_PYTHON),one that no longer runs)); rebuilding it with $(WANT_PYTHON)"; \
	  rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then echo "==> Creating $(VENV) with Python $(WANT_PYTHON)"; \
	  $(PYTHON) -m venv $(VENV) || { echo "make: could not create $(VENV) (on Debian/Ubuntu: apt install python3-venv)" >&2; exit 1; }; fi
	@echo "==> Updating pip in $(VENV)"
	@$(PY) -m pip install -q --upgrade "pip>=24"
	@echo "==> Installing the locked dependencies (requirements.lock; the first time takes a minute or two)"
	@$(PY) -m pip install -q -r requirements.lock
	@echo "==> Installing Pixflow itself (editable, from this folder)"
	@$(PY) -m pip install -q --no-deps -e .
	@touch $@
	@echo "==> Ready: $(VENV)/bin/pixflow"

$(VENV)/.test-deps: $(VENV)/.run-deps
	touch $@

# Resolve the ranges in pyproject.toml afresh into requirements.lock (in a throwaway environment).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -e ".[test,postgres]"
	(echo "# The exact versions CI and \`make\` install (pyproject.toml declares the compatible ranges)."; \
	 echo "# Regenerate after changing a dependency: make lock"; \
	 .lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .lock-venv

run: $(VENV)/.run-deps
	$(VENV)/bin/pixflow $(ARGS)

test: $(VENV)/.test-deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.run-deps
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)
