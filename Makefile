# Two commands on a fresh machine (see README.md):
#   make book   build the whole website into _build/html (notebooks executed, warnings are errors)
#   make test   run every test: helper unit tests, book structure, nbval over every notebook, the book build,
#               and the built site read in headless Chromium (installed with apt-get if missing)
# Both create .venv from requirements.txt the first time.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test timings student grade strip lint clean chromium screenshots

# Progress bars in the notebooks the book executes print one final line of text, not an
# ipywidgets bar that the static pages cannot show (rnn_helpers/progress_bars.py). conftest.py
# sets it too, for a plain `pytest`; here it also reaches a notebook jupyter-book executes itself.
export RNN_BOOK_STATIC_PROGRESS := 1

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# nbval executes the notebooks (two at a time) into the build's execution cache, skipping
# those already cached (pytest exits 5 when that leaves nothing to run); jupyter-book then
# renders them (see conftest.py).
book: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q --only-uncached book || [ $$? -eq 5 ]  # 5: all cached
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# Everything but the book build first, two notebooks at a time (one torch thread each, two
# cores); then the book build, which reuses those executions (conftest.py), so each notebook
# is executed once; then the browser test, which reads the built site (tests/test_browser.py).
test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not build"
	$(BIN)/python -m pytest -m build

# The browser test and the screenshots drive Debian's Chromium and ChromeDriver, installed
# here when missing (CI runs as root on a clean Debian machine; elsewhere through sudo).
# CHROMIUM=/path CHROMEDRIVER=/path use another Chromium and its driver instead.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
chromium:
	@if [ -z "$$CHROMIUM" ] && ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then \
		echo "installing Debian's chromium and chromium-driver for the browser test"; \
		$(APT_INSTALL) || { $(SUDO) apt-get update && $(APT_INSTALL); }; \
	fi

# Screenshots of three pages of the built site (make book first) for the README.
screenshots: $(STAMP) chromium
	$(BIN)/python scripts/screenshots.py

timings: $(STAMP)
	$(BIN)/python scripts/time_notebooks.py

student: $(STAMP)
	$(BIN)/python scripts/make_student_version.py

# Grade submissions of one chapter (see scripts/grade.py), e.g.
#   make grade ARGS="--chapter 08 submissions/*.ipynb"   # reports in _build/grades
grade: $(STAMP)
	$(BIN)/python scripts/grade.py $(ARGS)

strip: $(STAMP)
	$(BIN)/python scripts/strip_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf _build
