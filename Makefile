# conductors.nessus_compliance: developer and CI entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
COLLECTIONS := $(abspath $(VENV))/collections
SCENARIO ?= default
# The ansible package whose bundled awx.awx collection the AWX configuration playbook uses.
ANSIBLE_BUNDLE ?= 12.3.0
LAB_DIR ?= .lab
REPORTS ?= reports
# Each demo starts a new lab (a new world): its record, and the history its next steps read, start empty too (the
# records of an earlier demo's world would resume its steps, and count its reboots against the daily limit).
DEMO_RECORDS := $(REPORTS)/demo-$(shell date -u +%Y%m%dT%H%M%SZ)
PYTEST_WORKERS ?= 2
# Scenario tests mostly wait on the lab's simulated time (load stays below 1 on 2 cores): run more of them at once.
SCENARIO_WORKERS ?= 4
# The smoke run: unit tests and one scenario on the newest ansible-core under Python 3.12.
PYENV_ROOT ?= $(or $(shell pyenv root 2>/dev/null),$(HOME)/.pyenv)
PY312 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
SMOKE_VENV ?= .venv-smoke

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The scenarios whose playbooks judge Security Center's times (the compliance check, the public branch's recent-run
# guard, the alert's); the private branch judges them through the compliance check and the same guard.
CLOCK_TESTS ?= tests/integration_py/test_public_branch.py tests/integration_py/test_scan_compliance.py \
  tests/integration_py/test_remediate_from_alert.py
CLOCK_SHIFTS ?= +400d

.PHONY: help venv testhosts faketime clock security faults demo test run site lab-up lab-down lab-status lint sanity units scenarios molecule importer changelog smoke matrix bench clean

help: ## list the targets, and whether a lab is running
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo; $(MAKE) --no-print-directory lab-status

$(BIN)/.installed: requirements-dev.txt requirements.txt
	@echo "== toolchain in $(VENV) ($(PYTHON))"
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip 2>&1 | { grep -v 'is ignored' || true; }
	$(BIN)/pip install -q -r requirements-dev.txt 2>&1 | { grep -v 'is ignored' || true; }
	mkdir -p $(COLLECTIONS)/ansible_collections/conductors
	ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/conductors/nessus_compliance
	@# awx.awx for playbooks/awx_configure.yml, from the ansible package on PyPI (Galaxy is not reachable)
	$(BIN)/pip download -q --no-deps -d $(VENV)/wheels ansible==$(ANSIBLE_BUNDLE) 2>&1 | { grep -v 'is ignored' || true; }
	$(BIN)/python -c "import glob, zipfile; z = zipfile.ZipFile(glob.glob('$(VENV)/wheels/ansible-$(ANSIBLE_BUNDLE)-*.whl')[0]); \
	  [z.extract(n, '$(COLLECTIONS)') for n in z.namelist() if n.startswith('ansible_collections/awx/awx/')]"
	touch $@

venv: $(BIN)/.installed ## create the pinned toolchain in .venv (done by every target that needs it)

lab-up: venv ## start the lab in the background: make lab-up SCENARIO=name [SSH=1] [REPLACE=1]; settings in .lab/env.sh
	$(BIN)/python -m lab up --scenario $(SCENARIO) --dir $(LAB_DIR) $(if $(filter-out 0,$(SSH)),--ssh) \
	  $(if $(filter-out 0,$(REPLACE)),--replace)

run: venv ## the main command against the running lab: make run ZONE=ALC_Prod_WDC06_SZ [ARGS='--check']
	@[ -f $(LAB_DIR)/env.sh ] || { echo "no lab running: make lab-up SCENARIO=default first"; exit 1; }
	set -a; . $(LAB_DIR)/env.sh; set +a; \
	  $(BIN)/ansible-playbook -i $(LAB_DIR)/lab.scan_zones.yml playbooks/remediate_private_scan.yml \
	    -e zone=$(or $(ZONE),ALC_Prod_WDC06_SZ) -e remediation_record_dir=$(abspath $(REPORTS)) $(ARGS)

site: ## write inventory/site.scan_zones.yml (your site settings) from the shipped example, if it is not there
	@if [ -e inventory/site.scan_zones.yml ]; then echo "inventory/site.scan_zones.yml exists: edit it"; \
	else cp inventory/site.scan_zones.yml.example inventory/site.scan_zones.yml; \
	  echo "wrote inventory/site.scan_zones.yml: set every 'SET ME' (domain, bastion_target) you use"; fi

lab-status: ## is a lab running, with which scenario
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m lab status --dir $(LAB_DIR); else echo "no lab (make venv first)"; fi

lab-down: ## stop the lab
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m lab down --dir $(LAB_DIR); fi

demo: venv ## start the lab and run the main job against it
	$(MAKE) --no-print-directory lab-up SCENARIO=$(SCENARIO)
	set -a; . $(LAB_DIR)/env.sh; set +a; \
	  { $(BIN)/ansible-playbook playbooks/scan_compliance.yml -e scan_compliance_report_dir=$(abspath $(REPORTS)) \
	      -e '{"scan_compliance_github_issue": true, "scan_compliance_pagerduty": true}' \
	    && $(BIN)/ansible-playbook -i $(LAB_DIR)/lab.scan_zones.yml playbooks/remediate_private_scan.yml \
	      -e zone=ALC_Prod_WDC06_SZ -e remediation_record_dir=$(abspath $(DEMO_RECORDS)) -e @demo/lab_timings.yml; } \
	  || { $(MAKE) --no-print-directory lab-down; exit 1; }
	$(MAKE) --no-print-directory lab-down
	@echo; echo "== the alert (reports/scan_compliance.md):"; cat $(REPORTS)/scan_compliance.md
	@echo; echo "== the remediation record:"; cat $(DEMO_RECORDS)/remediation-*.md
	@echo; echo "reports in $(REPORTS)/, this demo's record in $(DEMO_RECORDS)/"

# make matrix runs beside the other gates (in its own process group, stopped if one fails); its table comes last.
test: venv ## every quality gate and every test (what .ci/run runs)
	@start=$$(date +%s); mkdir -p tests/output; rm -f tests/output/matrix.status; \
	echo "== make matrix starts beside the gates below (output: tests/output/matrix.log)"; \
	MATRIX_MAIN_BY_GATES=1 setsid bash -c '$(MAKE) --no-print-directory matrix > tests/output/matrix.log 2>&1; \
	  echo $$? > tests/output/matrix.status' & matrix=$$!; \
	trap 'kill -- -'$$matrix' 2>/dev/null || true' EXIT; \
	times=""; for gate in lint sanity units scenarios faults security clock molecule importer changelog; do \
	  echo; echo "=================== make $$gate"; gate_start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$gate || { echo "FAILED: make $$gate"; exit 1; }; \
	  times="$$times $$gate=$$(( $$(date +%s) - gate_start ))s"; \
	done; \
	echo; echo "gate times:$$times"; \
	echo; echo "=================== make matrix (started with the gates above, $$(( $$(date +%s) - start )) s ago)"; \
	wait $$matrix || true; trap - EXIT; cat tests/output/matrix.log; \
	[ "$$(cat tests/output/matrix.status 2>/dev/null)" = 0 ] || { echo "FAILED: make matrix"; exit 1; }; \
	echo; echo "all gates passed in $$(( $$(date +%s) - start )) s"

lint: venv ## ansible-lint --profile production
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/ansible-lint --profile production --nocolor

sanity: venv ## ansible-test sanity in an ansible_collections tree, offline, no ignore files
	PATH=$(abspath $(BIN)):$$PATH bash .ci/sanity.sh

units: venv ## unit tests (pytest)
	$(BIN)/python -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) tests/unit

scenarios: venv testhosts ## playbooks run by ansible-playbook against the lab
	$(BIN)/python -m pytest -p no:cacheprovider -rs -n $(SCENARIO_WORKERS) tests/integration_py

faults: venv ## the fault matrix: one injected fault per full run, no repeated action, the table printed
	$(BIN)/python -m pytest -p no:cacheprovider -rs -n $(SCENARIO_WORKERS) tests/faults

security: venv ## outside text is data: templating attempts, hostile webhooks and clients, inert output (README: Security)
	$(BIN)/python -m pytest -p no:cacheprovider -rs -n $(SCENARIO_WORKERS) tests/security \
	  tests/unit/plugins/module_utils/test_alert.py tests/unit/plugins/module_utils/test_inert.py tests/unit/test_signed_webhook.py

clock: venv faketime ## the scenarios that judge times, with the controller's clock moved (faketime): nothing may use it
	for shift in $(CLOCK_SHIFTS); do \
	  echo "== controller clock $$shift (the lab's Security Center stays on its own day)"; \
	  CONTROLLER_CLOCK_SHIFT=$$shift $(BIN)/python -m pytest -p no:cacheprovider -q -n $(SCENARIO_WORKERS) $(CLOCK_TESTS); \
	done

faketime: ## libfaketime for make clock (apt-get install faketime when root and missing)
	@if command -v faketime >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== faketime for the shifted-clock runs"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; \
	else echo "no faketime here: as root, apt-get install faketime"; exit 1; fi

testhosts: ## sshd for the lab's SSH scanner hosts (apt-get install openssh-server when root and missing)
	@if command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== openssh-server for the SSH scanner hosts"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; \
	else echo "no sshd here: the SSH scanner-host scenarios will be skipped (as root: apt-get install openssh-server)"; fi

molecule: venv ## molecule test for every role scenario (extensions/molecule)
	@# molecule keeps scenario state under ~/.ansible/tmp: start every run from a clean state
	for s in extensions/molecule/*/molecule.yml; do \
	  PATH=$(abspath $(BIN)):$$PATH $(BIN)/molecule reset -s $$(basename $$(dirname $$s)) >/dev/null; done
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/molecule test --all

importer: venv ## build the collection and run galaxy-importer on the tarball
	PATH=$(abspath $(BIN)):$$PATH bash .ci/importer.sh

changelog: venv ## antsibull-changelog lint
	$(BIN)/antsibull-changelog lint

# In make test (MATRIX_MAIN_BY_GATES=1) the main .venv's ansible-core (2.19) is make units' and make scenarios': not run twice.
matrix: venv ## every ansible-core from requires_ansible to the newest: sanity, units, scenarios (VERSIONS=2.16,2.20)
	PY312=$(PY312) $(BIN)/python .ci/matrix.py run $(if $(VERSIONS),--versions $(VERSIONS))

smoke: ## unit tests and one scenario on the newest ansible-core under Python 3.12 (make matrix covers it)
	@[ -n "$(PY312)" ] || { echo "no Python 3.12 found (set PY312=/path/to/python3.12)"; exit 1; }
	[ -x $(SMOKE_VENV)/bin/python ] || $(PY312) -m venv $(SMOKE_VENV)
	$(SMOKE_VENV)/bin/pip install -q -U pip 2>&1 | { grep -v 'is ignored' || true; }
	$(SMOKE_VENV)/bin/pip install -q -U ansible-core -r requirements-smoke.txt 2>&1 | { grep -v 'is ignored' || true; }
	@$(SMOKE_VENV)/bin/ansible --version | head -1
	PATH=$(abspath $(SMOKE_VENV))/bin:$$PATH $(SMOKE_VENV)/bin/python -m pytest -p no:cacheprovider -q \
	  tests/unit tests/integration_py/test_zone_health.py

bench: venv ## benchmarks (print ratios)
	@ls bench/*.py >/dev/null 2>&1 || { echo "no benchmarks yet"; exit 0; }
	for b in bench/bench_*.py; do $(BIN)/python $$b; done

clean: lab-down ## remove build output (keeps .venv)
	rm -rf dist $(REPORTS) tests/output .pytest_cache importer_result.json
