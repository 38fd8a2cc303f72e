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

# Tests marked `isolated` run one per process (see pytest.ini), in the background while the
# rest run together (two processes keep both cores busy); PYTEST_SELECT narrows both runs.
PYTEST_SELECT ?=
# Collection errors stop the run (exit 5 = no isolated test selected is fine).
test: lint
	$(BIN)/python -m pytest -q -m isolated --collect-only $(PYTEST_SELECT) > .isolated-collection; \
	status=$$?; if [ $$status -ne 0 ] && [ $$status -ne 5 ]; then cat .isolated-collection; exit $$status; fi
	grep '::' .isolated-collection > .isolated-tests || true; rm -f .isolated-collection
	( xargs -d '\n' -I TEST $(BIN)/python -m pytest -q -p no:cacheprovider -m isolated TEST < .isolated-tests ) & isolated=$$!; \
	$(BIN)/python -m pytest -m "not isolated" $(PYTEST_SELECT); main=$$?; \
	wait $$isolated; separate=$$?; rm -f .isolated-tests; \
	echo "tests: main run exit $$main, isolated tests exit $$separate"; \
	test $$main -eq 0 && test $$separate -eq 0

bench: install-dev
	$(BIN)/python benchmarks/synthfaces.py

clean:
	rm -rf $(VENV) tfface-demo .pytest_cache .ruff_cache *.egg-info
