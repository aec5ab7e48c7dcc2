# adsbot: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
# Python 3.13: an explicit PYTHON=..., else the first candidate that really runs 3.13 (a pyenv
# shim on PATH may exist and still refuse to run when 3.13 is not pyenv's selected version).
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do \
	if command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then command -v "$$p"; break; fi; done)

.PHONY: help setup test lint format run demo migrate clean print-python

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.13 not found: install it, or run make PYTHON=/path/to/python3.13 $(MAKECMDGOALS)"; exit 1; fi
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))'; then \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install requirements.txt (only when missing or changed)

test: setup ## Run the whole test suite
	$(BIN)/python -m pytest

lint: setup ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

run: setup ## Run the bot against Telegram (= python main.py)
	$(BIN)/python main.py

migrate: setup ## Upgrade the database (= python scripts/migrate.py)
	$(BIN)/python scripts/migrate.py

demo: setup ## The whole product in a browser: emulator, bot and chat page
	$(BIN)/python -m adsbot.sandbox

clean: ## Remove caches and reports (keeps .venv and databases)
	rm -rf .pytest_cache .mypy_cache .ruff_cache htmlcov report.html .coverage

print-python: # (internal) the interpreter setup would use
	@echo "$(PYTHON)"
