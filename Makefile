# The two commands a newcomer types: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install image bench eval screenshots clean

CHECKOV_VERSION := 3.3.30

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	# checkov pins old versions of libraries the project also uses: it gets a venv of its own.
	test -x $(VENV)/tools/checkov/bin/python || $(PY) -m venv $(VENV)/tools/checkov
	$(VENV)/tools/checkov/bin/pip install -q 'checkov==$(CHECKOV_VERSION)'
	touch $(STAMP)

install: $(STAMP)

## Runs the gateway on 127.0.0.1:18789 with the embedded sandbox homelab and a local state dir (./.state unless OPENCLAW_STATE_DIR is set).
run: $(STAMP)
	OPENCLAW_STATE_DIR=$${OPENCLAW_STATE_DIR:-$(CURDIR)/.state} $(BIN)/openclaw gateway --sandbox

## Runs every test, browser and end-to-end tests included.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Builds the image ghcr.io/openclaw/openclaw:<tag in deploy/helm/values.yaml> with podman on a debootstrap bookworm base (root; see docs/deploy.md).
image:
	deploy/image/build.sh

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
