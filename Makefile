# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-dates lint format check bench load load-smoke messages clean worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $(STAMP)

## make run: install, migrate, seed the demo school (once), print the logins, serve it.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_school --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: lint, migrations check, then the whole suite (PostgreSQL when DATABASE_URL is set).
test: $(STAMP) lint
	DJANGO_SETTINGS_MODULE=ednevnik.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

## make test-dates: the whole suite under libfaketime at term, summer and New Year's midnight.
test-dates: $(STAMP)
	bin/test-dates

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: the benchmark scenarios of docs/benchmarks, written to bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench.run

## make load: the real stack on loopback under a rising load (docs/benchmarks.md); PostgreSQL
## from DATABASE_URL (its database <name>_load), pgbouncer and redis-server installed.
load: $(STAMP)
	$(BIN)/python -m bench.load

## make load-smoke: the short version CI runs (about a minute).
load-smoke: $(STAMP)
	$(BIN)/python -m bench.load --smoke

## make messages: refresh the Russian catalogues and compile them.
messages: $(STAMP)
	$(BIN)/python bin/messages.py

worker: $(STAMP)
	$(BIN)/celery -A ednevnik worker -B --queues celery,sms,email,pdf --loglevel INFO

clean:
	rm -rf $(VENV) db.sqlite3 .test-media .pytest_cache .ruff_cache staticfiles
