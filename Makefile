# Accord: `make run` serves the demo partnership; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench fuzz schema assets clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Accord needs Python 3.11+"'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The page's JavaScript comes from the npm registry, pinned by package-lock.json;
# GraphiQL's files are kept in the repository (accord/web/assets.sh refreshes them).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json accord/web/vendor.sh
	npm ci --no-audit --no-fund --loglevel=error
	sh accord/web/vendor.sh
	touch $(NODE_STAMP)

assets: $(STAMP) $(NODE_STAMP)
	@test -f accord/web/static/graphiql/graphiql.min.js || sh accord/web/assets.sh

run: $(STAMP) assets
	$(BIN)/accord demo --database sqlite:///accord.db

test: $(STAMP) assets
	$(BIN)/pytest -q

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
