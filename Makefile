# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: demo test lint install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

# Re-install when the packaging changes.
$(VENV)/.installed: setup.py | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: setup.py | $(BIN)/python
	$(PIP) install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/tfface demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Tests marked `isolated` run one per process (see pytest.ini), two processes at a time,
# the rest together.
test: lint
	$(BIN)/python -m pytest -m "not isolated"
	$(BIN)/python -m pytest -q -m isolated --collect-only | grep '::' | \
		xargs -P 2 -I TEST $(BIN)/python -m pytest -q -p no:cacheprovider -m isolated TEST

bench: install-dev
	$(BIN)/python benchmarks/synthfaces.py

clean:
	rm -rf $(VENV) tfface-demo .pytest_cache .ruff_cache *.egg-info
