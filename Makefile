# 规矩 (dangjian): the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DANGJIAN_DATA_DIR ?= $(CURDIR)/var
TEST_DATA_DIR ?= $(CURDIR)/var/test

.PHONY: run test test-e2e lint bench gen clean bench-matters

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## make run: environment, migrations on the embedded SQLite database, the demo agency, and gunicorn on
## DANGJIAN_BIND (127.0.0.1:8000 by default; `dangjian serve` prints the address)
run: $(VENV)/.installed
	$(BIN)/dangjian migrate --noinput -v0
	$(BIN)/dangjian demo
	$(BIN)/dangjian serve

## make test: lint, then the whole suite (browser tests included when Chromium is installed), on
## TEST_WORKERS processes (each with its own test database), with the 15 slowest tests listed at the end.
## A fixed PYTHONHASHSEED makes the fuzz runs repeat from one run to the next. An idle worker takes tests
## still queued on the other (--dist worksteal): with plain load balancing one worker could finish minutes early.
TEST_WORKERS ?= auto
test: lint
	PYTHONHASHSEED=0 DANGJIAN_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

## make lint: ruff, and the CSS lint (balanced blocks, no parse error) of every style sheet under src/
lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m tests.css_lint

## make bench: province-scale data and benchmarks, then 会议学习 and 事项督办; results in bench/results.json
## (BENCH_ARGS="--scale postgres --only meetings|matters|suite|figures", BENCH_MEETINGS=small|reduced|issue|none,
##  figures: the figure registry, figure pages, dashboards, home pages, the annual report and the cadre file on
##  PostgreSQL (bench/figures.py),
##  DANGJIAN_BENCH_SKIP_MATTERS=1: see bench/run.py)
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf var/test

## make bench-matters: 事项督办 benchmarks (1,000,000 matters on PostgreSQL with DATABASE_URL, 100,000 on SQLite)
bench-matters: $(VENV)/.installed
	$(BIN)/python -m bench.matters
