# The two quick-start commands: `make demo` (the main job) and `make test`.
# Each creates .venv and installs requirements.txt into it when they are missing or changed.
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to `alembic` and `jupyter`; they must come from the venv.
RUN := PATH="$(BIN):$$PATH" $(BIN)/python

.PHONY: demo test grade check install browser postgres bench
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.txt
	touch $@

demo: install
	$(RUN) -m scripts.demo

test: install browser postgres
	$(RUN) -m pytest tests

# Headless Chromium, for the test that renders the grading report (Debian's package; needs root).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium could not be installed: the report rendering test will be skipped"

# A PostgreSQL server, for the test of a gradebook shared by workers (Debian's package; needs root).
# The test starts its own private server with it; nothing is left running.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
		echo "postgresql could not be installed: the shared-gradebook test will be skipped"

# Speed: grading overhead, parallel workers, reference conv/pool against torch, the seed's worst cell.
bench: install
	$(RUN) -m benchmarks

# Instructors: autograde every submission in submitted/, export grades.csv, write autograded/report.html.
# JOBS=2: two workers grade at once (one per core is the most that helps).
JOBS ?= 1
grade: install
	$(RUN) -m nnkit.batch --jobs $(JOBS)

# Self-study: grade your own notebook(s) like the instructor's autograder. make check NB=path/to/x.ipynb
check: install
	$(RUN) -m nnkit.selfcheck $(NB)
