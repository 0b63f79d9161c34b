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

bench: setup
	.venv/bin/python -m bench

clean-db:
	scripts/pg.sh stop .pgdata && rm -rf .pgdata
