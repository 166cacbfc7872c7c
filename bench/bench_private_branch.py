"""Benchmarks of the private-scan branch (make bench).

Overhead: the lab runs in real time (speed 1) with scripted waits that total 60 s - the first resubmission is
given up on after 10 s (the zone's scanner is dead), the soft reboot takes the machine down 10 s, boots it in
20 s and loads Nessus in 10 s, and the resubmitted scan then queues 5 s and prepares 5 s before it scans. The
branch's wall time divided by 60 s is its overhead (target <= 1.25).

Fan-out: remediate.yml for the failing private scans of all 9 private zones in one run (resubmitted and followed
together in one task; zones whose scans still fail are healed side by side, one host each), against one zone
(scanners healthy, resubmission only, lab at speed 300).
Target <= 1.5x.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import conftest  # noqa: E402,F401  pylint: disable=unused-import
from labtools import LabRun  # noqa: E402

PRIVATE = ["ALC_Dev_MON01", "ALC_PreStage_MON01", "ALC_Stage_DAL09", "ALC_stgiks_DAL10", "ALC_Prod_TOK02",
           "ALC_Prod_DAL09", "ALC_Prod_WDC06", "ALC_Prod_LON02", "ALC_Sup_WDC04"]


def scenario(path, spec):
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(spec, handle)
    return path


def timed(lab, playbook, variables):
    started = time.perf_counter()
    proc = lab.playbook(playbook, "-i", lab.settings["LAB_INVENTORY"], extra_vars=variables, timeout=1800)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-2000:])
        raise SystemExit("%s failed" % playbook)
    return elapsed


def overhead(work):
    path = scenario(os.path.join(work, "overhead.yaml"), {
        "extends": "default",
        "overrides": [{"scan": "ALC_Prod_WDC06_private_import", "set": {"launch": {"queue": 5, "prepare": 5}}}],
        "classic": {"machines": {"prod-wdc06-infra-nessus-01": {
            "nessusd": "stopped", "heals": {"rebootSoft": "running"}, "down_seconds": 10, "boot_seconds": 20,
            "loading_seconds": 10}}},
    })
    lab = LabRun(path, os.path.join(work, "lab-overhead"), speed=1)
    try:
        seconds = timed(lab, "playbooks/remediate_private_scan.yml", {
            "zone": "ALC_Prod_WDC06_SZ", "remediation_record_dir": os.path.join(work, "records"),
            "remediate_private_scan_wait_timeout": 10, "remediate_private_scan_poll_interval": 1,
            "remediate_private_scan_poll_max_interval": 2, "reboot_ladder_poll_interval": 1,
            "reboot_ladder_nessus_timeout": 120, "reboot_ladder_sc_timeout": 60})
    finally:
        lab.stop()
    return seconds


def fan_out(work):
    path = scenario(os.path.join(work, "fanout.yaml"), {
        "extends": "default",
        "overrides": [{"scan": zone + "_private_import", "set": {"latest": "missing"}} for zone in PRIVATE],
        "classic": {"machines": {"prod-wdc06-infra-nessus-01": {"nessusd": "running"}}},
    })
    fast = {"remediate_private_scan_poll_interval": 0.5, "remediate_private_scan_poll_max_interval": 1,
            "remediation_record_dir": os.path.join(work, "records")}
    times = {}
    for label, scans in (("one zone", PRIVATE[-3:-2]), ("nine zones", PRIVATE)):
        lab = LabRun(path, os.path.join(work, "lab-" + label.replace(" ", "-")), speed=300)
        try:
            alert = "[%s]" % " ".join(zone + "_private_import" for zone in scans)
            times[label] = timed(lab, "playbooks/remediate.yml", dict(fast, alert=alert))
        finally:
            lab.stop()
    return times


def main():
    work = tempfile.mkdtemp(prefix="bench-private-")
    seconds = overhead(work)
    ratio = seconds / 60.0
    print("private branch overhead: %.1f s for 60 s of scripted waits, ratio %.2f (target <= 1.25: %s)"
          % (seconds, ratio, "met" if ratio <= 1.25 else "MISSED"))
    times = fan_out(work)
    fan = times["nine zones"] / times["one zone"]
    print("fan-out: one zone %.1f s, nine zones %.1f s, ratio %.2fx (target <= 1.5x: %s)"
          % (times["one zone"], times["nine zones"], fan, "met" if fan <= 1.5 else "MISSED"))
    print(json.dumps({"overhead_seconds": round(seconds, 1), "overhead_ratio": round(ratio, 2),
                      "fanout_one_zone_seconds": round(times["one zone"], 1),
                      "fanout_nine_zones_seconds": round(times["nine zones"], 1), "fanout_ratio": round(fan, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
