# The two commands a newcomer needs: `make book` and `make test`.
# Both set up .venv from requirements.txt first (again whenever it changes).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_VENV := .venv-lab
LAB_STAMP := $(LAB_VENV)/.installed

.PHONY: help book test notebooks validate serve clean distclean bench lab pdf

help:
	@echo "make book       build the site into _build/html (strict: warnings fail)"
	@echo "make pdf        print the whole book as one PDF into _build/pdf (before make book, which links it)"
	@echo "make test       run the whole test suite (data, package, notebooks, site, browser)"
	@echo "make notebooks  re-execute every notebook in book/ and write its .ipynb"
	@echo "make validate   check the data files and their citation keys"
	@echo "make serve      serve _build/html on http://localhost:8000"
	@echo "make bench      measure build time and page weight against a stock build"
	@echo "make lab        open JupyterLab on book/, where each chapter's .md opens as a notebook"
	@echo "make clean      remove build outputs and caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "Python 3.11 or newer is needed, found %d.%d" % v[:2])'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Needs Debian's chromium and fonts-noto-cjk (and poppler-utils for the page count).
# Independent of `make book`; run it first, and `make book` links the PDF from the landing page.
pdf: $(STAMP)
	$(BIN)/python -m patron.workflow.pdf

test: $(STAMP)
	$(BIN)/python -m pytest

notebooks: $(STAMP)
	$(BIN)/python -m patron.workflow.notebooks execute

validate: $(STAMP)
	$(BIN)/python -m patron validate

serve: book
	$(BIN)/python -m http.server --directory _build/html 8000

# JupyterLab has its own environment (requirements-lab.txt says why). The pins
# in requirements.txt constrain every package the two share; pip refuses an
# editable line as a constraint, hence the filtered copy.
$(LAB_STAMP): requirements-lab.txt requirements.txt pyproject.toml
	rm -rf $(LAB_VENV)
	$(PYTHON) -m venv $(LAB_VENV)
	grep -v '^-e' requirements.txt > $(LAB_VENV)/constraints.txt
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt -c $(LAB_VENV)/constraints.txt
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(LAB_VENV)/bin/python -m patron.workflow.lab $(LAB_ARGS)

bench: $(STAMP)
	$(BIN)/python -m patron.workflow.bench

clean:
	rm -rf _build .pytest_cache bench-output
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(LAB_VENV)
