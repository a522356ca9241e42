# How to work on this course. Every target bootstraps .venv first, so on a fresh machine
#   make lab    sets everything up and opens the course in JupyterLab
#   make test   sets everything up and runs every test (unit, notebooks, grading)
# The install is skipped when pyproject.toml has not changed since the last one (a stamp).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= test

.PHONY: lab test test-fast lint assign slides site bench bench-ui bench-site bench-quick hub hub-deps clean help

help:
	@echo "make lab         open the course (JupyterLab on lectures/)"
	@echo "make test        run every test: unit, property, notebooks, grading"
	@echo "make test-fast   unit and property tests only (no notebooks)"
	@echo "make lint        ruff over the package, tests and benchmarks"
	@echo "make slides      reveal.js decks of every lecture -> slides/"
	@echo "make site        the course site, every lecture executed -> _build/site/html"
	@echo "make assign      regenerate exercises/ from solutions/"
	@echo "make bench       benchmarks against scipy/numdifftools/torch -> benchmarks/RESULTS.md"
	@echo "make bench-ui    slider latency in JupyterLab and Voila -> benchmarks/UI_RESULTS.md"
	@echo "make bench-site  site build time, cold and warm -> benchmarks/SITE_RESULTS.md"
	@echo "make hub         a local JupyterHub with nbgrader's exchange (course hub)"
	@echo "make hub-deps    configurable-http-proxy (npm) for the hub, into .venv/chp"
	@echo "make clean       remove .venv and caches"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

# make test also installs the reference extra (torch), so every update in course_lib.adaptive and
# every autodiff gradient is compared with torch's in CI; make lab does not need it.
REF := $(VENV)/.reference
$(REF): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[reference]" \
	  || echo "note: torch did not install; the torch comparisons will skip"
	touch $(REF)

# JupyterHub's proxy is the npm package configurable-http-proxy, installed next to the venv.
# Without npm the hub cannot start: the end-to-end hub test then skips and says why.
CHP := $(VENV)/chp/node_modules/.bin/configurable-http-proxy
$(CHP):
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(VENV)/chp && npm install --prefix $(VENV)/chp --silent --no-audit --no-fund \
	    "configurable-http-proxy@^4.6" || echo "note: npm could not install configurable-http-proxy; the hub test will skip"; \
	else echo "note: npm is missing; the hub test will skip (apt-get install npm)"; fi

hub-deps: $(STAMP) $(CHP)

hub: hub-deps
	$(BIN)/course hub --root hub

lab: $(STAMP)
	$(BIN)/jupyter lab lectures/

# One pytest run: unit and property tests (torch.optim and torch.autograd as references), the
# real-browser tests (tests/browser: every lecture in JupyterLab and Voila in the system's
# Chromium; skipped, and said so by -rs, when Chromium is missing), then every lecture and
# solution notebook under nbval (--durations shows the slowest cells and tests in every CI
# log), then the quick benchmark smoke run (agreement with the anchors; timings never fail it).
test: $(STAMP) $(REF) hub-deps
	MPLBACKEND=Agg $(BIN)/python -m pytest -rs --nbval-lax tests lectures solutions
	MPLBACKEND=Agg $(BIN)/python -m benchmarks.run --quick --no-write

test-fast: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest tests -m "not slow" --ignore=tests/browser

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet "ruff>=0.5"
	$(BIN)/ruff check course_lib tests benchmarks
	$(BIN)/ruff format --check course_lib tests benchmarks

slides: $(STAMP)
	MPLBACKEND=Agg $(BIN)/course slides --out slides

# Sphinx + myst-nb + sphinx-book-theme (the site extra, part of the test extra); lectures are
# executed through myst-nb's cache in _build/site/jupyter_cache, so a rebuild re-runs only
# what changed. Publish _build/site/html on any static host.
site: $(STAMP)
	MPLBACKEND=Agg $(BIN)/course handout --out _build/site

assign: $(STAMP)
	$(BIN)/course assign solutions exercises

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-ui: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m benchmarks.ui_latency

bench-site: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m benchmarks.site_build

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis _build
