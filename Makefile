# Everyday commands. `make test` is what CI runs (see .ci/run).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test test-fast lint ingest docs clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)

install: $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e ".[test]"

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow" -q

lint: install
	$(VENV)/bin/ruff check corpus_tools tests benchmarks

ingest: install
	$(VENV)/bin/corpus-tools ingest

docs: install
	$(PY) -m corpus_tools.schema > docs/tables.md
	$(PY) -m corpus_tools.docgen > docs/cli.md

clean:
	rm -rf data/processed/*.parquet data/processed/*.duckdb data/processed/.staging-*
