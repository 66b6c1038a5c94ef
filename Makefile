# The commands a newcomer can guess. Each installs or starts what it needs.
SHELL := /bin/bash
PORT ?= 8000

.PHONY: up test soak bench k8s-check lint format openapi translations clean

up:            ## the whole system with demo data on http://127.0.0.1:$(PORT) (Ctrl-C stops it)
	@PORT=$(PORT) bash scripts/up.sh

test:          ## lint, then every test: unit, service, integration and end-to-end
	@bash scripts/test.sh

soak:          ## the long fault tests (~15 min; restarts the local broker and PostgreSQL); rewrites docs/reliability.md
	@bash scripts/soak.sh

bench:         ## measure each scenario beside its baseline; rewrites docs/benchmarks.md
	@bash scripts/bench.sh

k8s-check:     ## render, validate and lint the Kubernetes manifests (deploy/k8s), offline
	@bash scripts/k8s-check.sh

lint:          ## ruff and mypy, as CI runs them
	@bash scripts/setup.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

format:        ## let ruff format the code
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

openapi:       ## regenerate the committed OpenAPI document from the schemas
	@bash scripts/setup.sh && .venv/bin/samverkan-gateway openapi > gateway/src/samverkan_gateway/openapi.json

translations:  ## collect the pages' texts and update the Swedish catalogue (then translate what is new)
	@cd gateway && ../.venv/bin/pybabel -q extract -F babel.cfg -o /tmp/samverkan-messages.pot . \
	  && ../.venv/bin/pybabel update -i /tmp/samverkan-messages.pot -d src/samverkan_gateway/translations -l sv \
	  && ../.venv/bin/pybabel compile -d src/samverkan_gateway/translations

clean:         ## remove local databases and the virtualenv
	rm -rf var .venv
