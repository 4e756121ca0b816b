# Two commands: `make run` (set up, then serve on http://127.0.0.1:5000 with the scheduler beside it) and
# `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
export FLASK_APP = wsgi.py

.PHONY: run test setup install demo bench translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgres]"
	touch $@

install: $(VENV)/.installed

setup: install
	$(BIN)/flask db upgrade
	$(BIN)/flask tracker load-units
	$(BIN)/flask tracker load-plan
	$(BIN)/flask tracker bootstrap-accounts

# The scheduler runs as a second process beside the web server; Ctrl-C (or the server exiting) stops both.
run: setup
	@$(BIN)/flask tracker scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# A separate database (instance/demo.db) replayed from a scripted history to UNTIL, then served with its clock there.
# DEMO_FLAGS=--no-serve builds it and stops (CI then verifies its audit chain).
UNTIL ?= 2024-06-30
DEMO_FLAGS ?=
demo: install
	$(BIN)/flask tracker demo --until $(UNTIL) $(DEMO_FLAGS)

test: install
	$(BIN)/pytest

# After changing a UI string: extract, merge into the zh catalog, translate the new entries, then compile.
# The compiled .mo is committed so a fresh clone (and gunicorn) serves Chinese without a build step;
# tests/web/test_i18n.py fails when it is older than the .po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -o tracker/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations -l zh --ignore-obsolete --width 120
	$(BIN)/pybabel compile -d tracker/translations

# The API benchmark (gunicorn on loopback, fresh SQLite files); figures in bench/README.md. Minutes, not seconds.
bench: install
	$(BIN)/python bench/api_bench.py --n 1000 5000 100000
