# iuran: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-smoke clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

DEMO_DB ?= sqlite:///var/demo.sqlite
DEMO_SCALE ?= 0.01
DEMO := --database $(DEMO_DB)

## demo: set everything up and run the main job: a synthetic Kalimantan Tengah branch, its cycles and its report
demo: $(STAMP)
	mkdir -p var && rm -f var/demo.sqlite var/demo.sqlite-wal var/demo.sqlite-shm
	$(BIN)/iuran simulate contribution --segment pbpu --month 2023-11 --kelas 3 --members 4
	$(BIN)/iuran simulate reactivation --segment pbpu --kelas 3 --members 4 --unpaid-since 2021-01 --as-of 2023-11-01
	$(BIN)/iuran db init $(DEMO)
	$(BIN)/iuran synth --scenario kalteng-2023 --scale $(DEMO_SCALE) --seed 1 $(DEMO)
	$(BIN)/iuran ledger verify $(DEMO)
	$(BIN)/iuran report coverage --as-of 2023-11-01 $(DEMO)
	$(BIN)/iuran report activeness --as-of 2023-11-01 --by segment $(DEMO)
	$(BIN)/iuran report arrears --as-of 2023-11-01 --by segment $(DEMO)
	$(BIN)/iuran report collectibility --as-of 2023-11-01 $(DEMO)
	@echo
	@echo "Next, the README's walk (\"The command line\"): . $(VENV)/bin/activate && export IURAN_DATABASE_URL=$(DEMO_DB)"

## bench: the full-scale benchmark on PostgreSQL (Kabupaten Bogor, 5.3 million participants; takes long)
bench: $(STAMP)
	$(BIN)/python bench/bench_branch.py --scale 1.0

## bench-smoke: the same benchmark at a small scale (CI runs it inside the test suite)
bench-smoke: $(STAMP)
	$(BIN)/python bench/bench_branch.py --scale 0.002 --payments 1000 --max-months 1 --single 200 --smoke

## test: lint, type-check and the whole test suite (what CI runs)
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
