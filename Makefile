# Within Reach: `make run` serves the app, `make test` runs the whole suite. Both are idempotent.
.PHONY: run test setup lint bench clean-db

setup:
	@scripts/bootstrap.sh

run: setup
	@scripts/run.sh

test:
	@scripts/bootstrap.sh --with-browser
	@scripts/test.sh $(ARGS)

lint: setup
	.venv/bin/ruff check app ingest tests bench
	.venv/bin/mypy

# The peers: pyraptor pins pandas<2, so it goes in without its dependencies (it runs on ours).
bench: setup
	.venv/bin/python -m pip install -q networkx==3.6.1 loguru==0.6.0 joblib==1.6.0 ferrobus==0.2.1
	.venv/bin/python -m pip install -q --no-deps pyraptor==1.3.10
	.venv/bin/python -m bench $(ARGS)

clean-db:
	scripts/pg.sh stop .pgdata && rm -rf .pgdata
