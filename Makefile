# Two commands from a fresh clone: `make demo` and `make test`. Each builds what it needs:
# .tools/ holds uv (pinned by hash), .venv/ the project's environment from uv.lock.
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
CHROMIUM := /usr/bin/chromium
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo test lint typecheck pytest bench clean lock

$(UV): tools/uv-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check --require-hashes \
		-r tools/uv-requirements.txt
	touch $(UV)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	touch $@

demo: $(VENV)/.synced
	$(BIN)/broen demo

test: lint typecheck pytest

lint: $(VENV)/.synced
	$(BIN)/ruff check broen tests benchmarks
	$(BIN)/ruff format --check broen tests benchmarks

typecheck: $(VENV)/.synced
	$(BIN)/mypy broen/analytics broen/cli

pytest: $(VENV)/.synced $(CHROMIUM)
	$(BIN)/pytest -n 2 -q

# The browser tests (tests/evaluation/test_report_browser.py) drive Debian's chromium through
# Playwright (downloading Playwright's own browser build does not work here). Installed once,
# when missing; sudo only when not root.
$(CHROMIUM):
	@echo "Installing chromium for the browser tests (apt-get)"
	@$(SUDO) apt-get update -qq
	@$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null

# The benchmarks' peers (causalml, psmpy) are in the bench group, which only `make bench` syncs.
# Its own stamp, after .synced: `make test` re-syncs without the group only when the lock
# changes (removing the peers), and that touches .synced, so the next `make bench` syncs again.
$(VENV)/.synced-bench: $(VENV)/.synced
	$(UV) sync --frozen --all-extras --group bench --python $(PYTHON)
	touch $@

bench: $(VENV)/.synced-bench
	$(BIN)/python benchmarks/synth.py
	$(BIN)/python benchmarks/matching.py --quick

lock: $(UV)
	$(UV) lock --python $(PYTHON)

clean:
	rm -rf $(VENV) $(TOOLS) broen-data .pytest_cache .mypy_cache .ruff_cache

# Property suite, long profile: thousands of fresh examples per property (see docs/testing.md).
PROPERTY_TESTS := tests/warehouse/test_properties.py tests/warehouse/test_properties_fatal.py \
	tests/warehouse/test_properties_parquet.py tests/warehouse/test_reference_csv.py
test-long: $(VENV)/.synced
	BROEN_HYPOTHESIS_PROFILE=long $(BIN)/pytest -n 2 -q $(PROPERTY_TESTS)

# Coverage-guided fuzzing of the CSV and Parquet readers, FUZZ_SECONDS per harness.
FUZZ_SECONDS ?= 300
fuzz: $(VENV)/.synced
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS)

.PHONY: test-long fuzz
