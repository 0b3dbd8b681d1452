# Dateline: two commands on a fresh machine (Python 3.11 + make + the package registries).
#   make run   — venv, install, migrate, demo live blog, serve http://127.0.0.1:8000 (SQLite, one process)
#   make test  — venv with test extras, ruff + mypy, then the whole suite on SQLite and on PostgreSQL, side by side
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DATELINE_DATA_DIR ?= $(CURDIR)/var
DATELINE_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
DATELINE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export DATELINE_TEST_REDIS_URL

.PHONY: run test install install-test browser-deps proxy-deps cluster lint typecheck bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed
install-test: $(BIN)/.installed-test

run: install
	$(BIN)/dateline demo
	$(BIN)/dateline serve --host $(HOST) --port $(PORT)

# The production shape on one machine, in the foreground until Ctrl-C: nginx on http://127.0.0.1:8080 in front of
# `dateline serve --workers 2` on DATELINE_DATABASE_URL and DATELINE_REDIS_URL; GRIP=1 adds Pushpin on :7999.
cluster: install proxy-deps
	$(BIN)/python deploy/cluster.py $(if $(filter 1,$(GRIP)),--grip,)

# Browser tests drive Debian's Chromium (never a downloaded browser) and check HTML with vnu (Java).
# Installed here when we can (root with apt-get); otherwise those tests skip and say what to install.
browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq || true; \
	    for pkg in $$missing; do \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null \
	        || echo "could not install $$pkg with apt-get: the tests that need it skip (or fail in CI)"; \
	    done; \
	  else echo "missing:$$missing — apt-get install -y$$missing (browser tests skip without them)"; fi; \
	fi

# The proxies the deploy tests run in front of Dateline (Debian's nginx and pushpin, openssl for a test certificate),
# and wrk for bench/scaleout. Never started as system services: each test runs its own on free ports.
proxy-deps:
	@missing=""; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v pushpin >/dev/null || missing="$$missing pushpin"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq || true; \
	    for pkg in $$missing; do \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg >/dev/null \
	        || echo "could not install $$pkg with apt-get: the tests that need it skip (or fail in CI)"; \
	    done; \
	    for unit in nginx pushpin; do systemctl disable --now $$unit >/dev/null 2>&1 || true; done; \
	  else echo "missing:$$missing — apt-get install -y$$missing (nginx/pushpin tests skip without them)"; fi; \
	fi

# The W3C Nu HTML checker, from its official npm package (pinned); the HTML validity test runs it with Java.
VNU_VERSION := 26.9.27
$(VENV)/vnu/vnu.jar:
	@if command -v npm >/dev/null; then \
	  rm -rf $(VENV)/vnu.tmp && mkdir -p $(VENV)/vnu.tmp && cd $(VENV)/vnu.tmp && \
	  npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && tar xzf vnu-jar-$(VNU_VERSION).tgz && \
	  mkdir -p ../vnu && mv package/build/dist/vnu.jar ../vnu/vnu.jar && cd .. && rm -rf vnu.tmp; \
	else echo "npm not found: the HTML validity test skips (apt-get install -y npm)"; fi

test: install-test browser-deps proxy-deps $(VENV)/vnu/vnu.jar
	$(BIN)/ruff check dateline tests bench deploy
	DATELINE_DATA_DIR=$$(mktemp -d) $(BIN)/mypy
	$(BIN)/python -m tests.passes "$(DATELINE_TEST_POSTGRES_URL)" $(VENV) --durations=15

lint: install-test
	$(BIN)/ruff check dateline tests bench deploy
	DATELINE_DATA_DIR=$$(mktemp -d) $(BIN)/mypy

bench: install-test
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.catchup
	$(BIN)/python -m bench.assist
	$(BIN)/python -m bench.compaction
	$(BIN)/python -m bench.abuse
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.scaleout
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) var
