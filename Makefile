# Portail régional des projets — two commands do all set-up on a fresh machine:
#   make run    virtualenv, install, migrate, load territories and seed data, serve
#   make test   the whole suite on PostgreSQL, then the smoke subset on SQLite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# pytest-xdist workers of the PostgreSQL suite (each has its own database copies); 0 = none.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=
STAMP := $(VENV)/.installed

.PHONY: run serve test test-postgres test-sqlite lint seed messages bench install backup restore

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

seed: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/python manage.py load_territories
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py setup_roles

run: seed
	$(BIN)/python manage.py ensure_dev_admin
	@echo ""
	@echo "  Portail : http://127.0.0.1:$(PORT)/"
	@echo "  Administration : http://127.0.0.1:$(PORT)/admin/ (compte de développement ci-dessus)"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: test-postgres test-sqlite

test-postgres: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	DATABASE_URL= $(BIN)/pytest -m smoke

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=fixtures --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python bench/run.py

# Backups: database (pg_dump custom format, or the SQLite file) + media, in backups/<date>/.
# Restore replaces the current data: make restore BACKUP=backups/2026-12-01_231500
BACKUP_DIR ?= backups
backup: $(STAMP)
	$(BIN)/python manage.py backup --to $(BACKUP_DIR)

restore: $(STAMP)
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=backups/<folder>" && exit 2)
	$(BIN)/python manage.py restore $(BACKUP) --yes
