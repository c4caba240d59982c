# The README's two commands: `make run` and `make test`. Each sets itself up first.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.setup-done
INDEX   ?= var/index
CORPUS  ?= corpus
PORT    ?= 7860
HOST    ?= 127.0.0.1

.PHONY: setup run test test-all lint bench browser-deps ocr-deps clean

setup: $(STAMP)

# torch goes in first and pinned: it resolves to the local CPU wheel. Installed any later, a
# dependency's bare `torch` requirement would pull ~3 GB of CUDA packages.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# `make run PORT=8080` for another port; Ctrl+C stops the app (the index is kept).
run: setup ocr-deps
	$(PY) -m ingest --corpus $(CORPUS) --index $(INDEX)
	$(PY) app.py --corpus $(CORPUS) --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium for the Playwright browser tests (`playwright install` cannot download here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium (sudo apt-get install chromium) for the browser tests"; fi; }

# Debian's Tesseract 5 for scanned pages (ingest/ocr.py). Without it scans are listed as
# "needs OCR" and the OCR tests are skipped with that reason; everything else works.
ocr-deps:
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx eng || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null; \
	  else echo "tesseract is missing: install Debian's tesseract-ocr and tesseract-ocr-eng (sudo apt-get install tesseract-ocr tesseract-ocr-eng) to read scanned PDFs"; fi; }

test: setup browser-deps ocr-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not slow"

test-all: setup browser-deps ocr-deps
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .

clean:
	rm -rf var .pytest_cache .ruff_cache
