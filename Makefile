# Accord: `make run` serves the demo partnership; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench fuzz schema assets lock clean screenshots

# Python packages come from requirements/dev.txt, locked with hashes (`make lock`).
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Accord needs Python 3.11+"'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Lock Python dependencies with hashes: requirements/app.txt (the application: what the
# Docker image installs), requirements/dev.txt (CI and development), requirements/build.txt
# (what builds the wheel). Versions already locked are kept; `make lock UPGRADE=1` takes
# the newest that pyproject.toml allows.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(LOCK) pyproject.toml --extra dev -o requirements/dev.txt
	$(LOCK) pyproject.toml -c requirements/dev.txt -o requirements/app.txt
	$(LOCK) requirements/build.in -o requirements/build.txt

# npm packages the tests use (axe-core, ...), pinned by package-lock.json.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The page's browser libraries are kept in the repository (accord/web/static/vendor and
# graphiql, with their licences and SHA-256 in VERSIONS), so installing and running
# Accord needs no node. `make assets` rebuilds them from the pinned npm packages; with
# nothing new it leaves the tree unchanged.
assets: $(NODE_STAMP)
	sh accord/web/vendor.sh
	sh accord/web/assets.sh

run: $(STAMP)
	$(BIN)/accord demo --database sqlite:///accord.db

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q

screenshots: $(STAMP) $(NODE_STAMP)  # docs/screenshot.png and docs/recording-form.png
	ACCORD_UPDATE_DOCS=1 $(BIN)/pytest -q tests/browser -k screenshot
	ACCORD_UPDATE_DOCS=1 $(BIN)/pytest -q tests/integration/test_board_pack.py -k png  # docs/board-pack-*.png

check: $(STAMP)
	$(BIN)/ruff check accord tests bench
	$(BIN)/ruff format --check accord tests bench
	$(BIN)/mypy accord
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.run

fuzz: $(STAMP)
	ACCORD_FUZZ_EXAMPLES=2000 $(BIN)/pytest -q -k fuzz

schema: $(STAMP)
	$(BIN)/python -m accord.graphql.export

clean:
	rm -rf $(VENV) accord.db accord.db-wal accord.db-shm
