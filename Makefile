# tritonship — `make demo` runs the whole pipeline on the bundled example; `make test` runs every test.
# Both install what they need first (Debian packages with apt-get, Python packages into .venv).

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
APT_PACKAGES := groovy default-jre-headless docker-registry buildah podman prometheus libb64-0d uidmap openssl libyaml-snake-java chromium busybox-static
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system venv test demo lint bench clean

setup: system venv

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

# The agent, then the stand-ins (standins/: Kubernetes simulator, Jenkins stand-in, local servers) that
# the tests and the demo use; the stand-ins are a separate distribution, not part of the agent's wheel.
$(VENV)/.installed: pyproject.toml standins/pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --no-deps -e ./standins
	@touch $@

test: setup
	$(PY) -m pytest tests

demo: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash examples/demo/run.sh

lint: setup
	$(VENV)/bin/ruff check agent standins tests benchmarks
	$(PY) -m pytest -q tests/groovy/test_groovy.py -k compiles   # groovyc over vars/, pipelines/, Jenkinsfile

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .demo reports
