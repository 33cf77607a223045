# Two commands on a fresh clone: `make run` (demo) and `make test` (whole suite).
# Both create .venv on first use with a Python 3.12+ interpreter and install the project.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

# First Python >= 3.12 among: $(PYTHON), python3 (pyenv honours .python-version), python3.13, python3.12.
define find_python
for c in $(PYTHON) python3 python3.14 python3.13 python3.12; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
    command -v $$c; exit 0; fi; done; \
echo "error: this project needs Python 3.12 or newer (Mesa 3.5 requires it); none found as python3, python3.13 or python3.12. Install one, or run 'make PYTHON=/path/to/python3.12'." >&2; exit 1
endef

.PHONY: run test lint bench clean viz browser-deps

$(PY):
	@py=$$($(find_python)) || exit 1; echo "creating $(VENV) with $$py"; $$py -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true
	@$(PY) -c "import commgov.model" && touch $(STAMP)

$(TESTSTAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
	@$(PY) -c "import pytest" && touch $(TESTSTAMP)

run: $(STAMP)
	$(PY) run.py

# The browser tests need Debian's chromium, a CJK font and Solara's page files (fetched once
# with npm for offline use); tests/browser/setup.sh installs what is missing.
browser-deps: $(TESTSTAMP)
	@bash tests/browser/setup.sh $(PY)

test: $(TESTSTAMP) browser-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# The browser app on http://127.0.0.1:8765/ (make viz PORT=8000 HOST=0.0.0.0 to change).
HOST ?= 127.0.0.1
PORT ?= 8765
viz: $(STAMP)
	@$(PY) -m commgov.viz.assets >/dev/null 2>&1 || true
	$(PY) -m commgov.viz.serve --host $(HOST) --port $(PORT)

bench: $(STAMP)
	$(PY) run.py bench

clean:
	rm -rf $(VENV) results .pytest_cache
