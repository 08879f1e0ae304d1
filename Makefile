# make demo   build a demo workbook, a class of synthetic students, and their reports
# make test   lint, type-check, run the tests and the notebooks
# make lab    open JupyterLab on the notebooks with the demo workbook
# make app    the same, as forms with no code (iivkit app)
# make mutants  mutation testing of the core rules: kill rate per module, survivors (slow; not in test)
#
# Every target works from a fresh checkout: it creates .venv and installs the project
# into it once, and again only when pyproject.toml changes.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := iivkit tests $(wildcard benchmarks) $(wildcard scripts)

.PHONY: demo test mutants lab app screenshots clean distclean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(STAMP)
	$(BIN)/iivkit demo --out demo --class 10

test: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy iivkit
	$(BIN)/pytest tests
	if ls notebooks/*.ipynb >/dev/null 2>&1; then \
	  IIVKIT_CACHE_DIR=$$(mktemp -d) env -u IIVKIT_WORKBOOK $(BIN)/pytest --nbval-lax --nbval-current-env notebooks; fi

# Plants small bugs in the core rules one at a time and runs the fast tests that cover each;
# prints the kill rate per module and the survivors, against tests/mutants-baseline.json.
# One module: make mutants MODULES=letter_check. Too slow for `make test`: every module takes hours.
mutants: $(STAMP)
	nice -n 10 $(BIN)/python scripts/mutants.py $(MODULES)

lab: $(STAMP)
	test -f demo/workbook.iiv || $(BIN)/iivkit demo --out demo
	$(BIN)/iivkit lab demo

app: $(STAMP)
	test -f demo/workbook.iiv || $(BIN)/iivkit demo --out demo
	$(BIN)/iivkit app demo

# Pictures of each workflow notebook for the README, taken in headless Chromium.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

# Generated files and caches; keeps .venv so the next run starts fast, and demo/, where
# `make lab` may hold your own notes (`iivkit demo` replaces only what it made there).
clean:
	rm -rf build dist *.egg-info test-results .mypy_cache .ruff_cache .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

# Everything clean removes, and the virtual environment too.
distclean: clean
	rm -rf $(VENV)
