# Two commands: `make run` (set up, then serve on http://127.0.0.1:5000 with the scheduler beside it) and
# `make test`. `make dev` serves with Flask's reloading development server instead of gunicorn.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
export FLASK_APP = wsgi.py

.PHONY: run dev test check setup install demo bench translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgres]"
	touch $@

install: $(VENV)/.installed

# Migrate, load and create the first accounts: again only when a migration, a seed file or the installed packages
# are newer than the database (each step is idempotent), so `make run` on a set-up clone starts serving at once.
setup: instance/tracker.db

instance/tracker.db: $(VENV)/.installed $(wildcard migrations/versions/*.py) $(wildcard seed_tasks/*.yaml)
	$(BIN)/flask db upgrade
	$(BIN)/flask tracker load-units
	$(BIN)/flask tracker load-plan
	$(BIN)/flask tracker bootstrap-accounts
	touch $@

# gunicorn (threaded workers, tracker/gunicorn_conf.py) on 127.0.0.1:5000, with the scheduler as a second process
# beside it; Ctrl-C (or the server exiting) stops both.
TRACKER_BIND ?= 127.0.0.1:5000
run: setup
	@$(BIN)/flask tracker scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	TRACKER_BIND=$(TRACKER_BIND) $(BIN)/gunicorn -c python:tracker.gunicorn_conf wsgi:app

# Development: Flask's server with the debugger and reloading on code changes, the scheduler beside it.
dev: setup
	@$(BIN)/flask tracker scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --debug --reload --host 127.0.0.1 --port 5000

# A separate database (instance/demo.db) replayed from a scripted history to UNTIL, then served with its clock there.
# DEMO_FLAGS=--no-serve builds it and stops (CI then verifies its audit chain).
UNTIL ?= 2024-12-31
DEMO_FLAGS ?=
demo: install
	$(BIN)/flask tracker demo --until $(UNTIL) $(DEMO_FLAGS)

test: install
	$(BIN)/pytest

# The machines' reading: mypy on the tracker package ([tool.mypy] in pyproject.toml) and pyflakes on all the code.
check: install
	$(BIN)/mypy
	$(BIN)/python -m pyflakes tracker tests bench wsgi.py

# After changing a UI string: extract, merge into the zh catalog, translate the new entries, then compile.
# The compiled .mo is committed so a fresh clone (and gunicorn) serves Chinese without a build step;
# tests/web/test_i18n.py fails when it is older than the .po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o tracker/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations -l zh --ignore-obsolete --width 120
	$(BIN)/pybabel compile -d tracker/translations

# Every target of issue 14 beside its floor: the API under gunicorn (fresh SQLite files; one item on PostgreSQL
# too with BENCH_POSTGRES=postgresql://user@host:port/postgres), the web pages, `make run`'s start, and web writes
# while outside servers misbehave and a day's notices PDF (issue 19). Figures in bench/README.md. Minutes, not seconds.
# BENCH_SHORT=1: the same scripts on small sizes in a minute or two (CI runs it so the bench cannot rot; it fails
# only when a script breaks, never on a figure).
bench: install
ifeq ($(BENCH_SHORT),1)
	$(BIN)/python bench/api_bench.py --n 200 --http-create-max 200 --board-times 3
	$(BIN)/python bench/web_bench.py --n 500 --times 3
	$(BIN)/python bench/start_bench.py
	$(BIN)/python bench/outbound_bench.py --seconds 3
	$(BIN)/python bench/notices_bench.py
	$(BIN)/python bench/bulk_bench.py --runs 1 --size 20
else
	$(BIN)/python bench/api_bench.py --n 1000 5000 100000 $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))
	$(BIN)/python bench/web_bench.py --n 10000
	$(BIN)/python bench/start_bench.py
	$(BIN)/python bench/outbound_bench.py --seconds 20
	$(BIN)/python bench/notices_bench.py
	$(BIN)/python bench/bulk_bench.py
endif
