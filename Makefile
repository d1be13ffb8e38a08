# Two commands do everything on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-dates lint bench bench-load messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The demo on `hotline serve` (gunicorn) with the worker beside it; Ctrl+C stops both.
# DEMO_ARGS="--port 8001" passes options to `hotline demo`.
demo: $(STAMP)
	$(BIN)/hotline demo $(DEMO_ARGS)

test: $(STAMP)
	@scripts/install-browser
	@scripts/install-office
	$(BIN)/python -m pytest -n auto

# The date-sensitive tests on a Monday, after a holiday, on New Year's Eve and on a working Saturday.
test-dates: $(STAMP)
	scripts/test-dates

bench: $(STAMP)
	$(BIN)/python -m bench

# A busy hour on `hotline serve` + PostgreSQL with locust (127.0.0.1, bounded), then one web
# process killed under load: `make bench-load LOAD_ARGS="--users 100 --seconds 120 --kill-worker"`.
bench-load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,load]'
	$(BIN)/python -m bench.loadtest $(LOAD_ARGS)

messages: $(STAMP)
	cd hotline && ../$(BIN)/hotline makemessages -l zh_Hans --no-obsolete && ../$(BIN)/hotline compilemessages -l zh_Hans

clean:
	rm -rf var

lint: $(STAMP)
	$(BIN)/ruff check hotline bench conftest.py
	$(BIN)/ruff format --check hotline bench conftest.py
	$(BIN)/lint-imports
	$(BIN)/hotline makemigrations --check --dry-run
	$(BIN)/mypy
