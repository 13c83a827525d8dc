# Two commands set everything up: `make run` (demo site) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The suite runs in one process per CPU (pytest-xdist). `load` hands tests out in collection order,
# so each process still runs pytest-django's order (transactional tests after the others, which
# leave the database flushed). `make test PYTEST_PARALLEL=` runs it in one process.
PYTEST_PARALLEL ?= --numprocesses=auto --dist=load

.PHONY: run test install system-deps lint check serve clean

$(STAMP): requirements.txt requirements-test.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# Test-only clients, without their stale pins (see the file's header).
	$(PY) -m pip install --quiet --no-deps -r requirements-test.txt
	touch $(STAMP)

install: $(STAMP)

# Debian packages the product and its browser tests use (ffprobe, Chromium, a CJK font for
# generated covers). Installed only when missing and when we may (root with apt-get).
system-deps:
	@bash scripts/system-deps.sh

run: install system-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@$(PY) manage.py demo_accounts
	$(PY) manage.py runserver 127.0.0.1:8000

test: install system-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_PARALLEL) --durations=20

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles
