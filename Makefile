# podkit: `make site` builds the kit, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Exact versions of every Python package the suite passed with (see `make upgrade`).
LOCK := constraints.txt
# Debian packages: deterministic font subsetting, fonts, PDF tools, the browser for tests.
SITE_DEBS := libharfbuzz-subset0 fonts-dejavu-core poppler-utils
TEST_DEBS := $(SITE_DEBS) chromium chromium-driver

.PHONY: site test bench serve lint upgrade clean distclean sysdeps-site sysdeps-test

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/activate
	$(BIN)/pip install -q -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/activate
	$(BIN)/pip install -q -c $(LOCK) -e ".[test]"
	touch $@ $(VENV)/.installed

sysdeps-site:
	@bash tools/install-debs.sh $(SITE_DEBS)

sysdeps-test:
	@bash tools/install-debs.sh $(TEST_DEBS)

# Browser-side test tools (axe-core, iframe-worker). npm comes with Debian's npm package unless
# a Node.js from elsewhere (e.g. NodeSource, which bundles npm) is already on PATH.
node_modules/.installed: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || bash tools/install-debs.sh nodejs npm
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
	touch $@

site: sysdeps-site $(VENV)/.installed
	$(BIN)/podkit build

test: sysdeps-test $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: sysdeps-site $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(BIN)/podkit lint --strict

serve: $(VENV)/.installed
	$(BIN)/podkit serve

# Refresh the lock: a new environment with the newest versions pyproject.toml allows, frozen into
# $(LOCK), then the whole suite on it. Review and commit the diff of $(LOCK) only if it passes.
upgrade: sysdeps-test
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --upgrade --upgrade-strategy eager -e ".[test]"
	{ sed -n '/^#/p' $(LOCK); $(BIN)/pip freeze --exclude-editable | grep -vi '^podkit'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	touch $(VENV)/.installed-test $(VENV)/.installed
	$(MAKE) test

clean:
	rm -rf site .site-* .podkit test-artefacts .pytest_cache

distclean: clean
	rm -rf $(VENV) node_modules
