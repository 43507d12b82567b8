# Journey developer tasks. `make test` is what CI runs (through .ci/run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV       := .venv
BIN        := $(VENV)/bin
PIP        := $(BIN)/python -m pip --disable-pip-version-check
# Extra arguments for every pytest run, e.g. make test PYTEST_ARGS='-x -k portal'
PYTEST_ARGS ?=
# When JUNIT_DIR is set (.ci/run sets it), each pytest run writes a JUnit file
# there: junit-sqlite.xml and junit-postgres.xml. (Not under test-results/,
# which pytest-playwright empties at the start of every session.)
JUNIT_DIR ?=
junit = $(if $(JUNIT_DIR),--junitxml=$(JUNIT_DIR)/junit-$(1).xml)

# System packages the test suite needs: browser tests (Chromium), PDF checks
# (pdftoppm), WeasyPrint (Pango, fonts) and the PostgreSQL run.
APT_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql

PYTEST_SQLITE := env -u TEST_DATABASE_URL -u JOURNEY_REQUIRE_POSTGRES $(BIN)/pytest
PYTEST_PG     := scripts/with_postgres.sh $(BIN)/pytest

.PHONY: help install install-dev system-deps run lint test test-sqlite test-pg translations bench bench-quick

help:
	@echo "make install      venv + runtime packages, npm assets -> static/vendor, translations"
	@echo "make install-dev  install + test tools + system packages (Chromium, poppler, Pango, PostgreSQL)"
	@echo "make run          migrate + seed demo data, then serve on http://127.0.0.1:5000"
	@echo "make test         ruff, pytest on SQLite, pytest on a throwaway PostgreSQL (PYTEST_ARGS=...)"
	@echo "make lint | test-sqlite | test-pg"
	@echo "make bench        benchmark on 100 000 synthetic participants, SQLite and PostgreSQL (needs wrk)"
	@echo "make bench-quick  the same on 20 000 participants with short runs"

install:
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
	@if [ -n "$$(find journey/translations -name messages.po 2>/dev/null)" ]; then \
		echo "$(BIN)/pybabel compile -d journey/translations -f"; \
		$(BIN)/pybabel compile -d journey/translations -f; \
	else \
		echo "no translation catalogues yet (journey/translations/*/LC_MESSAGES/messages.po)"; \
	fi

install-dev: install system-deps
	$(PIP) install -q -r requirements-dev.txt

system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" \
			|| missing="$$missing $$p"; \
	done; \
	if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		missing="$${missing:- $(APT_PACKAGES)}"; \
	fi; \
	if [ -z "$$missing" ]; then \
		echo "system packages present: $(APT_PACKAGES)"; \
	elif [ "$$(id -u)" -eq 0 ]; then \
		echo "installing system packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq; \
		apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	else \
		echo "*** Missing system packages:$$missing"; \
		echo "*** Not root, so not installing them. Run as root:"; \
		echo "***   apt-get update && apt-get install -y $(APT_PACKAGES)"; \
		echo "*** Browser, PDF and PostgreSQL tests need them (and fail under CI=true)."; \
	fi

run: install
	JOURNEY_ENV=development $(BIN)/flask --app wsgi journey init-db
	JOURNEY_ENV=development $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

lint: install-dev
	$(BIN)/ruff check .

test-sqlite: install-dev
	$(PYTEST_SQLITE) $(PYTEST_ARGS)

test-pg: install-dev
	$(PYTEST_PG) $(PYTEST_ARGS)

# Lint and both database runs always all run; the target fails if any failed.
test: install-dev
	@lint=0; sqlite=0; pg=0; \
	echo "==> ruff check ."; \
	$(BIN)/ruff check . || lint=$$?; \
	echo "==> pytest (SQLite)"; \
	$(PYTEST_SQLITE) $(call junit,sqlite) $(PYTEST_ARGS) || sqlite=$$?; \
	echo "==> pytest (PostgreSQL)"; \
	$(PYTEST_PG) $(call junit,postgres) $(PYTEST_ARGS) || pg=$$?; \
	echo "==> exit codes: ruff=$$lint pytest-sqlite=$$sqlite pytest-postgres=$$pg"; \
	[ "$$lint" -eq 0 ] && [ "$$sqlite" -eq 0 ] && [ "$$pg" -eq 0 ]

# Extract translatable strings and merge them into the Swedish catalogue.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location \
		--sort-output --omit-header -o journey/translations/messages.pot .
	$(BIN)/pybabel update -i journey/translations/messages.pot -d journey/translations \
		--ignore-obsolete -N
	$(BIN)/pybabel compile -d journey/translations -f

# Benchmarks (docs/performance.md). Not part of `make test`: they take long and
# their numbers depend on the machine. Exit 1 when a target is missed.
bench: install
	@command -v wrk >/dev/null || apt-get install -y -q wrk
	status=0; $(BIN)/python bench/run.py --db sqlite --participants 100000 || status=1; \
	$(BIN)/python bench/run.py --db postgres --participants 100000 || status=1; exit $$status

bench-quick: install
	@command -v wrk >/dev/null || apt-get install -y -q wrk
	status=0; $(BIN)/python bench/run.py --db sqlite --participants 20000 --duration 5 || status=1; \
	$(BIN)/python bench/run.py --db postgres --participants 20000 --duration 5 || status=1; exit $$status
