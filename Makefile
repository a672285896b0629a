# OpenNRM — the two commands: `make demo` and `make test`. Each sets up everything it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
# The runtime lock serves `make demo`; the development lock (runtime + tests, tools and the Spark extra) serves
# `make test`. Each install is stamped with the hash of what it installed.
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: demo test lint typecheck check setup setup-dev system-deps node-deps css bench lock sbom clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-[0-9a-f]*
	@touch $@

$(DEV_STAMP): requirements-dev.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-dev-*
	@touch $@

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

# axe-core for the accessibility checks in the browser tests, Bootstrap, Sass and rtlcss for `make css`
# (from the committed package-lock.json)
NPM_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | sha256sum | cut -c1-12)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: $(NPM_STAMP)

# The stylesheets (Bootstrap from package-lock.json + scss/opennrm.scss, flipped for right to left) are
# committed under src/opennrm/web/static/: only rebuilding them needs node (docs/design.md).
css: node-deps
	node scripts/build-css.mjs

system-deps:
	@scripts/install-system-deps.sh

demo: setup
	$(BIN)/opennrm demo

lint: setup-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup-dev
	$(BIN)/mypy

test: setup-dev system-deps node-deps lint typecheck
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25

bench: setup-dev
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve both locks (existing pins are kept unless pyproject.toml needs others; the package index is the
# one the installer is configured with), then the SBOM of the runtime lock.
lock: setup-dev
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-strip-extras -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --no-strip-extras \
	  -o requirements-dev.lock
	$(MAKE) sbom

# CycloneDX SBOM of every package pinned in requirements.lock (tests/unit/test_sbom.py keeps the two equal).
sbom: setup-dev
	$(BIN)/cyclonedx-py requirements requirements.lock --pyproject pyproject.toml --mc-type application \
	  --output-reproducible --of JSON -o sbom.cdx.json
	$(BIN)/python scripts/sbom_without_index.py sbom.cdx.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
