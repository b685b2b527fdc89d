# Two commands do all the set-up from a fresh clone:
#   make run    serve the course at http://127.0.0.1:8000
#   make test   run the whole test suite (route, content, simulator and browser tests)
# Both create .venv and install what they need into it.

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/brokerlab serve --host $(HOST) --port $(PORT)

# The browser tests need a Chromium; tests/browser/find-chromium.sh finds one
# (or, as root, installs Debian's) and prints its path.
test: $(VENV)/.installed-test
	BROKERLAB_CHROMIUM="$$(PY=$(PY) sh tests/browser/find-chromium.sh)" $(PY) -m pytest

bench: $(VENV)/.installed-test
	$(PY) bench/sim_throughput.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis
