# The two commands: `make preview STACK=dev` and `make test`; `make check` is the quick loop while
# working; for a real deployment, `make preflight` and `make images` (docs/runbooks/first-deploy.md).
# The virtualenv is the one Pulumi.yaml names (runtime.options.virtualenv: venv), so `make` and a
# real `pulumi up` share it.
VENV    ?= venv
PY      := $(VENV)/bin/python
STACK   ?= dev
PYTEST_ARGS ?=
PREFLIGHT_ARGS ?=
IMAGES_ARGS ?=

.PHONY: install preview preflight images test check lint typecheck typecheck-changed actionlint zizmor unit unit-fast format clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Offline preview of a stack: resource tree, policy findings (exit 1 on mandatory violations).
preview: install
	$(PY) -m offline_preview $(STACK)

## Read-only AWS checks of what a first `pulumi up` of STACK needs (exit 1 on a failed check).
## Needs the stack's AWS credentials; PREFLIGHT_ARGS e.g. --runner-security-group-id sg-... or --check quotas.
preflight: install
	$(PY) -m secure_platform.preflight $(STACK) $(PREFLIGHT_ARGS)

## Push the images compute runs into the stack's new ECR repositories (crane; see tools/images.py).
## IMAGES_ARGS e.g. --dry-run, or --source REGISTRY/PREFIX to copy released images.
images: install
	$(PY) -m tools.images $(STACK) $(IMAGES_ARGS)

## Lint, type-check, lint and audit the CI workflows and run the whole test suite (CI's command).
## Two jobs at once: the tests start while pyright (one process) still runs, so no core idles;
## each step's output is printed whole when it ends, and any failing step fails the target.
TEST_STEPS = lint typecheck actionlint zizmor unit
# GNU make 4 groups each step's output; an older make (macOS's 3.81) runs the steps one at a time.
PARALLEL_STEPS = $(if $(filter output-sync,$(.FEATURES)),--output-sync=target -j 2,)
test: install
	$(MAKE) --no-print-directory $(PARALLEL_STEPS) $(TEST_STEPS)

## The quick loop: lint, type-check the Python files changed since HEAD, and the tests not marked slow.
check: install lint typecheck-changed unit-fast

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m pyright

# Changed or new Python files against HEAD (all of them when nothing is committed yet).
CHANGED_PY = $(shell { git diff --name-only --diff-filter=d HEAD -- '*.py'; git ls-files --others --exclude-standard -- '*.py'; } 2>/dev/null | sort -u)

typecheck-changed: install
	$(if $(strip $(CHANGED_PY)),$(PY) -m pyright $(CHANGED_PY),@echo "pyright: no changed Python files")

## GitHub Actions workflows: actionlint, with shellcheck on every run: script (both pinned in requirements-dev.txt).
actionlint: install
	$(VENV)/bin/actionlint -shellcheck $(VENV)/bin/shellcheck -pyflakes=

## Security audit of the workflows and actions (.github/zizmor.yml lists each ignored rule and why).
## Offline: the audits that ask GitHub's API (impostor commits, known-vulnerable actions) are left to CI.
zizmor: install
	$(VENV)/bin/zizmor --offline --no-progress .github/

unit: install
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

unit-fast: install
	$(PY) -m pytest -q -n 2 -m "not slow" $(PYTEST_ARGS)

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
