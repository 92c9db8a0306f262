# The two commands: `make preview STACK=dev` and `make test`; `make check` is the quick loop while working.
# The virtualenv is the one Pulumi.yaml names (runtime.options.virtualenv: venv), so `make` and a
# real `pulumi up` share it.
VENV    ?= venv
PY      := $(VENV)/bin/python
STACK   ?= dev
PYTEST_ARGS ?=

.PHONY: install preview test check lint typecheck typecheck-changed actionlint unit unit-fast format clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Offline preview of a stack: resource tree, policy findings (exit 1 on mandatory violations).
preview: install
	$(PY) -m offline_preview $(STACK)

## Lint, type-check, lint the CI workflows and run the whole test suite (CI's command).
test: install lint typecheck actionlint unit

## The quick loop: lint, type-check the Python files changed since HEAD, and the tests not marked slow.
check: install lint typecheck-changed unit-fast

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m pyright

## GitHub Actions workflows: actionlint, with shellcheck on every run: script (both pinned in requirements-dev.txt).
actionlint: install
	$(VENV)/bin/actionlint -shellcheck $(VENV)/bin/shellcheck -pyflakes=

# Changed or new Python files against HEAD (all of them when nothing is committed yet).
CHANGED_PY = $(shell { git diff --name-only --diff-filter=d HEAD -- '*.py'; git ls-files --others --exclude-standard -- '*.py'; } 2>/dev/null | sort -u)

typecheck-changed: install
	$(if $(strip $(CHANGED_PY)),$(PY) -m pyright $(CHANGED_PY),@echo "pyright: no changed Python files")

unit: install
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

unit-fast: install
	$(PY) -m pytest -q -n 2 -m "not slow" $(PYTEST_ARGS)

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
