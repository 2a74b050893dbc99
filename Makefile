# Two commands do everything on a fresh machine (Python 3.11, make, git):
#   make report   run the notebooks in order into reports/ and export them to HTML
#   make test     run the test suite
# Both create .venv from requirements.txt the first time (a stamp avoids reinstalling).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# papermill parameters passed to every notebook, e.g. make report ARGS='-p seed 7'
ARGS   ?=

.PHONY: help venv report run publish html pdf bench test test-fast lab clean

help:
	@echo "make report   run notebooks 01-04 on the data found (or the synthetic default) into reports/, with HTML"
	@echo "make test     run the tests (unit tests and small-sample notebook runs)"
	@echo "make publish  re-execute the committed notebooks in place on the real data and refresh figures/"
	@echo "make html     export executed notebooks to HTML;  make pdf   the same to PDF (LaTeX)"
	@echo "make bench    speed and memory benchmark (fresh subprocess per measurement)"
	@echo "make lab      JupyterLab on the project's virtual environment"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (noshow-report)" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

report run: $(STAMP)
	$(BIN)/python -m helpers.report run $(ARGS)

publish: $(STAMP)
	$(BIN)/python -m helpers.report publish $(ARGS)

html: $(STAMP)
	$(BIN)/python -m helpers.report html $(ARGS)

pdf: $(STAMP)
	$(BIN)/python -m helpers.report pdf $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m helpers.bench $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf reports .pytest_cache
