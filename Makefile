# The two quick-start commands: `make demo` (the main job) and `make test`.
# Each creates .venv when it is missing and installs into it the kit (editable, this folder) with the
# extras of pyproject.toml its role needs, each extra once: demo, grade and check install `grading`
# (under 1 GB); test, bench and mutants add theirs to the same .venv, and nothing ever uninstalls
# what another target installed. A stamp per extra (.venv/.installed-EXTRA) records it, redone when
# pyproject.toml changes. As root, each target also installs the Debian packages it needs
# (system-packages.txt).
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Every job is a subcommand of `nnkit` (nnkit/cli.py), which puts the venv's bin/ first on PATH itself.
NNKIT := $(BIN)/nnkit
# pytest: nbgrader shells out to `alembic` and `jupyter`; they must come from the venv.
RUN := PATH="$(BIN):$$PATH" $(BIN)/python
SYSTEM_PACKAGES ?= system-packages.txt
# Three test processes (pytest-xdist), each taking a whole test file at a time (its module fixtures
# made once), the files that grade first (tests/conftest.py orders them): much of the suite waits
# on kernels, time limits and budgets, so a third process fills the 2 cores' idle time.
PYTEST_PROCESSES ?= -n 3 --dist loadfile --no-loadscope-reorder

.PHONY: demo test test-quick grade check compare install sandbox system bench mutants author
# One pip at a time in the one .venv.
.NOTPARALLEL:

install: $(VENV)/.installed-grading

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# An extra of pyproject.toml (grading, authoring, tests, data), with the kit itself, editable.
$(VENV)/.installed-%: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -qq --disable-pip-version-check -e ".[$*]"
	touch $@

# Debian packages whose file (second column of system-packages.txt) is missing, installed as root.
# PACKAGES=all: every package of the list; otherwise the ones named. A policy-rc.d that refuses keeps
# their install from starting services (munge, slurmctld, slurmd: the tests start their own), unless
# the machine has one already (Docker images do); it is removed afterwards.
define system_packages
	@missing=$$(awk -v want="$(1)" '!/^#/ && NF && (want == "all" || index(" " want " ", " " $$1 " ")) \
		{ if (system("ls " $$2 " >/dev/null 2>&1")) print $$1 }' $(SYSTEM_PACKAGES)); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages: $$missing"; \
			policy=/usr/sbin/policy-rc.d; made=; \
			if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' > $$policy && chmod 755 $$policy && made=1; fi; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
			status=$$?; [ -z "$$made" ] || rm -f $$policy; exit $$status; \
		else \
			echo "Not root, so not installing: $$missing (see system-packages.txt)"; \
		fi; \
	fi
endef

# bubblewrap: the sandbox every grading kernel runs in; libseccomp2: its syscall filter.
sandbox:
	$(call system_packages,bubblewrap libseccomp2)

# Everything the tests need: the sandbox, Chromium and its driver, PostgreSQL.
system:
	$(call system_packages,all)

# make exits 2 whenever the command fails and names its code in its last line (Error 3: the kit's failure,
# not the students'); for the code itself run the command behind the target (its --help lists them).
demo: $(VENV)/.installed-grading sandbox
	$(NNKIT) demo

# The tests need every role's packages: torch to prove the references, the browser, the data builder, the hub.
# CI runs this: ruff first (pyproject.toml's [tool.ruff]; a finding fails the target), then every test.
test: $(VENV)/.installed-grading $(VENV)/.installed-authoring $(VENV)/.installed-tests $(VENV)/.installed-data $(VENV)/.installed-selfstudy $(VENV)/.installed-hub system
	$(BIN)/ruff check .
	$(RUN) -m pytest tests $(PYTEST_PROCESSES)

# While you work: every test not marked slow (no grading, no nbgrader run: tests/conftest.py fails an
# unmarked test that starts one), in a few minutes. Not a substitute for `make test`.
test-quick: $(VENV)/.installed-grading $(VENV)/.installed-authoring $(VENV)/.installed-tests $(VENV)/.installed-data $(VENV)/.installed-selfstudy $(VENV)/.installed-hub system
	$(BIN)/ruff check .
	$(RUN) -m pytest tests -m "not slow" $(PYTEST_PROCESSES)

# Speed: sandboxed and bare grading, parallel workers, reference conv/pool against torch, the seed's worst cell.
bench: $(VENV)/.installed-grading $(VENV)/.installed-authoring sandbox
	$(NNKIT) bench

# Authors: what adding an assignment needs (docs/authoring.md): grading, the authoring tools (torch, jupytext,
# the mutation tester), the sandbox.
author: $(VENV)/.installed-grading $(VENV)/.installed-authoring sandbox

# Authors: do the hidden tests catch wrong code? Mutants of each reference solution, judged by its cases.
mutants: $(VENV)/.installed-grading $(VENV)/.installed-authoring
	$(NNKIT) author mutants $(ASSIGNMENT)

# Instructors: autograde every submission in submitted/, export grades.csv, write autograded/report.html.
# JOBS=2: two workers grade at once (one per core is the most that helps).
JOBS ?= 1
grade: $(VENV)/.installed-grading sandbox
	$(NNKIT) grade --jobs $(JOBS)

# Self-study: grade your own notebook like the instructor's autograder: make check NB=path/to/activations.ipynb
# (make exits 2 whenever the check fails; run `.venv/bin/nnkit check PATH` for its own 0/1/2).
check: $(VENV)/.installed-grading
	$(NNKIT) check $(if $(NB),"$(NB)")

# Self-study: your answers against the worked solution, with nbdime: make compare NB=path/to/activations.ipynb
# (WEB=1: in the browser, nbdiff-web).
compare: $(VENV)/.installed-grading $(VENV)/.installed-selfstudy
	$(NNKIT) compare $(if $(NB),"$(NB)") $(if $(WEB),--web)
