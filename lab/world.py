"""One lab world: the scenario, its clock, its secrets, its faults, its request log, its systems."""

from __future__ import annotations

import copy
import json
import os
import secrets
import threading

import yaml
from werkzeug.wrappers import Request, Response

import random
import re

from .awx import AWX
from .classic import Classic
from .jenkins import Jenkins
from .core import Clock, Faults, Recorder, Violations, json_response
from .github import GitHub
from .pagerduty import PagerDuty
from .securitycenter import SecurityCenter
from .servicenow import ServiceNow
from .slack import Slack

# libyaml's safe loader when PyYAML has it (the same documents, several times faster: a scenario of 20,000 scans,
# bench/bench_compliance.py, reads in seconds instead of half a minute), else the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCENARIO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")


def scenario_path(name):
    """A scenario by name (``lab/scenarios/NAME.yaml``) or by path."""
    if os.path.sep in name or name.endswith((".yaml", ".yml")):
        return name
    return os.path.join(SCENARIO_DIR, name + ".yaml")


def _deep_merge(base, extra):
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _apply_overrides(spec, overrides):
    """``overrides``: ``{scan: NAME, set: {...}}`` / ``{scanner: NAME, set: {...}}`` / ``{zone: NAME, set: {...}}``."""
    sc = spec.setdefault("securitycenter", {})
    for item in overrides or ():
        found = False
        if "scan" in item:
            for scan in sc.get("scans") or []:
                if scan["name"] == item["scan"]:
                    scan.update(copy.deepcopy(item.get("set") or {}))
                    found = True
        elif "scanner" in item:
            for zone in sc.get("zones") or []:
                for scanner in zone.get("scanners") or []:
                    if scanner["name"] == item["scanner"]:
                        scanner.update(copy.deepcopy(item.get("set") or {}))
                        found = True
        elif "zone" in item:
            for zone in sc.get("zones") or []:
                if zone["name"] == item["zone"]:
                    zone.update(copy.deepcopy(item.get("set") or {}))
                    found = True
        if not found:
            raise ValueError("scenario override matches nothing: %r" % (item,))
    return spec


def load_scenario(name):
    """Read a scenario, resolving ``extends`` (deep merge) and ``overrides``."""
    path = scenario_path(name)
    with open(path, encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=SAFE_LOADER) or {}  # nosec B506 - a safe loader
    parent = spec.pop("extends", None)
    own_name = spec.get("name") or os.path.splitext(os.path.basename(path))[0]
    if parent:
        spec = _deep_merge(load_scenario(parent), spec)
    spec["name"] = own_name  # a scenario is named by its own file, not by the one it extends
    for dotted, items in (spec.pop("append", None) or {}).items():  # {"securitycenter.zones": [...]}: added to the list
        parent, _dot, key = dotted.rpartition(".")
        node = spec
        for part in [p for p in parent.split(".") if p]:
            node = node.setdefault(part, {})
        node[key] = list(node.get(key) or []) + copy.deepcopy(items)
    overrides = spec.pop("overrides", None)
    return _apply_overrides(spec, overrides)


class Secrets:
    """Every credential the lab hands out, generated per run so that none is in the repository."""

    def __init__(self):
        self.values = {}

    def new(self, name, nbytes=16):
        value = secrets.token_hex(nbytes)
        self.values[name] = value
        return value


class World:
    def __init__(self, spec, lab_dir):
        self.spec = spec
        self.lab_dir = lab_dir
        clock = spec.get("clock") or {}
        self.clock = Clock(clock.get("start"), clock.get("speed", 60))
        self.faults = Faults(spec.get("faults"))
        self.recorder = Recorder(os.path.join(lab_dir, "requests.jsonl"))
        self.violations = Violations(os.path.join(lab_dir, "violations.jsonl"))
        self.secrets = Secrets()
        self.lock = threading.Lock()
        # Each lab's scanners live in their own loopback /24, so several labs can run side by side.
        pick = random.SystemRandom()  # not the global generator, which test frameworks seed alike in every worker
        self.scanner_block = "127.%d.%d" % (pick.randint(20, 250), pick.randint(1, 250))
        self.sc = SecurityCenter(spec.get("securitycenter") or {}, self.clock, self.secrets, self.scanner_address)
        classic = spec.get("classic") or {}
        self.classic = Classic(classic, self.clock, self.secrets)
        self.domain = classic.get("domain", "nessus.lab.example")
        machines = classic.get("machines") or {}
        pattern = classic.get("machine_pattern", "-infra-nessus-")
        for scanner in self.sc.scanners.values():
            if pattern in scanner["name"] or scanner["name"] in machines:
                machine = self.classic.add_machine(scanner["name"], self.domain, scanner["ip"], machines.get(scanner["name"]))
                scanner["machine"] = machine
        self.github = GitHub(spec.get("github") or {}, self.clock, self.secrets)
        self.pagerduty = PagerDuty(spec.get("pagerduty") or {}, self.clock, self.secrets)
        self.servicenow = ServiceNow(spec.get("servicenow") or {}, self.clock, self.secrets)
        self.servicenow.on_insert.append(self._sos_acts)
        self.jenkins = Jenkins(spec.get("jenkins") or {}, self.clock, self.secrets)
        self.awx = AWX(spec.get("awx") or {}, self.clock, self.secrets)
        self.slack = Slack(spec.get("slack") or {}, self.clock, self.secrets)

    def _sos_acts(self, table, record):
        """SOS re-enables a scanner some time after they are asked to (the machine's ``sos_reenable_seconds``)."""
        match = re.match(r"Re-enable Nessus scanner (\S+)", record.get("short_description", ""))
        machine = self.classic.by_name(match.group(1)) if match else None
        if machine is not None:
            machine.request_reenable(self.clock.now())

    def scanner_address(self, name, index):
        """Each scanner gets its own loopback address: the lab's hosts never leave loopback."""
        return "%s.%d" % (self.scanner_block, index)

    def admin(self, request: Request):
        """``/_lab/*``: test hooks (not recorded). Loopback only, like the whole lab."""
        path = request.path[len("/_lab/"):]
        body = request.get_json(silent=True) or {}
        if path == "faults" and request.method == "POST":
            self.faults.add(body)
            return json_response({"faults": len(self.faults.rules)})
        if path == "faults" and request.method == "DELETE":
            self.faults.clear()
            return json_response({"faults": 0})
        if path == "clock" and request.method == "POST":
            self.clock.advance(float(body.get("advance", 0)))
            return json_response({"now": self.clock.now()})
        if path == "clock":
            return json_response({"now": self.clock.now(), "speed": self.clock.speed})
        if path == "sc/expire-sessions" and request.method == "POST":
            self.sc.expire_sessions()
            return json_response({"sessions": 0})
        if path == "classic/machine" and request.method == "POST":
            machine = self.classic.by_name(body.get("name"))
            if machine is None:
                return json_response({"error": "no such machine"}, status=404)
            for key in ("nessusd", "state", "hung", "sc_enabled"):
                if key in body:
                    setattr(machine, "nessusd_state" if key == "nessusd" else key, body[key])
            return json_response({"name": machine.hostname})
        if path == "sc/scanner" and request.method == "POST":
            for scanner in self.sc.scanners.values():
                if scanner["name"] == body.get("name"):
                    scanner["status"] = int(body["status"])
                    return json_response({"name": scanner["name"], "status": scanner["status"]})
            return json_response({"error": "no such scanner"}, status=404)
        if path == "awx" and request.method == "GET":  # what the AWX stand-in was asked to create, and holds
            return json_response({"log": self.awx.log, "state": self.awx.state()})
        return Response("unknown lab hook", status=404)

    def describe(self):
        return json.dumps({"scenario": self.spec.get("name"), "now": self.clock.now()})
