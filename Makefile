# corridor-sim: the whole set-up is `make run` then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean lint

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	# an editable install leaves the package uncompiled; compile it once, so that a
	# shell with PYTHONDONTWRITEBYTECODE set does not recompile it on every command
	$(BIN)/python -m compileall -q corridor_sim
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/corridor-sim run scenarios/baseline_2023.yaml --out results/baseline_2023 --force --plots all

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) results build *.egg-info
