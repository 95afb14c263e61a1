# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench bench-peers fuzz chaos clean

$(STAMP): pyproject.toml constraints.txt Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# compat: the project folder on sys.path through a .pth file, which mypy follows; the default
	@# editable mode installs an import hook that mypy cannot see, so a connector package type-checked
	@# against this checkout found no canonical, connectors or mappings (and none of their py.typed)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

run: $(STAMP)
	rm -rf var/demo && mkdir -p var/demo/inbox && cp demo/inbox/* var/demo/inbox/
	$(BIN)/crossdock run --inbox var/demo/inbox --data-dir var/demo --once --echo
	$(BIN)/crossdock dlq list --data-dir var/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# the layers of pyproject.toml's [tool.importlinter] contracts: no arrow points upward
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite over the cores (pytest-xdist; at most 8 workers, TEST_WORKERS=0 for one process),
# then the outage tests alone: they stop the shared RabbitMQ and PostgreSQL, which would break
# whatever ran beside them (they skip unless CROSSDOCK_OUTAGE_TESTS=1, as .ci/run sets)
TEST_WORKERS ?= auto
unit: $(STAMP)
	$(BIN)/crossdock schemas check
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 8 -m "not outage"
	$(BIN)/pytest -m outage

test: lint typecheck unit

bench: $(STAMP)
	@# wrk (Debian) generates the HTTP load from its own process; without it those rows are skipped
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
		|| echo "wrk is not installed and could not be: HTTP load benchmarks will be skipped"
	@# OpenSSH's sshd (Debian) is the SFTP benchmark's server; the benchmark starts it itself
	@test -x /usr/sbin/sshd || apt-get install -y -q openssh-server >/dev/null 2>&1 \
		|| echo "sshd is not installed and could not be: the SFTP benchmark will fail"
	$(BIN)/python -m benchmarks

# Crossdock beside Airbyte's File source and a csv+pydantic reference on one 1M-row CSV, whole
# processes, three interleaved rounds; Airbyte goes into its own venv under var/peers (its 0.6.0
# declares smart-open[all]==0.6.0, which does not exist: its dependencies are installed with the
# upstream pin 6.0.0, then the connector with --no-deps). PEERS_ARGS='--rows N' for a smaller file.
bench-peers: $(STAMP)
	$(BIN)/python -m benchmarks.bench_peers $(PEERS_ARGS)

# the format readers' hypothesis fuzzers, far longer than the suite runs them (200 examples)
fuzz: $(STAMP)
	CROSSDOCK_FUZZ_EXAMPLES=10000 $(BIN)/pytest -q tests/formats/x12/test_fuzz.py \
		tests/formats/edifact/test_fuzz.py tests/formats/test_document_fuzz.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

# issue 16's chaos cases at full length on private servers it starts itself (never the shared
# ones): kills, broker and database outages, a full disk, several hubs; writes CHAOS.md
chaos: $(STAMP)
	$(BIN)/python -m tests.chaos
