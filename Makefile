# The commands a newcomer can guess. Each installs or starts what it needs.
SHELL := /bin/bash
PORT ?= 8000

.PHONY: up test bench lint format openapi clean

up:            ## the whole system with demo data on http://127.0.0.1:$(PORT) (Ctrl-C stops it)
	@PORT=$(PORT) bash scripts/up.sh

test:          ## lint, then every test: unit, service, integration and end-to-end
	@bash scripts/test.sh

bench:         ## measure each scenario beside its baseline; rewrites docs/benchmarks.md
	@bash scripts/bench.sh

lint:          ## ruff and mypy, as CI runs them
	@bash scripts/setup.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

format:        ## let ruff format the code
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

openapi:       ## regenerate the committed OpenAPI document from the schemas
	@bash scripts/setup.sh && .venv/bin/samverkan-gateway openapi > gateway/src/samverkan_gateway/openapi.json

clean:         ## remove local databases and the virtualenv
	rm -rf var .venv
