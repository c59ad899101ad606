# rbm: `make run` starts the whole system on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test test-fast e2e-deployed bench bench-national lint format system-deps clean translations axe

# Two malloc arenas: one process serves every service from 16 threads, and an arena per thread
# would keep what a burst of requests (the demo department's) freed.
run: $(STAMP)
	MALLOC_ARENA_MAX=$${MALLOC_ARENA_MAX:-2} RBM_DEMO=$${RBM_DEMO:-1} $(PY) -m deploy.embedded

# Two test processes (RBM_TEST_PROCESSES), a module's tests in one: each process starts its own
# system on databases, vhosts and buckets of its own, and waits on its services while the other runs.
test: $(STAMP) system-deps axe
	$(PY) -m pytest -n $${RBM_TEST_PROCESSES:-2} --dist loadfile $(PYTEST_ARGS)

# The tests that need no backend (rules, counting, checks, texts, SQLite use cases): after every edit,
# in two processes like `make test` (each collects the suite: about 8 s of its time).
test-fast: $(STAMP)
	$(PY) -m pytest -m fast -q -p no:cacheprovider -n $${RBM_TEST_PROCESSES:-2} $(PYTEST_ARGS)

# The compose topology as local processes (deploy/topology.py): the journey and the faults.
e2e-deployed: $(STAMP) system-deps
	$(PY) -m pytest tests/deployed $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

# The national data set (bench/README.md), then the API calls and pages timed on it;
# QUICK=1: 2,000 units instead of 20,000, the same code path.
bench-national: $(STAMP)
	$(PY) -m bench.national --units $(if $(QUICK),2000,20000) --measure

# ruff everywhere; mypy on common/ and every rules.py and service.py (files in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages the tests use: Chromium for browser tests, LibreOffice to open generated forms,
# nginx as the gateway of the deployed topology.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui fonts-thai-tlwg"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v spamassassin >/dev/null || missing="$$missing spamassassin"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# axe-core (accessibility rules) for the browser tests, from npm, pinned, in a gitignored folder.
AXE_VERSION := 4.11.0
AXE := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --prefix .cache/axe --no-save --no-audit --no-fund axe-core@$(AXE_VERSION)

clean:
	rm -rf $(VENV) var .pytest_cache .cache test-artifacts

# After changing UI text: refresh the catalogue, translate new entries in the .po, then compile.
translations: $(STAMP)
	cd services/portal && ../../$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o messages.pot . \
	  && ../../$(VENV)/bin/pybabel update -i messages.pot -d translations -l th \
	  && ../../$(VENV)/bin/pybabel compile -d translations && rm messages.pot
