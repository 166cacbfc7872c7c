"""Benchmark of the daily compliance check at scale (make bench).

Seeds the lab with 20,000 scan definitions and 600,000 results (33 days of daily and weekly runs; issue 16's
scale), in a process of its own (``python -m lab serve``: Security Center is another machine, and a lab in the
bench's process would share its interpreter with the check), then times:
  - the check as sc_scan_compliance runs it (client, two list requests, verdicts for every due run);
  - the floor: the same two requests sent with plain requests and decoded, nothing else.
Prints the requests the check made, both wall times (median of several rounds), their ratio and the machine's
load average (1, 5, 15 min) beside them: on a shared machine a ratio taken under load is not comparable.
Targets: at most 3 requests, ratio at most 1.1.

Smaller runs: BENCH_DEFINITIONS=2000 (results scale with it, about 30 per definition), BENCH_DAYS, BENCH_ROUNDS.
BENCH_PROFILE=1 also profiles (cProfile) the verdict computation on the data of one fetch and prints the top entries.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import os
import pstats
import resource
import signal
import statistics
import subprocess
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

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.compliance import (  # noqa: E402
    DEFAULT_DURATIONS,
    PUBLIC_ZONES,
    check,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (  # noqa: E402
    COMPLIANCE_RESULT_FIELDS,
    COMPLIANCE_SCAN_FIELDS,
    TOLERANCE_MINUTES,
    SecurityCenterClient,
    fetch_and_check,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.sc_types import (  # noqa: E402
    normalize,
    usable_and_manageable,
)

DEFINITIONS = int(os.environ.get("BENCH_DEFINITIONS", 20000))
DAYS = int(os.environ.get("BENCH_DAYS", 33))  # 18,000 daily + 2,000 weekly definitions: 600,000+ results
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
MAX_REQUESTS, MAX_RATIO = 3, 1.1
ZONES = ["ALC_Dev_MON01_SZ", "ALC_Prod_WDC06_SZ", "ALC_Prod_LON02_SZ", "ALC_Prod_TOK02_SZ", "ALC_SOS_SZ"]
TZS = ["America/New_York", "Europe/London", "Asia/Tokyo", "UTC", "America/Chicago"]


def scenario(path):
    scans = []
    for i in range(DEFINITIONS):
        weekly = i % 10 == 0
        scans.append({
            "name": "BENCH_%05d_%s" % (i, "CM7_All-ports" if weekly else "private_import"),
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
    """The same two requests, plain: what fetching the data costs with nothing else done.

    Its time ends once the decoded answers are dropped again, as the check's does (the check frees what it decoded
    before it returns; a floor that kept its answers past its clock would leave freeing them out of one side only).
    """
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
    counts = len(scans["response"]["usable"]), len(results["response"]["usable"])
    del scans, results
    elapsed = time.perf_counter() - start
    session.close()
    return (elapsed,) + counts


def the_check(settings):
    start = time.perf_counter()
    with SecurityCenterClient(settings["TSC_URL"], settings["TSC_ACCESS_KEY"], settings["TSC_SECRET_KEY"],
                              ca_path=settings["TSC_CA_PATH"], timeout=120) as client:
        outcome = fetch_and_check(client, jmespath.compile("[?schedule.enabled]").search, 24.0, 60.0,
                                  list(DEFAULT_DURATIONS), 24.0, [], list(PUBLIC_ZONES))
    return time.perf_counter() - start, outcome


def load():
    """The machine's load average (1, 5, 15 minutes), printed beside every figure."""
    return [round(value, 2) for value in os.getloadavg()]


def own_work(settings, now):
    """The check's own work once the bytes are in (medians of 3): what it adds to the floor besides its client.

    ``normalize`` (sc_types: Security Center's strings to numbers, booleans and epochs), ``select`` (the JMESPath
    scope) and ``verdicts`` (compliance.check), each timed on the decoded answers of one plain fetch.
    """
    session = requests.Session()
    session.headers["x-apikey"] = "accesskey=%s; secretkey=%s;" % (settings["TSC_ACCESS_KEY"], settings["TSC_SECRET_KEY"])
    base = settings["TSC_URL"] + "/rest/"
    period_start = now - 3600 - 24 * 3600
    raw_scans = session.get(base + "scan", params={"fields": ",".join(COMPLIANCE_SCAN_FIELDS)}, timeout=120,
                            verify=settings["TSC_CA_PATH"]).json()["response"]
    raw_results = session.get(base + "scanResult", params={
        "fields": ",".join(COMPLIANCE_RESULT_FIELDS), "startTime": int(period_start - TOLERANCE_MINUTES * 60),
        "endTime": int(now)}, timeout=120, verify=settings["TSC_CA_PATH"]).json()["response"]
    session.close()
    scope = jmespath.compile("[?schedule.enabled]")
    parts = {"normalize": [], "select": [], "verdicts": []}
    for _round in range(3):
        gc.collect()
        gc.disable()  # as in the check (fetch_and_check pauses the cyclic collector)
        started = time.perf_counter()
        definitions = normalize(usable_and_manageable(raw_scans))
        results = normalize(usable_and_manageable(raw_results))
        normalized = time.perf_counter()
        definitions = scope.search(definitions)
        selected = time.perf_counter()
        check(definitions, results, now, 24.0, 60.0, list(DEFAULT_DURATIONS), 24.0, [], list(PUBLIC_ZONES),
              TOLERANCE_MINUTES)
        done = time.perf_counter()
        gc.enable()
        parts["normalize"].append(normalized - started)
        parts["select"].append(selected - normalized)
        parts["verdicts"].append(done - selected)
    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
        check(definitions, results, now, 24.0, 60.0, list(DEFAULT_DURATIONS), 24.0, [], list(PUBLIC_ZONES),
              TOLERANCE_MINUTES)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print("profile of compliance.check (%d definitions, %d results):" % (len(definitions), len(results)))
        print(out.getvalue())
    return {name: round(statistics.median(times), 3) for name, times in parts.items()}


def start_lab(path, lab_dir):
    """``python -m lab serve`` in a process of its own; returns (process, its settings, its state) once it is up."""
    os.makedirs(lab_dir)
    log = open(os.path.join(lab_dir, "lab.log"), "wb")  # pylint: disable=consider-using-with
    process = subprocess.Popen([sys.executable, "-m", "lab", "serve", "--scenario", path, "--dir", lab_dir,
                                "--ttl", "3600"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with open(os.path.join(lab_dir, "state.json"), encoding="utf-8") as handle:
                state = json.load(handle)
            with open(os.path.join(lab_dir, "env.json"), encoding="utf-8") as handle:
                return process, json.load(handle), state
        except (OSError, ValueError):
            time.sleep(0.2)
    process.kill()
    with open(os.path.join(lab_dir, "lab.log"), encoding="utf-8", errors="replace") as handle:
        sys.exit("the lab did not start:\n" + handle.read()[-3000:])


def main():
    work = tempfile.mkdtemp(prefix="bench-compliance-")
    path = os.path.join(work, "scenario.yaml")
    scenario(path)
    started = time.perf_counter()
    process, settings, state = start_lab(path, os.path.join(work, "lab"))
    seeded = time.perf_counter() - started
    print("lab seeded with %d definitions and %d results in %.1f s (its own process); load average %s"
          % (state["securitycenter"]["scans"], state["securitycenter"]["results"], seeded, load()), flush=True)
    try:
        log = settings["LAB_REQUEST_LOG"]
        checks, floors, loads = [], [], []
        for _round in range(ROUNDS):
            # each timing starts from a collected heap holding nothing of the previous ones (a full collection in
            # the middle of one would walk what another left), and the two alternate which goes first
            gc.collect()
            if _round % 2:
                floor_seconds, n_scans, n_results = floor(settings, now)
                gc.collect()
            before = sum(1 for _line in open(log, encoding="utf-8"))
            seconds, outcome = the_check(settings)
            made = sum(1 for _line in open(log, encoding="utf-8")) - before
            now, judged, failing = outcome["period"]["now"], len(outcome["scans"]), len(outcome["failing"])
            del outcome
            gc.collect()
            if not _round % 2:
                floor_seconds, n_scans, n_results = floor(settings, now)
            checks.append(seconds)
            floors.append(floor_seconds)
            loads.append(load())
            print("  round %d: check %.3f s (%d requests), floor %.3f s, ratio %.3f; load average %s"
                  % (_round + 1, seconds, made, floor_seconds, seconds / floor_seconds, loads[-1]), flush=True)
        check_s, floor_s = statistics.median(checks), statistics.median(floors)
        own = own_work(settings, now)
        figures = {
            "definitions": n_scans, "results_in_window": n_results, "results_in_lab": state["securitycenter"]["results"],
            "due_runs_judged": judged, "failing": failing,
            "requests": made, "check_seconds": round(check_s, 3), "floor_seconds": round(floor_s, 3),
            "ratio": round(check_s / floor_s, 3), "verdicts_seconds": own["verdicts"],
            "normalize_seconds": own["normalize"], "select_seconds": own["select"],
            "seed_seconds": round(seeded, 1), "rounds": ROUNDS, "load_average": load(),
            "load_average_rounds": loads,
            "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0),
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    met = figures["requests"] <= MAX_REQUESTS and figures["ratio"] <= MAX_RATIO
    print("compliance check: %(requests)d requests, %(check_seconds).3f s (of which normalize %(normalize_seconds).3f s, "
          "select %(select_seconds).3f s, verdicts %(verdicts_seconds).3f s); "
          "plain requests floor %(floor_seconds).3f s; ratio %(ratio).2f" % figures
          + " (targets <= %d requests, ratio <= %.1f: %s); load average %s"
          % (MAX_REQUESTS, MAX_RATIO, "met" if met else "MISSED", figures["load_average"]))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
