"""The resubmission guards and the follow loop."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.resubmission import (
    escalation,
    follow,
    follow_many,
    launch_guard,
    launch_outcome,
    target_reached,
    utc_text,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_progress import summarize_progress

NOW = 1_795_698_000
PUBLIC = {"id": 1, "name": "ALC_all_envs_public_import", "zone": {"name": "ALC_SOS_SZ"}}
CM7 = {"id": 12, "name": "ALC_CM7_All-ports_public", "zone": {"name": "ALC_SOS_SZ"}}
PRIVATE = {"id": 9, "name": "ALC_Prod_WDC06_private_import", "zone": {"name": "ALC_Prod_WDC06_SZ"}}
ZONES = {1: "ALC_SOS_SZ", 12: "ALC_SOS_SZ", 9: "ALC_Prod_WDC06_SZ"}


def result(rid, scan, status, created=NOW - 3600, finished=None, scanned=100):
    return {"id": rid, "name": scan["name"], "scan": {"id": scan["id"]}, "status": status, "createdTime": created,
            "finishTime": finished, "scannedIPs": scanned}


@pytest.mark.parametrize("results, force, guard", [
    ([], False, None),
    ([result(5, PRIVATE, "Queued")], False, "already_running"),
    ([result(5, PRIVATE, "Running")], True, "already_running"),           # force never overrides this one
    ([result(5, PRIVATE, "Partial")], False, None),
    ([result(6, PUBLIC, "Running")], False, None),                       # another zone is busy, not ours
])
def test_private_guards(results, force, guard):
    held = launch_guard(PRIVATE, results, ZONES, NOW, force=force)
    assert (held or {}).get("guard") == guard


def test_zone_busy_and_force():
    busy = [result(7, CM7, "Running")]
    held = launch_guard(PUBLIC, busy, ZONES, NOW)
    assert held["guard"] == "zone_busy" and "active on scan zone ALC_SOS_SZ" in held["reason"]
    assert launch_guard(PUBLIC, busy, ZONES, NOW, force=True) is None


def test_public_import_completed_within_the_day():
    done = [result(3, PUBLIC, "Completed", finished=NOW - 15 * 3600), result(4, PUBLIC, "Partial", finished=NOW - 3600)]
    held = launch_guard(PUBLIC, done, ZONES, NOW)
    assert held["guard"] == "recently_completed" and "15.0 hours ago (result #3)" in held["reason"]
    assert launch_guard(PUBLIC, done, ZONES, NOW, force=True) is None
    old = [result(3, PUBLIC, "Completed", finished=NOW - 30 * 3600)]
    assert launch_guard(PUBLIC, old, ZONES, NOW) is None
    empty = [result(3, PUBLIC, "Completed", finished=NOW - 3600, scanned=0)]  # 0 IPs is no success
    assert launch_guard(PUBLIC, empty, ZONES, NOW) is None
    # other scans are not held by the public import's rule
    assert launch_guard(PRIVATE, [result(8, PRIVATE, "Completed", finished=NOW - 60)], ZONES, NOW) is None


def summary(status, completed=0, scanning=0, scanned=None):
    return summarize_progress({"status": status, "scannedIPs": scanned, "progress": {
        "completedIPs": completed, "scanningSize": scanning, "scanningIPs": "10.0.0.1" if scanning else ""}})


@pytest.mark.parametrize("target, status, completed, scanning, scanned, expected", [
    ("started", "Queued", 0, 0, None, (False, False)),
    ("started", "Preparing", 0, 0, None, (False, False)),
    ("started", "Running", 0, 0, None, (True, False)),
    ("scanning", "Running", 0, 0, None, (False, False)),
    ("scanning", "Running", 0, 16, None, (True, False)),
    ("scanning", "Running", 5, 0, None, (True, False)),
    ("scanning", "Completed", 300, 0, 300, (True, False)),
    ("scanning", "Error", 0, 0, 0, (False, True)),
    ("completed", "Running", 5, 16, None, (False, False)),
    ("completed", "Completed", 300, 0, 300, (True, False)),
    ("completed", "Partial", 100, 0, 100, (False, True)),
])
def test_target_reached(target, status, completed, scanning, scanned, expected):
    assert target_reached(target, summary(status, completed, scanning, scanned)) == expected


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_follow_backs_off_records_changes_and_stops_at_scanning():
    states = iter([("Queued", 0, 0)] * 3 + [("Preparing", 0, 0)] * 2 + [("Running", 0, 0), ("Running", 3, 16)])
    fake = FakeTime()

    def get(rid):
        status, done, scanning = next(states)
        return {"id": rid, "status": status, "progress": {"completedIPs": done, "scanningSize": scanning,
                                                          "scanningIPs": "x" if scanning else ""}}

    out = follow(get, 42, "scanning", timeout=600, interval=2, max_interval=5, clock=fake.clock, sleep=fake.sleep)
    assert out["reached"] is True and out["polls"] == 7
    assert fake.sleeps == [2, 3.0, 4.5, 5, 5, 5]
    assert [h["status"] for h in out["history"]] == ["Queued", "Preparing", "Running", "Running"]


def test_follow_times_out_with_the_last_state():
    fake = FakeTime()
    out = follow(lambda rid: {"id": rid, "status": "Queued"}, 1, "scanning", timeout=10, interval=2, max_interval=4,
                 clock=fake.clock, sleep=fake.sleep)
    assert out["timed_out"] is True and out["reached"] is False and out["summary"]["status"] == "Queued"
    assert sum(fake.sleeps) == 10


def test_a_stop_reason_ends_the_following_of_pending_results_at_once():
    """No blind hour: when the caller sees why the scans cannot scan (a bad scanner of their zone), it says so after
    the first round and the wait ends there, whatever the timeout."""
    fake = FakeTime()
    asked = []

    def stop(pending):
        asked.append(sorted(r["id"] for r in pending))
        return {1: "Security Center shows scanner s1 of Z Connection Error"}  # 3's zone has no bad scanner

    def get(rid):
        if rid == 2:  # this one scans already: it leaves the rounds reached, and is not stopped
            return {"id": rid, "status": "Running", "progress": {"completedIPs": 0, "scanningSize": 4, "scanningIPs": "x"}}
        return {"id": rid, "status": "Queued"}

    out = follow_many(get, [1, 2, 3], "scanning", timeout=60, interval=5, max_interval=60, clock=fake.clock,
                      sleep=fake.sleep, stop=stop)
    assert asked[0] == [1, 3] and asked[1:] == [[3]] * (len(asked) - 1)
    assert out[2]["reached"] is True and out[2]["stopped"] is None
    assert out[1]["stopped"] == "Security Center shows scanner s1 of Z Connection Error"
    assert (out[1]["reached"], out[1]["timed_out"], out[1]["polls"], out[1]["seconds"]) == (False, False, 1, 0)
    assert out[1]["summary"]["status"] == "Queued"
    assert out[3]["timed_out"] is True and out[3]["stopped"] is None and sum(fake.sleeps) == 60  # 3 waits its time


def test_no_stop_reason_keeps_following():
    fake = FakeTime()
    out = follow_many(lambda rid: {"id": rid, "status": "Queued"}, [1], "scanning", timeout=10, interval=2,
                      max_interval=4, clock=fake.clock, sleep=fake.sleep, stop=lambda pending: {})
    assert out[1]["timed_out"] is True and out[1]["stopped"] is None and sum(fake.sleeps) == 10


@pytest.mark.parametrize("epoch, text", [
    (1_795_698_000, "2026-11-26 13:00 UTC"), (None, "an unknown time"), ("x", "an unknown time"), (10 ** 20, "an unknown time"),
])
def test_utc_text(epoch, text):
    assert utc_text(epoch) == text


SCAN = {"id": 9, "name": "ALC_Prod_WDC06_private_import", "zone": "ALC_Prod_WDC06_SZ"}
ZONE_BUSY = {"guard": "zone_busy", "reason": "another run is active on scan zone ALC_Prod_WDC06_SZ", "result": {}}


@pytest.mark.parametrize("out, outcome, escalated", [
    # waited and reached scanning
    ({"scan": SCAN, "launched": True, "scan_result_id": 5, "progress": {"status": "Running"},
      "waited": {"reached": True}}, "scanning", ("Running", 5, "")),
    # launched, did not scan in time
    ({"scan": SCAN, "launched": True, "scan_result_id": 5, "progress": {"status": "Queued"},
      "waited": {"reached": False, "timed_out": True}, "msg": "timed out"}, "not_scanning", ("Queued", 5, "timed out")),
    # found running (already_running guard), stopped early on a bad scanner
    ({"scan": SCAN, "launched": False, "scan_result_id": 4, "guard": {"guard": "already_running", "reason": "r"},
      "progress": {"status": "Queued"}, "waited": {"reached": False, "stopped": "bad scanner"}, "msg": "stopped"},
     "not_scanning", ("Queued", 4, "stopped")),
    # a guard refused the launch
    ({"scan": SCAN, "launched": False, "scan_result_id": None, "guard": ZONE_BUSY}, "refused",
     ("", None, ZONE_BUSY["reason"])),
    # check mode
    ({"scan": SCAN, "launched": False, "would_launch": True, "scan_result_id": None, "guard": None}, "would_resubmit",
     ("", None, "")),
    # the launch request failed
    ({"scan": SCAN, "launched": False, "scan_result_id": None, "guard": None, "msg": "HTTP 500"}, "error",
     ("", None, "HTTP 500")),
    # launched without a wait
    ({"scan": SCAN, "launched": True, "scan_result_id": 6, "progress": {"status": "Queued"}}, "not_followed",
     ("Queued", 6, "")),
    # a status Security Center left empty
    ({"scan": SCAN, "launched": True, "scan_result_id": 6, "progress": {"status": None}}, "not_followed", ("", 6, "")),
])
def test_launch_outcome_and_escalation(out, outcome, escalated):
    assert launch_outcome(out) == outcome
    status, result_id, details = escalated
    assert escalation(out) == {"name": SCAN["name"], "zone": SCAN["zone"], "status": status, "result_id": result_id,
                               "error_details": details}


def test_follow_many_times_out_a_result_whose_round_ended_past_the_deadline():
    """The clock passes the timeout after a result's last poll but before its round ends: it times out there, without
    another poll."""
    fake = FakeTime()

    def stop(pending):
        fake.now += 7  # a slow look at the scanners
        return {}

    out = follow_many(lambda rid: {"id": rid, "status": "Queued"}, [1], "scanning", timeout=5, interval=2,
                      max_interval=2, clock=fake.clock, sleep=fake.sleep, stop=stop)
    assert out[1]["timed_out"] is True and out[1]["polls"] == 1 and out[1]["seconds"] == 7
