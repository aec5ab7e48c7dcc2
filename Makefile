# adsbot: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
# Python 3.13: an explicit PYTHON=..., else python3.13 on PATH, else pyenv's usual place.
PYTHON ?= $(shell command -v python3.13 2>/dev/null || ls /root/.pyenv/versions/3.13.*/bin/python3.13 2>/dev/null | tail -n 1)

.PHONY: help setup test lint format run demo migrate clean

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
