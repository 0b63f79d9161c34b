# Within Reach: `make run` serves the app, `make test` runs the whole suite, `make stop` stops
# the server and its database. All are idempotent.
.PHONY: run stop test setup lint bench ingest clean-db

setup:
	@scripts/bootstrap.sh

run: setup
	@scripts/run.sh

stop:
	@scripts/stop.sh

# The ingest CLI on the app's settings, e.g. make ingest ARGS="postcodes geodata/codepo_gb.zip"
ingest: setup
	@scripts/ingest.sh $(ARGS)

test:
	@scripts/bootstrap.sh --with-browser
	@scripts/test.sh $(ARGS)

lint: setup
	.venv/bin/ruff check app ingest tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	node_modules/.bin/eslint static/js static/docs eslint.config.js

# The peers: pyraptor pins pandas<2, so it goes in without its dependencies (it runs on ours).
bench: setup
	.venv/bin/python -m pip install -q networkx==3.6.1 loguru==0.6.0 joblib==1.6.0 ferrobus==0.2.1
	.venv/bin/python -m pip install -q --no-deps pyraptor==1.3.10
	.venv/bin/python -m bench $(ARGS)

# Reset: stop everything and delete the private cluster; the next `make run` reloads the data.
clean-db:
	@scripts/stop.sh --delete-db
