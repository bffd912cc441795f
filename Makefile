# The two quick-start commands: `make demo` (the main job) and `make test`.
# Each creates .venv and installs requirements.txt into it when they are missing or changed.
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to `alembic` and `jupyter`; they must come from the venv.
RUN := PATH="$(BIN):$$PATH" $(BIN)/python

.PHONY: demo test grade check install browser
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.txt
	touch $@

demo: install
	$(RUN) -m scripts.demo

test: install browser
	$(RUN) -m pytest tests

# Headless Chromium, for the test that renders the grading report (Debian's package; needs root).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium could not be installed: the report rendering test will be skipped"

# Instructors: autograde every submission in submitted/, export grades.csv, write autograded/report.html.
grade: install
	$(RUN) -m nnkit.batch

# Self-study: grade your own notebook(s) like the instructor's autograder. make check NB=path/to/x.ipynb
check: install
	$(RUN) -m nnkit.selfcheck $(NB)
