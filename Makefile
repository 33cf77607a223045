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

.PHONY: run test test-lowest lint bench clean viz browser-deps sizes

$(PY):
	@py=$$($(find_python)) || exit 1; echo "creating $(VENV) with $$py"; $$py -m venv $(VENV)

# `make run` needs only the lean core (the demo); `make test` installs every extra.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true
	@$(PY) -c "import commgov.model" && touch $(STAMP)

$(TESTSTAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
	@$(PY) -c "import pytest, solara, dask.distributed, ema_workbench" && touch $(TESTSTAMP)

# The demo writes results/demo/ and replaces the previous demo there (--force).
run: $(STAMP)
	$(PY) run.py demo --force

# The browser tests need Debian's chromium, a CJK font and Solara's page files (fetched once
# with npm for offline use); tests/browser/setup.sh installs what is missing.
browser-deps: $(TESTSTAMP)
	@bash tests/browser/setup.sh $(PY)

# The suite in parallel (pytest-xdist, one process per core, up to 4; each test file stays on
# one process), then the timing-sensitive checks (marked `serial`: the browser tests) alone.
XDIST := -n auto --maxprocesses 4 --dist loadfile
QUICK := not slow and not classroom
test: $(TESTSTAMP) browser-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(XDIST) -m '$(QUICK) and not serial'
	$(PY) -m pytest -m '$(QUICK) and serial'

# The suite against the lowest versions pyproject.toml declares, pinned in
# constraints/lowest.txt (regenerate with `make lowest-constraints`). Its own venv; no ruff
# (an old ruff lints differently) and no browser tests (chromium is shared with `make test`).
LOWVENV := .venv-lowest
LOWPY := $(LOWVENV)/bin/python
$(LOWVENV)/.installed: pyproject.toml constraints/lowest.txt
	@py=$$($(find_python)) || exit 1; test -x $(LOWPY) || $$py -m venv $(LOWVENV)
	$(LOWPY) -m pip install --quiet --disable-pip-version-check -c constraints/lowest.txt -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
	$(LOWPY) -m pip check
	@$(LOWPY) -c "import pytest" && touch $@

# Deprecation warnings are errors in `make test` (nothing we write may use a deprecated API of
# the newest libraries). Here they are shown, not raised: old releases (e.g. nbformat
# 5.9) warn about their own use of newer transitive packages, which is not ours
# to fix and does not change a result.
LOWEST_WARNINGS := -W default::DeprecationWarning -W default::PendingDeprecationWarning -W default::FutureWarning
test-lowest: $(LOWVENV)/.installed
	$(LOWPY) -m pip freeze --exclude-editable | grep -iE '^(mesa|numpy|scipy|networkx|pandas|pyarrow|matplotlib|pydantic|tqdm|salib|solara|dask|ema.workbench)==' | tr '\n' ' '; echo
	$(LOWPY) -m pytest $(XDIST) --ignore=tests/test_browser.py -p no:cacheprovider $(LOWEST_WARNINGS)

# Resolve the lowest direct versions once (needs network; uv from PyPI in a throw-away venv).
lowest-constraints:
	@py=$$($(find_python)) || exit 1; $$py -m venv /tmp/commgov-uv && /tmp/commgov-uv/bin/pip install --quiet uv
	/tmp/commgov-uv/bin/uv pip compile pyproject.toml --extra test --resolution lowest-direct \
	  --python-version 3.12 --python-platform x86_64-manylinux_2_28 --only-binary :all: \
	  --no-header --no-annotate --quiet -o constraints/lowest.new
	@{ echo "# The lowest versions pyproject.toml declares (direct dependencies at their lower bounds,"; \
	   echo "# the rest resolved to match), for \`make test-lowest\`. Regenerate: \`make lowest-constraints\`."; \
	   cat constraints/lowest.new; } >constraints/lowest.txt && rm constraints/lowest.new

# The browser app on http://127.0.0.1:8765/ (make viz PORT=8000 HOST=0.0.0.0 to change).
HOST ?= 127.0.0.1
PORT ?= 8765
viz: $(STAMP)
	@$(PY) -m commgov.viz.assets >/dev/null 2>&1 || true
	$(PY) -m commgov.viz.serve --host $(HOST) --port $(PORT)

bench: $(STAMP)
	$(PY) run.py bench

clean:
	rm -rf $(VENV) $(LOWVENV) results .pytest_cache build
