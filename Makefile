# The two commands of the README. Each creates .venv if missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_CORE := $(VENV)/.stamp-core
STAMP_DEV  := $(VENV)/.stamp-dev
STAMP_TORCH := $(VENV)/.stamp-torch

.PHONY: demo test bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_CORE) $(STAMP_TORCH)

# the demo embeds with the autoencoder: torch (pinned CPU wheel) comes with it
$(STAMP_TORCH): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[torch]'
	touch $@ $(STAMP_CORE)

demo: $(STAMP_TORCH)
	$(BIN)/wavelens demo --out demo-run

# the browser test opens report.html in Debian's chromium: install it when missing
chromium:
	@scripts/ensure_chromium.sh

test: $(STAMP_DEV) chromium
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP_DEV)
	@echo "Benchmarks are run one by one: see benchmarks/README.md"

clean:
	rm -rf $(VENV) demo-run .pytest_cache
