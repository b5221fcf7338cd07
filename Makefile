# Sila — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install install-dev run test lint typecheck eval bench browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Idempotent: reinstalls only when the dependency files change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/sila migrate
	$(BIN)/sila serve --host $${SILA_HOST:-127.0.0.1} --port $${SILA_PORT:-8080}

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -q -ra

# A measurement: every part runs and prints its score whatever the score is (the shared scorer's
# own exit code is ignored). EVAL_MIN=0.8 makes the scenario run fail below that pass rate.
SHARED_EVAL ?= ../shared/eval
eval: install
	-$(BIN)/python $(SHARED_EVAL)/faq_score.py $(SHARED_EVAL)/faq_dev.jsonl $(BIN)/sila
	$(BIN)/python scripts/faq_eval.py tests/eval/faq_eval.jsonl
	$(BIN)/python scripts/eval_scenarios.py --heldout tests/eval/heldout.jsonl --heldout tests/eval/heldout_b.jsonl --heldout tests/eval/heldout_c.jsonl --heldout tests/eval/heldout_d.jsonl $(if $(EVAL_MIN),--min $(EVAL_MIN))

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
