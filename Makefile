# The two commands: `make demo` and `make test`. Both build what they need first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DATA := out/demo/data
DEMO_PORTAL := out/demo/portal
PYTEST_WORKERS ?= 2
NODE_STAMP := node_modules/.installed
WEB_ASSETS := src/concerns/web/portal/static/nhsuk/VERSION

export MPLCONFIGDIR := $(CURDIR)/.local/mpl
export XDG_CACHE_HOME := $(CURDIR)/.local/cache

.PHONY: install system demo serve test lint bench fuzz clean

install: $(STAMP) system $(WEB_ASSETS)

# Debian packages (chromium for the accessibility tests, poppler-utils, fonts), only when missing.
system:
	@scripts/system-deps.sh

# npm assets: axe-core for the accessibility tests.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# NHS.UK frontend assets for the portal, copied out of node_modules.
$(WEB_ASSETS): $(NODE_STAMP) scripts/web-assets.sh
	scripts/web-assets.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the pinned requirements change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/concerns synth --out $(DEMO_DATA)
	$(BIN)/concerns validate --data $(DEMO_DATA) --rejects out/demo/rejects.csv
	$(BIN)/concerns analyse --data $(DEMO_DATA) --all --out out/demo/analysis
	$(BIN)/concerns report --data $(DEMO_DATA) --all --out out/demo/reports
	$(BIN)/concerns national --data $(DEMO_DATA) --out out/demo/national
	CONCERNS_HOME=$(DEMO_PORTAL) $(BIN)/concerns portal-demo --reports out/demo/reports --national out/demo/national \
		--data $(DEMO_DATA)
	@echo
	@echo "Demo data (fictional):  $(DEMO_DATA)   (truth.json says what was planted in it)"
	@echo "Organisation reports:   out/demo/reports/<org_code>/report.{html,pdf,xlsx,json}, board summary summary.{html,pdf}"
	@echo "National report:        out/demo/national/national/report.html"
	@echo "Open one:               out/demo/reports/$$(ls out/demo/reports | grep -v manifest | head -1)/report.html"
	@echo "Portal (demo users above): make serve, then open http://127.0.0.1:8000/"

# The portal on the demo data (SQLite in out/demo/portal); `make demo` first if it has not run.
serve: install
	@test -f $(DEMO_PORTAL)/portal.sqlite3 || $(MAKE) demo
	CONCERNS_HOME=$(DEMO_PORTAL) $(BIN)/concerns serve

# Style, format, the import contracts (layers, private modules, no cycles: pyproject.toml) and types.
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy --no-incremental

test: lint $(NODE_STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile
	PYTEST_WORKERS=$(PYTEST_WORKERS) scripts/test-postgres.sh

bench: install
	$(BIN)/python bench/run.py

# The long run of the ingest fuzzing harness (tests/ingest/test_fuzz.py): FUZZ_EXAMPLES damaged extracts of
# each kind of damage, on FUZZ_ORGS organisations; `make test` runs a few of each. Figures: docs/performance.md.
FUZZ_EXAMPLES ?= 300
FUZZ_ORGS ?= 30
fuzz: install
	CONCERNS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CONCERNS_FUZZ_ORGS=$(FUZZ_ORGS) $(BIN)/pytest tests/ingest/test_fuzz.py \
		-q -p no:cacheprovider --hypothesis-show-statistics --durations=0

clean:
	rm -rf $(VENV) out .local .pytest_cache .ruff_cache .hypothesis
