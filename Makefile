# The two commands a newcomer types: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench eval screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Runs the gateway on 127.0.0.1:18789 with the embedded sandbox homelab and a local state dir (./.state unless OPENCLAW_STATE_DIR is set).
run: $(STAMP)
	OPENCLAW_STATE_DIR=$${OPENCLAW_STATE_DIR:-$(CURDIR)/.state} $(BIN)/openclaw gateway --sandbox

## Runs every test, browser and end-to-end tests included.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Rewrites docs/screenshots/*.png from the browser tests.
screenshots: $(STAMP)
	OPENCLAW_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

## Runs every shipped scenario end to end with the configured brain (offline runbooks by default) and writes eval/eval-report.md and .json; fails under 90 % passed.
eval: $(STAMP)
	$(BIN)/openclaw eval scenarios --out eval --min-pass 0.9 $(EVAL_ARGS)

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build dist src/*.egg-info
