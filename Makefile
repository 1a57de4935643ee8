# kioskhub — two set-up commands for a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROTOS := $(wildcard protos/kioskhub/v1/*.proto)
APT_PACKAGES := $(shell cat .ci/apt-packages.txt 2>/dev/null)

.PHONY: demo test test-inner bench protos lint typecheck buf-lint api-baseline system-deps clean

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	rm -rf kioskhub.egg-info  # a stale one in the source tree would shadow the entry points
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

## System packages (daemons the tests and --simulate use): installed with apt when root.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	else \
	  echo "note: not root; install these system packages for the real-stack tests: $(APT_PACKAGES)"; \
	fi

demo: $(STAMP)
	$(BIN)/python -m hubd.demo

## As root, the tests run inside a private network namespace with only loopback.
test: $(STAMP)
	@if [ "$$(id -u)" = 0 ] && [ -z "$$KIOSKHUB_NETNS" ] && command -v unshare >/dev/null; then \
	  KIOSKHUB_NETNS=1 unshare -n sh -c 'ip link set lo up; ip link set lo multicast on; exec $(MAKE) --no-print-directory test-inner'; \
	else \
	  $(MAKE) --no-print-directory test-inner; \
	fi

test-inner: lint
	timeout -k 30 1800 $(BIN)/pytest -n 2 --dist loadgroup --max-worker-restart=0 -q tests

bench: $(STAMP)
	$(BIN)/python -m tests.bench

protos: $(STAMP)
	$(BIN)/python protos/generate.py

## buf lint (STANDARD) and buf breaking against the API baseline (protos/api-baseline.binpb):
## once an API has shipped, changes to it must be additive.
buf-lint:
	npm install --silent --prefix .tools @bufbuild/buf >/dev/null
	cd protos && ../.tools/node_modules/.bin/buf lint && ../.tools/node_modules/.bin/buf breaking --against api-baseline.binpb

## Record the current API as the baseline later changes are checked against (on a release).
api-baseline:
	cd protos && ../.tools/node_modules/.bin/buf build --exclude-source-info -o api-baseline.binpb

lint: $(STAMP)
	$(BIN)/ruff check hubd drivers simulators tests
	$(BIN)/mypy

typecheck: lint

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .tools
