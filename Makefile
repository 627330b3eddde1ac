# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links name the address served on (a deployment sets PRONGSAI_PUBLIC_BASE_URL itself). The log's
# name follows that address and its signed checkpoints keep it, so another address gets its own
# data folder: `PORT=8080 make run` next to a :8000 one starts its own demo in var/8080.
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
PRONGSAI_PUBLIC_BASE_URL ?= http://$(LINK_HOST):$(PORT)
PRONGSAI_DATA_DIR ?= $(if $(filter 127.0.0.1:8000,$(LINK_HOST):$(PORT)),var,var/$(PORT))
# Python keeps its compiled modules (__pycache__), whatever the shell says: a test run starts
# dozens of interpreters (workers, servers, the CLI, the demo's build), and each one compiling
# the 1,300 modules it imports again cost 2 s (4.2 s against 2.0 s to import the app).
unexport PYTHONDONTWRITEBYTECODE
# Two workers, one database each: the machines here have two cores. The browser tests are one
# group (tests/e2e/conftest.py), run by one worker with one Chromium.
PYTEST_ARGS ?= -n 2 --dist loadgroup
# WeasyPrint's Pango and HarfBuzz, a Thai font, and poppler to read PDFs back.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-tlwg-loma-ttf poppler-utils
# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
TEST_PACKAGES := $(RUN_PACKAGES) chromium

.PHONY: run test lint format typecheck clean messages

run: export PRONGSAI_PUBLIC_BASE_URL := $(PRONGSAI_PUBLIC_BASE_URL)
run: export PRONGSAI_DATA_DIR := $(PRONGSAI_DATA_DIR)
run: $(BIN)/.installed
	@scripts/system-packages.sh $(RUN_PACKAGES)
	$(BIN)/prongsai migrate
	$(BIN)/prongsai demo
	@echo "Prongsai at $(PRONGSAI_PUBLIC_BASE_URL)/ (data in $(PRONGSAI_DATA_DIR))"
	$(BIN)/prongsai serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-test
	@scripts/system-packages.sh $(TEST_PACKAGES)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(BIN)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The packages and settings are in pyproject.toml ([tool.mypy]).
typecheck: $(BIN)/.installed-test
	$(BIN)/mypy

# uv installs the project's packages: the same resolution as pip, several times faster (CI
# builds the environment from nothing on every run).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'uv>=0.9'

INSTALL := $(BIN)/uv pip install -q --python $(BIN)/python

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml | $(BIN)/python
	$(INSTALL) -e '.[test]'
	touch $@ $(BIN)/.installed

# Extract every _() / {% trans %} string into the catalogue template and merge it into each
# locale's messages.po; translate there. The app reads the .po files directly (no compile step).
LOCALE_DIR := prongsai/locale
messages: $(BIN)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --output-file $(LOCALE_DIR)/messages.pot \
		--project Prongsai --copyright-holder "Prongsai contributors" --no-wrap --sort-by-file \
		--add-comments TRANSLATORS: .
	$(BIN)/pybabel update --input-file $(LOCALE_DIR)/messages.pot --output-dir $(LOCALE_DIR) \
		--domain messages --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache
