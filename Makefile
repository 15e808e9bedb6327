# Veerkracht: `make run` and `make test` do everything on a fresh machine (Python >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := webapp

.PHONY: run test test-e2e test-postgres lint bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# upgrade-safely: a database that holds data is backed up before its schema changes (see README).
run: $(VENV)/.installed
	$(BIN)/flask upgrade-safely
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest

test-e2e: $(VENV)/.installed-dev
	$(BIN)/pytest tests/e2e

test-postgres: $(VENV)/.installed-dev
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest -m "not e2e"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check webapp tests bench migrations deploy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_http.py

translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d webapp/translations

clean:
	rm -rf $(VENV) .pytest_cache
