# The two quick-start commands: `make demo` (the main job) and `make test`.
# Each creates .venv and installs requirements.txt into it when they are missing or changed.
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to `alembic` and `jupyter`; they must come from the venv.
RUN := PATH="$(BIN):$$PATH" $(BIN)/python

.PHONY: demo test check install
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.txt
	touch $@

demo: install
	$(RUN) -m scripts.demo

test: install
	$(RUN) -m pytest tests

# Self-study: grade your own notebook(s) like the instructor's autograder. make check NB=path/to/x.ipynb
check: install
	$(RUN) -m nnkit.selfcheck $(NB)
