# Two commands: `make run` starts the store, `make test` runs the tests.
# Each creates .venv and installs the pinned dependencies first (requirements.lock).
PY ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml requirements.lock
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python -m devtools.run

test: $(STAMP)
	$(VENV)/bin/python -m devtools.test $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks.run $(ARGS)
