# kesu — two commands: `make run` (set up, demo data, serve) and `make test` (the whole suite).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KESU_DATA_DIR ?= $(CURDIR)/var
# The national region list is one data file of this package; its NLP dependencies are left out (pyproject.toml).
# The version is pinned because kesu/regions/loader.py reads the file's layout.
JIONLP := jionlp==1.5.31
# The PostgreSQL database the suite runs on a second time when it is reachable.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: setup run lint test test-sqlite test-postgres install clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/pip install --quiet --no-deps '$(JIONLP)'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: install
	$(BIN)/kesu setup

run: setup
	$(BIN)/kesu demo
	$(BIN)/kesu serve

# The gate every change passes first: ruff (rules and their reasons in pyproject.toml) and vulture for dead code.
# vulture's unused variables and attributes are left out: at its confidence they are model fields, form and admin
# attributes Django reads by name; unused arguments are ruff's ARG rules.
lint:
	$(BIN)/ruff check kesu tests conftest.py vulture_whitelist.py
	@echo "$(BIN)/vulture"; if $(BIN)/vulture | grep -Ev "unused (variable|attribute) "; then exit 1; fi

# The two passes run at once, one per core: the SQLite pass prints as it goes (a long silent run looks hung), the
# PostgreSQL pass writes to a log that is printed whole when both are done; either failing fails the target.
test: install lint
	@mkdir -p "$(KESU_DATA_DIR)"; \
	$(MAKE) --no-print-directory test-postgres > "$(KESU_DATA_DIR)/test-postgres.log" 2>&1 & postgres=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$postgres; pg=$$?; cat "$(KESU_DATA_DIR)/test-postgres.log"; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

test-sqlite:
	@echo "== 测试：SQLite =="
	env -u KESU_DATABASE_URL KESU_DATA_DIR="$(KESU_DATA_DIR)/test-sqlite" $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@if $(BIN)/python -m kesu.core.dbcheck "$(PG_TEST_URL)"; then \
		echo "== 测试：PostgreSQL =="; \
		KESU_DATABASE_URL="$(PG_TEST_URL)" KESU_DATA_DIR="$(KESU_DATA_DIR)/test-postgres" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$KESU_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL 不可用：$(PG_TEST_URL)"; exit 1; \
	else \
		echo "跳过 PostgreSQL 测试：$(PG_TEST_URL) 不可连接"; \
	fi

clean:
	rm -rf $(VENV) node_modules var
