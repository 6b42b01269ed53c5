# pind: top-level commands. `make` (or `make help`) lists them.
# Everything runs on 127.0.0.1 without Docker: Kafka (KRaft) from Maven
# Central jars, our own PostgreSQL cluster, six services as processes.
# Ports, run dirs and roles: docs/conventions.md.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT      := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
RUN_DIR   := $(abspath $(or $(PIND_RUN_DIR),$(ROOT)/.run))
CACHE_DIR := $(abspath $(or $(PIND_CACHE_DIR),$(HOME)/.cache/pind))
VENV      := $(or $(UV_PROJECT_ENVIRONMENT),$(ROOT)/.venv)
export PIND_RUN_DIR := $(RUN_DIR)
export PIND_CACHE_DIR := $(CACHE_DIR)
# uv installed by scripts/bootstrap.sh into a private venv when pip could not.
export PATH := $(CACHE_DIR)/tools/bin:$(PATH)

UV_RUN   := uv run --frozen --no-sync
WITH_ENV := scripts/with-env.sh
STAMP    := $(RUN_DIR)/.setup.stamp
# `make test` installs the optional EasyOCR engine (torch) too; demo and up do not.
TEST_EXTRAS := easyocr ner
TEST_STAMP  := $(RUN_DIR)/.setup-test.stamp
KAFKA_MARKER := $(CACHE_DIR)/kafka-4.1.2/.complete
SETUP_INPUTS := $(wildcard uv.lock pyproject.toml contracts/pyproject.toml libs/pyproject.toml \
                fakes/pyproject.toml services/*/pyproject.toml cli/pyproject.toml \
                examples/analytics/pyproject.toml) deploy/kafka/pom.xml scripts/bootstrap.sh
PYTEST_ARGS ?=
EVAL_ARGS   ?=
MYPY_PATHS  := contracts/src libs/src libs/youtube/src $(wildcard services/*/src) fakes/src cli/src examples/analytics/src $(wildcard services/*/tools/*.py)
SHELL_FILES := $(wildcard scripts/*.sh deploy/kafka/*.sh deploy/postgres/*.sh deploy/docker/*.sh) .ci/run

.PHONY: readme-settings eval fuzz help setup setup-if-needed setup-for-test infra-up infra-down topics migrate up services-up \
        services-down down status logs demo test lint lint-shell bench asyncapi schemas \
        compose-config compose-up compose-down clean-run smoke chaos load

# The commands of README.md's "Commands" table: `make help` lists them first,
# the building blocks after; `make smoke` runs them (tests/test_commands.py
# checks that the table and `make help` agree).
COMMANDS := demo test up down status logs lint bench eval fuzz asyncapi schemas \
            compose-config compose-up smoke chaos attack load
HELP_LINES = grep -hE '^[a-zA-Z_-]+:.*\#\# ' $(MAKEFILE_LIST) | \
  awk -v want=" $(COMMANDS) " -v listed=$(1) 'BEGIN {FS = ":.*\#\# "} \
    (index(want, " " $$1 " ") > 0) == listed {printf "  %-15s %s\n", $$1, $$2}'

help: ## list the targets
	@echo "pind — make targets (run dir: $(RUN_DIR))"
	@echo "commands (README.md):"
	@$(call HELP_LINES,1)
	@echo "building blocks:"
	@$(call HELP_LINES,0)

setup: ## install what this machine lacks (apt, uv), uv sync, fetch the Kafka jars (EXTRAS=easyocr adds torch)
	PIND_EXTRAS="$(EXTRAS)" scripts/bootstrap.sh
	@mkdir -p "$(RUN_DIR)" && touch "$(STAMP)"

$(STAMP): $(SETUP_INPUTS)
	scripts/bootstrap.sh
	@mkdir -p "$(@D)" && touch "$@"

$(TEST_STAMP): $(SETUP_INPUTS)
	PIND_EXTRAS="$(TEST_EXTRAS)" scripts/bootstrap.sh
	@mkdir -p "$(@D)" && touch "$@" "$(STAMP)"

setup-if-needed: $(STAMP)
	@if [[ ! -x "$(VENV)/bin/python" || ! -f "$(KAFKA_MARKER)" ]]; then \
	  scripts/bootstrap.sh && touch "$(STAMP)"; fi

setup-for-test: $(TEST_STAMP)
	@if [[ ! -x "$(VENV)/bin/python" || ! -f "$(KAFKA_MARKER)" ]] || \
	  ! compgen -G '$(VENV)/lib/python3*/site-packages/easyocr' >/dev/null || \
	  ! compgen -G '$(VENV)/lib/python3*/site-packages/transformers' >/dev/null; then \
	  PIND_EXTRAS="$(TEST_EXTRAS)" scripts/bootstrap.sh && touch "$(TEST_STAMP)" "$(STAMP)"; fi

infra-up: setup-if-needed ## start PostgreSQL + Kafka, wait until ready, create the topics
	scripts/infra.sh up

infra-down: ## stop Kafka and PostgreSQL
	scripts/infra.sh down

topics: ## create/verify the Kafka topics (python -m pind_kit.topics ensure)
	scripts/infra.sh topics

migrate: ## run every service's migrations (python -m pind_kit.migrate)
	$(WITH_ENV) $(UV_RUN) python -m pind_kit.migrate

up: setup-if-needed ## the whole stack: infra, migrations, fakes, six services (a failed start stops what it started)
	scripts/up.sh

services-up: ## start the fakes and the six services (infra must be up)
	scripts/services.sh start fakes
	scripts/services.sh start

services-down: ## stop the six services and the fakes
	scripts/services.sh stop all

down: ## stop services, fakes, Kafka and PostgreSQL
	scripts/services.sh stop all
	scripts/infra.sh down

status: ## show what runs
	@deploy/postgres/status.sh || true
	@deploy/kafka/status.sh || true
	@scripts/services.sh status || true

logs: ## follow all logs in .run/logs (NAME=gateway for one)
	scripts/logs.sh $(NAME)

demo: setup-if-needed ## the stack plus one sample video analysed end to end, places printed
	scripts/up.sh --demo

test: setup-for-test ## infra + migrations + pytest (PYTEST_ARGS=...); stops what it started
	scripts/test.sh $(PYTEST_ARGS)

lint: setup-if-needed ## ruff check, ruff format --check, mypy, import contracts (lint-imports), shellcheck
	@rc=0; \
	echo "+ ruff check ."; $(UV_RUN) ruff check . || rc=1; \
	echo "+ ruff format --check ."; $(UV_RUN) ruff format --check . || rc=1; \
	echo "+ mypy $(MYPY_PATHS)"; $(UV_RUN) mypy $(MYPY_PATHS) || rc=1; \
	echo "+ lint-imports"; $(UV_RUN) lint-imports --no-logo --no-cache || rc=1; \
	$(MAKE) lint-shell || rc=1; \
	exit $$rc

lint-shell: ## shellcheck the scripts
	@if ! command -v shellcheck >/dev/null; then \
	  echo "lint-shell: shellcheck is not installed; 'make setup' installs it (Debian package shellcheck)" >&2; \
	  exit 1; fi
	@echo "+ shellcheck"; shellcheck -x $(SHELL_FILES)

bench: infra-up ## run the benchmark modules that exist (scripts/bench.sh), infra up
	$(WITH_ENV) $(UV_RUN) python -m pind_kit.migrate
	scripts/bench.sh

load: infra-up ## pind end to end under concurrent guests and users vs a Celery chain on Redis, own topics and database; jobs/s, p50/p99, CPU/RSS, lag (LOAD_ARGS=--duration 120; PIND_LOAD_QUICK=1: a few seconds)
	$(UV_RUN) python -m benchmarks.load $(LOAD_ARGS)

chaos: setup-for-test ## fault scenarios on the whole stack: poison events, kill -9 of each service, PostgreSQL and Kafka stopped PIND_CHAOS_OUTAGE_S (30) s, a slow/stalling/failing/rate-limited Kakao and Gemini, replay of every topic into a fresh schema; prints scenario → outcome
	PIND_CHAOS=all scripts/test.sh tests/chaos -q $(CHAOS_ARGS)

fuzz: infra-up ## schemathesis on gateway + auth, anonymous and signed in, per-operation coverage (PIND_FUZZ_QUICK=true: a few examples)
	$(WITH_ENV) $(UV_RUN) python -m pind_kit.migrate
	$(WITH_ENV) $(UV_RUN) python -m benchmarks.fuzz

attack: setup-for-test ## the attack suite on auth + gateway processes of its own (free ports, test.attack.* topics): forged tokens, token reuse and races, bad bodies, throttling through the gateway; prints each attack and its outcome
	scripts/attack.sh $(ATTACK_ARGS)

eval: setup-if-needed ## geoparsing evaluation: corpora in ../shared/data/eval and the sample vlogs (EVAL_ARGS='--only vlogs')
	$(UV_RUN) python -m evaluation.geo $(EVAL_ARGS)

asyncapi: setup-if-needed ## write docs/asyncapi.yaml (python -m pind_kit.asyncapi)
	$(UV_RUN) python -m pind_kit.asyncapi yaml > docs/asyncapi.yaml.tmp || { rm -f docs/asyncapi.yaml.tmp; exit 1; }
	mv docs/asyncapi.yaml.tmp docs/asyncapi.yaml
	@echo "wrote docs/asyncapi.yaml"

schemas: setup-if-needed ## regenerate contracts/schemas (python -m pind_contracts.schemas write)
	$(UV_RUN) python -m pind_contracts.schemas write

compose-config: ## render docker-compose.yml (no engine needed) and check it against the local stack
	scripts/compose.sh config

compose-up: ## the same stack in containers (needs a Docker engine)
	scripts/compose.sh up

smoke: setup-if-needed ## every command of the README table in a quick mode, timed; stops the stack it started
	scripts/smoke.sh

compose-down: ## stop the containers
	scripts/compose.sh down

clean-run: ## stop everything and delete the run dir (data, logs, generated passwords)
	-scripts/services.sh stop all
	-scripts/infra.sh down
	@if [[ -L "$(RUN_DIR)/postgres" ]]; then \
	  echo "removing the database cluster at $$(readlink -f "$(RUN_DIR)/postgres")"; \
	  rm -rf -- "$$(readlink -f "$(RUN_DIR)/postgres")"; fi
	rm -rf "$(RUN_DIR)"
	@echo "removed $(RUN_DIR)"

readme-settings: ## regenerate the settings table in README.md
	$(UV_RUN) python scripts/readme_settings.py
