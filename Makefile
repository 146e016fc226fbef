# Two commands for a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app journal
PORT ?= 5000

.PHONY: run test install install-test migrate seed bench bench-entry-list bench-explain bench-offline-sync bench-first-load bench-instructions clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

run: seed
	@echo "Integration Journal on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	@echo "Reminders are sent from this process every minute; mails land in instance/mail/."
	JOURNAL_REMINDER_LOOP=1 JOURNAL_PUBLIC_URL=http://127.0.0.1:$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load benchmark (bench/README.md). BENCH_LARGE=1 adds 100,000 entries (slow to seed);
# JOURNAL_BENCH_DATABASE_URL=postgresql://… adds PostgreSQL (a fresh database, dropped after).
bench: install-test
	$(BIN)/python bench/load.py

bench-entry-list: install-test
	$(BIN)/python bench/entry_list.py

bench-explain: install-test
	$(BIN)/python bench/explain.py

bench-offline-sync: install-test
	$(BIN)/python bench/offline_sync.py

bench-first-load: install-test
	$(BIN)/python bench/first_load.py

# Instructions per request under callgrind (needs valgrind): BENCH_BASELINE=<rev> for before/after.
bench-instructions: install-test
	$(BIN)/python bench/instructions.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
