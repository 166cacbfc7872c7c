"""Benchmark of the daily compliance check at scale (make bench).

Seeds the lab with 2,000 scan definitions and 60,000 results (33 days of daily and weekly runs), then times:
  - the check as sc_scan_compliance runs it (client, two list requests, verdicts for every due run);
  - the floor: the same two requests sent with plain requests and decoded, nothing else.
Prints the requests the check made, both wall times (median of several runs) and their ratio.
Targets: at most 3 requests, ratio at most 1.2.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

import jmespath
import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

# tests/conftest.py makes the collection importable as ansible_collections.conductors.nessus_compliance
import conftest  # noqa: E402,F401  pylint: disable=unused-import
from lab.server import Lab  # noqa: E402

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.compliance import (  # noqa: E402
    DEFAULT_DURATIONS,
    PUBLIC_ZONES,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (  # noqa: E402
    COMPLIANCE_RESULT_FIELDS,
    COMPLIANCE_SCAN_FIELDS,
    TOLERANCE_MINUTES,
    SecurityCenterClient,
    fetch_and_check,
)

DEFINITIONS = int(os.environ.get("BENCH_DEFINITIONS", 2000))
DAYS = int(os.environ.get("BENCH_DAYS", 33))  # 1,800 daily + 200 weekly definitions: 60,000+ results
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
ZONES = ["ALC_Dev_MON01_SZ", "ALC_Prod_WDC06_SZ", "ALC_Prod_LON02_SZ", "ALC_Prod_TOK02_SZ", "ALC_SOS_SZ"]
TZS = ["America/New_York", "Europe/London", "Asia/Tokyo", "UTC", "America/Chicago"]


def scenario(path):
    scans = []
    for i in range(DEFINITIONS):
        weekly = i % 10 == 0
        scans.append({
            "name": "BENCH_%04d_%s" % (i, "CM7_All-ports" if weekly else "private_import"),
            "zone": ZONES[i % len(ZONES)],
            "schedule": {"type": "ical", "start": "TZID=%s:20260101T%02d0000" % (TZS[i % len(TZS)], i % 24),
                         "repeatRule": "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU" if weekly else "FREQ=DAILY;INTERVAL=1",
                         "enabled": "true"},
            "run": {"duration": 1800 + (i % 7) * 600, "total_ips": 50 + i % 200},
            **({"latest": {"final": "Partial", "error_details": "scanner timeout"}} if i % 97 == 0 else {}),
        })
    zones = [{"name": z, "scanners": [{"name": "%s-scanner-01" % z.lower()}]} for z in ZONES]
    spec = {"clock": {"start": "2026-11-26T13:00:00Z", "speed": 1},
            "securitycenter": {"zones": zones, "scans": scans, "history": {"days": DAYS}}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(spec, handle)


def floor(settings, now):
    """The same two requests, plain: what fetching the data costs with nothing else done."""
    session = requests.Session()
    session.headers["x-apikey"] = "accesskey=%s; secretkey=%s;" % (settings["TSC_ACCESS_KEY"], settings["TSC_SECRET_KEY"])
    base = settings["TSC_URL"] + "/rest/"
    start = time.perf_counter()
    scans = session.get(base + "scan", params={"fields": ",".join(COMPLIANCE_SCAN_FIELDS)}, timeout=120,
                        verify=settings["TSC_CA_PATH"]).json()
    period_start = now - 3600 - 24 * 3600
    results = session.get(base + "scanResult", params={
        "fields": ",".join(COMPLIANCE_RESULT_FIELDS), "startTime": int(period_start - TOLERANCE_MINUTES * 60),
        "endTime": int(now)}, timeout=120, verify=settings["TSC_CA_PATH"]).json()
    elapsed = time.perf_counter() - start
    session.close()
    return elapsed, len(scans["response"]["usable"]), len(results["response"]["usable"])


def the_check(settings):
    start = time.perf_counter()
    with SecurityCenterClient(settings["TSC_URL"], settings["TSC_ACCESS_KEY"], settings["TSC_SECRET_KEY"],
                              ca_path=settings["TSC_CA_PATH"], timeout=120) as client:
        outcome = fetch_and_check(client, jmespath.compile("[?schedule.enabled]").search, 24.0, 60.0,
                                  list(DEFAULT_DURATIONS), 24.0, [], list(PUBLIC_ZONES))
    return time.perf_counter() - start, outcome


def main():
    work = tempfile.mkdtemp(prefix="bench-compliance-")
    path = os.path.join(work, "scenario.yaml")
    scenario(path)
    started = time.perf_counter()
    lab = Lab(path, os.path.join(work, "lab")).start()
    print("lab seeded with %d definitions and %d results in %.1f s"
          % (len(lab.world.sc.scans), len(lab.world.sc.runs), time.perf_counter() - started))
    settings = lab.settings()
    try:
        log = settings["LAB_REQUEST_LOG"]
        checks, floors = [], []
        for _round in range(ROUNDS):
            before = sum(1 for _line in open(log, encoding="utf-8"))
            seconds, outcome = the_check(settings)
            made = sum(1 for _line in open(log, encoding="utf-8")) - before
            checks.append(seconds)
            seconds, n_scans, n_results = floor(settings, outcome["period"]["now"])
            floors.append(seconds)
        check_s, floor_s = statistics.median(checks), statistics.median(floors)
        figures = {
            "definitions": n_scans, "results_in_window": n_results, "results_in_lab": len(lab.world.sc.runs),
            "due_runs_judged": len(outcome["scans"]), "failing": len(outcome["failing"]),
            "requests": made, "check_seconds": round(check_s, 3), "floor_seconds": round(floor_s, 3),
            "ratio": round(check_s / floor_s, 3),
        }
    finally:
        lab.stop()
    met = figures["requests"] <= 3 and figures["ratio"] <= 1.2
    print("compliance check: %(requests)d requests, %(check_seconds).3f s; plain requests floor %(floor_seconds).3f s; "
          "ratio %(ratio).2f" % figures + " (targets <= 3 requests, ratio <= 1.2: %s)" % ("met" if met else "MISSED"))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
