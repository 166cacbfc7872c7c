"""The lab's shared machinery: one simulated clock, the request recorder, fault rules, JSON answers.

Every stand-in (Security Center now; classic infrastructure, Jenkins, ServiceNow, PagerDuty and
GitHub later) is a Werkzeug WSGI app wrapped by ``LabApp``, which records each request (method,
path, query, status, duration; never headers or bodies, so never a secret) to a JSON-lines log and
applies the scenario's fault rules before the stand-in sees the request.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from datetime import datetime, timezone

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response


def parse_time(value):
    """``now``, an epoch, or an ISO 8601 date-time (``Z`` allowed) -> epoch seconds."""
    if value in (None, "now"):
        return time.time()
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class Clock:
    """Simulated time: ``start`` at lab start, running ``speed`` times faster than real time."""

    def __init__(self, start=None, speed=1.0):
        self.start = parse_time(start)
        self.speed = float(speed)
        self._real0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            return self.start + self._offset + (time.monotonic() - self._real0) * self.speed

    def advance(self, seconds):
        with self._lock:
            self._offset += float(seconds)

    def real_seconds(self, simulated):
        """How long ``simulated`` seconds take in real time."""
        return simulated / self.speed


class Recorder:
    """Appends one JSON line per request served. Tests read the file; nothing secret goes in."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._fh = open(path, "a", encoding="utf-8")  # pylint: disable=consider-using-with

    def record(self, entry):
        line = json.dumps(entry, sort_keys=True)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self):
        with self._lock:
            self._fh.close()


class FaultRule:
    """One injected fault: which requests it matches, how many times, and what happens instead.

    ``match``: ``system``, ``method``, ``path`` (regular expression, searched), ``after`` (let the
    first N matching requests through), ``times`` (apply to N requests; null = always), ``probability`` (apply to
    each matching request with this probability, drawn from a generator seeded with ``seed``, default 0, so that a
    run sends the same faults to the same requests every time).
    ``action``: ``status``, ``body`` (``json`` (an envelope-specific error body), ``html``, ``text``,
    ``empty``), ``content_type``, ``json`` (a body to send), ``delay`` (seconds before answering),
    ``pass_through`` (true: delay, then let the stand-in answer).
    """

    def __init__(self, spec):
        self.spec = spec
        self.system = spec.get("system")
        self.method = (spec.get("method") or "").upper() or None
        self.path = re.compile(spec["path"]) if spec.get("path") else None
        self.after = int(spec.get("after") or 0)
        self.times = spec.get("times")
        self.probability = spec.get("probability")
        self.random = random.Random(spec.get("seed", 0))
        self.seen = 0
        self.applied = 0

    def matches(self, system, method, path):
        if self.system and self.system != system:
            return False
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        return True

    def take(self):
        """Count a matching request; true when the fault applies to it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        if self.times is not None and self.applied >= int(self.times):
            return False
        if self.probability is not None and self.random.random() >= float(self.probability):
            return False
        self.applied += 1
        return True


MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>Tenable Security Center is undergoing maintenance</title></head>"
    "<body><h1>Service Unavailable</h1><p>Scheduled maintenance is in progress. Please try again later.</p>"
    "</body></html>"
)


class Faults:
    def __init__(self, specs=()):
        self._lock = threading.Lock()
        self.rules = [FaultRule(spec) for spec in specs or ()]

    def add(self, spec):
        with self._lock:
            self.rules.append(FaultRule(spec))

    def clear(self):
        with self._lock:
            self.rules = []

    def pick(self, system, method, path):
        with self._lock:
            for rule in self.rules:
                if rule.matches(system, method, path) and rule.take():
                    return rule
        return None


def json_response(payload, status=200, headers=None, content_type="application/json"):
    return Response(json.dumps(payload), status=status, headers=headers, content_type=content_type)


class ContractViolation(Exception):
    """A request the real system would refuse: the stand-in raises it with the vendor's own error answer.

    ``LabApp`` answers with ``response`` and counts the request as a contract violation (``violations.jsonl`` in
    the lab directory, ``violation`` in the request log), so a test fails on any request its run made that the
    vendor's contract does not allow. ``rule`` says which contract refused it (for the message and the log).
    """

    def __init__(self, response, rule):
        super().__init__(rule)
        self.response = response
        self.rule = rule


class Violations:
    """Requests the vendors' contracts refuse and answers that do not fit them: one JSON line each."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        open(path, "a", encoding="utf-8").close()  # pylint: disable=consider-using-with

    def add(self, system, method, path, side, rule):
        line = json.dumps({"system": system, "method": method, "path": path, "side": side, "rule": rule},
                          sort_keys=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def read(self):
        with self._lock, open(self.path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


class LabApp:
    """WSGI wrapper: faults first, then the stand-in; every request recorded."""

    def __init__(self, system, handler, world, error_body=None):
        self.system = system
        self.handler = handler  # callable(Request) -> Response
        self.world = world
        self.error_body = error_body or (lambda status, message: {"error": message})

    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.monotonic()
        if request.path.startswith("/_lab/"):
            return self.world.admin(request)(environ, start_response)
        response = None
        rule = self.world.faults.pick(self.system, request.method, request.path)
        if rule is not None:
            action = rule.spec.get("action") or {}
            if action.get("delay"):
                time.sleep(float(action["delay"]))
            if not action.get("pass_through"):
                response = self.fault_response(action)
        violation = None
        if response is None:
            try:
                response = self.handler(request)
            except ContractViolation as exc:
                response, violation = exc.response, exc.rule
                self.world.violations.add(self.system, request.method, request.path, "request", violation)
            except HTTPException as exc:
                response = json_response(self.error_body(exc.code, exc.description), status=exc.code)
            # The stand-in's own answer must fit the vendor's response schema: a lab that drifts is caught here.
            check = getattr(self.handler, "check_answer", None)
            if check is not None and violation is None:
                for problem in check(request, response) or ():
                    self.world.violations.add(self.system, request.method, request.path, "answer", problem)
        entry = {}
        if violation is not None:
            entry["violation"] = violation
        self.world.recorder.record(dict(entry, **{
            "system": self.system,
            "method": request.method,
            "path": request.path,
            "query": {key: request.args.getlist(key) if len(request.args.getlist(key)) > 1 else request.args.get(key)
                      for key in request.args},
            "status": response.status_code,
            "fault": bool(rule),
            "ms": round((time.monotonic() - started) * 1000, 1),
            "t": round(time.time(), 3),
            "sim": round(self.world.clock.now(), 1),
        }))
        if rule is not None and (rule.spec.get("action") or {}).get("delay_after"):
            # the request was served and recorded, but its answer comes too late: a lost response
            time.sleep(float(rule.spec["action"]["delay_after"]))
        return response(environ, start_response)

    def fault_response(self, action):
        response = self._fault_response(action)
        response.headers.extend(action.get("headers") or {})  # e.g. a rate limit's x-ratelimit-reset, retry-after
        return response

    def _fault_response(self, action):
        status = int(action.get("status", 503))
        kind = action.get("body", "json")
        content_type = action.get("content_type")
        if "json" in action and isinstance(action["json"], (dict, list)):
            return json_response(action["json"], status=status, content_type=content_type or "application/json")
        if kind == "html":
            return Response(MAINTENANCE_PAGE, status=status, content_type=content_type or "text/html; charset=UTF-8")
        if kind == "empty":
            return Response(b"", status=status, content_type=content_type or "text/plain")
        if kind == "text":
            return Response(action.get("text", "error"), status=status, content_type=content_type or "text/plain")
        body = self.error_body(status, action.get("message") or "injected fault", action)
        return json_response(body, status=status, content_type=content_type or "application/json")
