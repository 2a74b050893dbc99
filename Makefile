# Two commands do everything on a fresh machine (Python 3.11, make, git):
#   make report   run the notebooks 01-07 in order into reports/ and export them to HTML
#   make test     run the test suite
# Both create .venv from requirements.txt the first time (a stamp avoids reinstalling).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# papermill parameters, each passed to the notebooks that declare it, e.g. make report ARGS='-p seed 7'
ARGS   ?=
# opt-in: install torch from PyTorch's CPU wheel index first, e.g.
#   make venv TORCH_INDEX=https://download.pytorch.org/whl/cpu
# (default: empty, torch comes from the default index; on Linux that is the CUDA build)
TORCH_INDEX ?=
TORCH_PIN   := $(shell grep -E '^torch==' requirements.txt | cut -d' ' -f1)
# JupyterLab refuses to start as root without --allow-root (containers, CI)
LAB_ROOT    := $(if $(filter 0,$(shell id -u)),--allow-root,)
# the kernels of this environment (the project's "python3") before any of the user's own
export JUPYTER_PREFER_ENV_PATH := 1

.PHONY: help venv report run publish html pdf bench test test-fast lab clean

help:
	@echo "make report   run notebooks 01-07 on the data found (or the synthetic default) into reports/, with HTML"
	@echo "make test     run the tests (unit tests and small-sample notebook runs)"
	@echo "make publish  re-execute the committed notebooks in place on the real data and refresh figures/"
	@echo "make html     export executed notebooks to HTML;  make pdf   the same to PDF, plus reports/report.pdf"
	@echo "make bench    speed and memory benchmark (fresh subprocess per measurement)"
	@echo "make lab      JupyterLab on the project's virtual environment and kernel"
	@echo "make venv TORCH_INDEX=https://download.pytorch.org/whl/cpu   the CPU-only torch wheel (opt-in)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
ifneq ($(strip $(TORCH_INDEX)),)
	$(BIN)/python -m pip install --quiet --timeout 30 --retries 1 --index-url $(TORCH_INDEX) "$(TORCH_PIN)" \
	  || echo "warning: $(TORCH_PIN) not installed from $(TORCH_INDEX); the default index's build is installed instead"
endif
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (noshow-report)" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

report run: $(STAMP)
	$(BIN)/python -m helpers.publish run $(ARGS)

publish: $(STAMP)
	$(BIN)/python -m helpers.publish publish $(ARGS)

html: $(STAMP)
	$(BIN)/python -m helpers.publish html $(ARGS)

pdf: $(STAMP)
	$(BIN)/python -m helpers.publish pdf $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m helpers.cost $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=python3 \
	  --KernelManager.transport_encryption=auto $(LAB_ROOT)

clean:
	rm -rf reports .pytest_cache
