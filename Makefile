# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo of the embed: another site's page, served by `make run` on this port.
EMBED_PORT ?= 8001
# Tests run with DEBUG off, as production does; they need a key but no secret.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} DEBUG=0

.PHONY: run serve worker bench editor test lint install messages catalogs wheel clean

# The translations (comments/locale/ for the app, locale/ for the demo site), compiled from
# their .po files when these change: GNU gettext's msgfmt (checking each message's
# placeholders) where installed, else polib (a dev dependency) writes the same .mo file.
PO_FILES := $(wildcard comments/locale/*/LC_MESSAGES/*.po locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[site,spam-training,dev]'
	touch $@

install: $(VENV)/.installed messages

messages: $(MO_FILES)

# After changing a translatable string: the catalogs of every language but English brought
# up to date with the code (new messages empty, changed ones fuzzy), for translators to fill
# in; tests/languages fails until every message of every shipped language is translated. A
# new language: make catalogs TRANSLATIONS="fr ar de" (and add it to LANGUAGES in settings).
TRANSLATIONS ?= fr ar
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=comments --ignore=tests --ignore=bench \
	--ignore=examples --ignore=staticfiles --ignore=build
catalogs: $(VENV)/.installed
	mkdir -p comments/locale locale
	cd comments && ../$(BIN)/django-admin makemessages --no-obsolete --add-location file \
		$(addprefix -l ,$(TRANSLATIONS)) -d django
	cd comments && ../$(BIN)/django-admin makemessages --no-obsolete --add-location file \
		$(addprefix -l ,$(TRANSLATIONS)) -d djangojs --ignore=static/comments/vendor
	$(TEST_ENV) $(BIN)/python manage.py makemessages --no-obsolete --add-location file \
		$(addprefix -l ,$(TRANSLATIONS)) -d django $(MAKEMESSAGES_IGNORE)

%.mo: %.po | $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then \
		msgfmt --check -o $@ $<; \
	else \
		$(BIN)/python -c 'import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' $< $@; \
	fi

# LOG_LEVEL defaults to INFO here so that the autoreloader says when it restarts.
# Beside the site, a static page of "another site" (newsite/embed_demo/index.html) on
# EMBED_PORT embeds its own thread with comments/static/comments/embed.js from PORT; its
# origin is added to COMMENTS_EMBED_ORIGINS so that the API answers it. That page names
# both addresses (8000, 8001): change them there with other ports. And a task worker
# (manage.py db_worker, reloaded on code changes like runserver) sends the mail the site
# queues, printed to this terminal (DEBUG on: the console backend); with
# TASKS_BACKEND=immediate there is no worker and each mail is printed at once, by the server.
# All of them stop together.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo
	@echo "The Meridian: http://127.0.0.1:$(PORT)/  (editors: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Its comments embedded in another site's page: http://127.0.0.1:$(EMBED_PORT)/"
	@if [ "$${TASKS_BACKEND:-}" = immediate ]; then \
		echo "Mail: TASKS_BACKEND=immediate, no worker: each mail is printed here at once, by the server"; \
	else \
		echo "Mail: queued, and printed here by the task worker running beside the server (manage.py db_worker)"; \
	fi
	@echo "No editor account yet? In another terminal, run: make editor"
	@echo
	$(BIN)/python -m http.server $(EMBED_PORT) --bind 127.0.0.1 --directory newsite/embed_demo & \
	demo=$$!; worker=; \
	if [ "$${TASKS_BACKEND:-}" != immediate ]; then \
		DEBUG=1 LOG_LEVEL=$${LOG_LEVEL:-INFO} $(BIN)/python manage.py db_worker --reload & \
		worker=$$!; \
	fi; \
	trap 'kill $$demo $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 LOG_LEVEL=$${LOG_LEVEL:-INFO} \
	COMMENTS_EMBED_ORIGINS="$${COMMENTS_EMBED_ORIGINS:+$$COMMENTS_EMBED_ORIGINS,}http://127.0.0.1:$(EMBED_PORT)" \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production mode (docs/deploy.md): gunicorn, DEBUG off, WhiteNoise serving hashed,
# compressed static files. Needs SECRET_KEY, and DATABASE_URL, REDIS_URL, ALLOWED_HOSTS … as
# deployed. BIND (default 127.0.0.1:$PORT); WEB_CONCURRENCY worker processes (default 2 with
# REDIS_URL, else 1: processes share cached threads only through Redis) of GUNICORN_THREADS
# threads each (default 4). It runs no task worker: the mail the site sends waits in the
# queue until `make worker` runs (one or more, on any machine with the same DATABASE_URL).
serve: install
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/gunicorn newsite.wsgi --bind $${BIND:-127.0.0.1:$(PORT)} \
		--workers $${WEB_CONCURRENCY:-$$(test -n "$$REDIS_URL" && echo 2 || echo 1)} \
		--threads $${GUNICORN_THREADS:-4} --access-logfile -

# A task worker for production (docs/deploy.md#workers), in the environment of `make serve`
# (SECRET_KEY, DATABASE_URL, EMAIL_HOST …): runs the queued tasks, every email the site sends,
# and runs a failed one again later. Stop it with SIGTERM: it finishes the task it is running.
worker: install
	DEBUG=0 $(BIN)/python manage.py db_worker --no-reload

# The benchmark (docs/performance.md): gunicorn on a generated database, measured by wrk or
# bench/run.py's own threads; prints a table and writes bench/results.md. Needs Redis, and
# PostgreSQL for its half (DATABASES=sqlite for SQLite alone).
bench: install
	$(BIN)/python bench/run.py --databases $${DATABASES:-sqlite,postgres}

# A staff account in the Editors group, for /admin/: asks for a username and a password.
editor: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py create_editor

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	$(TEST_ENV) $(BIN)/pytest

# The comments app's wheel, its translations compiled first (docs/install.md).
wheel: install
	$(BIN)/python -m build --wheel --outdir dist

clean:
	rm -rf $(VENV) staticfiles $(MO_FILES)
