"""Verdicts of the daily compliance check, from definitions and results as Security Center gives them."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.compliance import (
    FAILING,
    VERDICTS,
    alert_text,
    allowed_hours,
    check,
    runbook_step,
    split_remediable,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.alert import alert_scans

NOW = datetime.fromisoformat("2026-11-26T13:00:00+00:00").timestamp()
DUE = datetime.fromisoformat("2026-11-26T02:00:00-05:00").timestamp()  # 07:00 UTC


def definition(sid=1, name="ALC_Prod_WDC06_private_import", zone="ALC_Prod_WDC06_SZ",
               start="TZID=America/New_York:20260101T020000", rule="FREQ=DAILY;INTERVAL=1", kind="ical", **extra):
    schedule = {"type": kind, "start": start, "repeatRule": rule, "enabled": True}
    schedule.update(extra)
    return {"id": sid, "name": name, "zone": {"id": 7, "name": zone}, "schedule": schedule}


def result(rid=100, sid=1, status="Completed", created=DUE + 5, scanned=300, total=300, import_status="Finished", **extra):
    out = {"id": rid, "scan": {"id": sid}, "status": status, "createdTime": created, "startTime": created + 60,
           "finishTime": None if status not in ("Completed", "Partial", "Error") else created + 3600,
           "scannedIPs": scanned, "totalIPs": total, "importStatus": import_status, "errorDetails": "",
           "importErrorDetails": "", "completedChecks": (scanned or 0) * 10, "totalChecks": total * 10}
    out.update(extra)
    return out


def verdicts(defs, results, now=NOW, **kwargs):
    outcome = check(defs, results, now, **kwargs)
    return [(row["name"], row["verdict"]) for row in outcome["scans"]], outcome


@pytest.mark.parametrize("results, verdict, reason", [
    ([result()], "ok", "completed, 300 IPs scanned"),
    ([], "missing", "no scan result was created for this run"),
    ([result(status="Partial", scanned=120, errorDetails="scanner timeout")], "partial", "ended Partial: scanner timeout"),
    ([result(status="Error", scanned=0, errorDetails="Scan IPs are not within your accessible range.")], "error",
     "ended Error: Scan IPs are not within your accessible range."),
    ([result(scanned=0, import_status="No Results")], "no_ips", "completed with 0 IPs scanned"),
    ([result(import_status="Error", importErrorDetails="Scan import error (code #139).")], "import_error",
     "completed, but the import failed: Scan import error (code #139)."),
    ([result(status="Running", scanned=100)], "running", "Running within its allowed duration, 33.3% done"),
    # a failed scheduled run that was resubmitted and completed within the window is compliant
    ([result(status="Partial"), result(rid=101, created=DUE + 7200)], "ok", "completed, 300 IPs scanned"),
    # a resubmission still queued after a failure, created 20 minutes ago: running
    ([result(status="Error"), result(rid=101, status="Queued", created=NOW - 1200, scanned=0)], "running",
     "Queued within its allowed duration, 0.0% done"),
    # the same, created four hours ago with no IP scanned: it does not scan (issue 16), failing
    ([result(status="Error"), result(rid=101, status="Queued", created=DUE + 7200, scanned=0)], "stalled",
     "Queued for 240 minutes with no IP scanned"),
    # running for long but scanning: running
    ([result(status="Running", created=DUE + 7200, scanned=4)], "running", "Running within its allowed duration, 1.3% done"),
    # exactly at the limit (30 minutes) with nothing scanned, Running: stalled
    ([result(status="Running", created=NOW - 1800, scanned=0)], "stalled", "Running for 30 minutes with no IP scanned"),
    # a result of another scan, or created before the run, does not count
    ([result(sid=2), result(created=DUE - 3600)], "missing", "no scan result was created for this run"),
])
def test_verdicts(results, verdict, reason):
    rows, outcome = verdicts([definition()], results)
    assert rows == [("ALC_Prod_WDC06_private_import", verdict)]
    row = outcome["scans"][0]
    assert row["reason"] == reason
    assert row["failing"] is (verdict in FAILING)
    assert row["due_local"] == "2026-11-26T02:00:00-05:00"
    assert row["deadline"] == DUE + 24 * 3600


def test_late_when_still_running_past_the_allowed_duration():
    rows, outcome = verdicts([definition()], [result(status="Running", scanned=10)], now=DUE + 25 * 3600,
                             period_hours=30)
    assert rows == [("ALC_Prod_WDC06_private_import", "late")]
    assert outcome["scans"][0]["reason"] == "still Running past its allowed duration, 3.3% done"


def test_evidence_is_kept():
    outcome = verdicts([definition()], [result(status="Partial", scanned=120, errorDetails="timeout")])[1]
    evidence = outcome["scans"][0]["evidence"]
    assert evidence["result_id"] == 100 and evidence["status"] == "Partial"
    assert evidence["scanned_ips"] == 120 and evidence["total_ips"] == 300 and evidence["error_details"] == "timeout"
    assert evidence["created_at"] == "2026-11-26T02:00:05-05:00"


def test_runbook_example_alert_text():
    defs = [definition(1), definition(2, "ALC_all_envs_public_import", "ALC_SOS_SZ", "TZID=UTC:20260101T000000")]
    results = [result(200, 2, status="Partial", created=datetime.fromisoformat("2026-11-26T00:00:05+00:00").timestamp())]
    outcome = verdicts(defs, results)[1]
    assert outcome["failing"] == ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]
    assert outcome["alert_text"] == (
        "The following scans are identified as failing and need investigation:\n\n"
        "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")
    public, private = outcome["scans"]
    assert public["visibility"] == "public" and public["runbook_step"].startswith("Handling public ip scan failures")
    assert private["visibility"] == "private" and private["runbook_step"].startswith("A scheduled scan failed to run")
    assert outcome["counts"]["partial"] == 1 and outcome["counts"]["missing"] == 1 and outcome["compliant"] is False


def test_weekly_scan_is_checked_on_its_day_only():
    cm7 = definition(3, "ALC_Prod_WDC06_CM7_All-ports", start="TZID=America/New_York:20260104T030000",
                     rule="FREQ=WEEKLY;INTERVAL=1;BYDAY=SU")
    thursday = verdicts([cm7], [])[0]
    assert thursday == []
    monday = datetime.fromisoformat("2026-11-30T13:00:00+00:00").timestamp()
    sunday_due = datetime.fromisoformat("2026-11-29T03:00:00-05:00").timestamp()
    rows, outcome = verdicts([cm7], [result(sid=3, status="Running", created=sunday_due + 60, scanned=20)], now=monday,
                             period_hours=48)
    assert rows == [("ALC_Prod_WDC06_CM7_All-ports", "running")]
    assert outcome["scans"][0]["allowed_hours"] == 168


def test_scan_in_another_time_zone_around_midnight():
    # Tokyo 02:00 on the 27th is 17:00 UTC on the 26th: due before a 18:00 UTC check, not before a 16:00 one.
    tokyo = definition(4, "ALC_Prod_TOK02_private_import", "ALC_Prod_TOK02_SZ", "TZID=Asia/Tokyo:20260101T020000")
    due = datetime.fromisoformat("2026-11-27T02:00:00+09:00").timestamp()
    before = verdicts([tokyo], [], now=due - 3600, grace_minutes=0, period_hours=10)[0]
    assert before == []
    after, outcome = verdicts([tokyo], [result(sid=4, created=due + 2)], now=due + 2 * 3600, grace_minutes=60,
                              period_hours=10)
    assert after == [("ALC_Prod_TOK02_private_import", "ok")]
    assert outcome["scans"][0]["due_local"] == "2026-11-27T02:00:00+09:00"


def test_grace_period_does_not_judge_runs_due_just_now():
    assert verdicts([definition()], [], now=DUE + 1800, period_hours=12)[0] == []
    assert verdicts([definition()], [], now=DUE + 1800, period_hours=12, grace_minutes=15)[0] == [
        ("ALC_Prod_WDC06_private_import", "missing")]


def test_disabled_schedule_has_no_due_run():
    disabled = definition(enabled=False)
    assert verdicts([disabled], [])[0] == []


def test_unknown_schedule_is_reported_not_alerted():
    broken = definition(start="TZID=Nowhere/Land:20260101T020000")
    rows, outcome = verdicts([broken], [])
    assert rows == [("ALC_Prod_WDC06_private_import", "unknown_schedule")]
    assert "unknown time zone 'Nowhere/Land'" in outcome["scans"][0]["reason"]
    assert outcome["failing"] == [] and outcome["unknown_schedules"] == ["ALC_Prod_WDC06_private_import"]


def test_maintenance_window_reports_without_alerting():
    window = {"start": DUE - 3600, "end": DUE + 3600, "reason": "SOS upgrade", "zones": ["ALC_Prod_WDC06_SZ"]}
    rows, outcome = verdicts([definition()], [], maintenance=[window])
    assert rows == [("ALC_Prod_WDC06_private_import", "maintenance")]
    assert outcome["failing"] == [] and "SOS upgrade" in outcome["scans"][0]["reason"]
    other_zone = dict(window, zones=["ALC_SOS_SZ"])
    assert verdicts([definition()], [], maintenance=[other_zone])[0] == [("ALC_Prod_WDC06_private_import", "missing")]
    # an ok run stays ok in a maintenance window
    assert verdicts([definition()], [result()], maintenance=[window])[0][0][1] == "ok"


def test_dependent_scan_follows_its_parent():
    parent = definition(1)
    child = definition(5, "ALC_Prod_WDC06_after", kind="dependent", start="", rule="", dependentID=1)
    rows, outcome = verdicts([parent, child], [result(), result(300, 5, created=DUE + 4000)])
    assert rows == [("ALC_Prod_WDC06_after", "ok"), ("ALC_Prod_WDC06_private_import", "ok")]
    assert outcome["scans"][0]["allowed_hours"] == 48
    orphan = definition(6, "orphan", kind="dependent", dependentID=99)
    assert verdicts([orphan], [])[0] == [("orphan", "unknown_schedule")]


def test_allowed_hours_rules():
    assert allowed_hours("ALC_all_envs_public_import") == 26
    assert allowed_hours("ALC_CM7_All-ports_public") == 168
    assert allowed_hours("ALC CM7 All-ports") == 168
    assert allowed_hours("ALC_Prod_WDC06_private_import") == 24
    assert allowed_hours("x", [{"pattern": "x", "hours": 2}], 5) == 2


def test_alert_text_and_steps():
    assert alert_text([]) == ""
    assert runbook_step("partial", "private").startswith("Handling private ip scan failures")
    assert runbook_step("no_ips", "private").startswith("0 IPs scanned")


statuses = st.sampled_from(["Queued", "Preparing", "Running", "Paused", "Completed", "Partial", "Error", "Stopping",
                            "Weird", None])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "status": statuses, "offset": st.integers(-7200, 40 * 3600), "scanned": st.one_of(st.none(), st.integers(0, 500)),
    "import": st.sampled_from(["Finished", "Error", "No Results", None])}), max_size=5),
    st.floats(0.1, 48))
def test_any_results_give_exactly_one_known_verdict(specs, hours):
    results = [result(100 + i, status=s["status"], created=DUE + s["offset"], scanned=s["scanned"], import_status=s["import"])
               for i, s in enumerate(specs)]
    _rows, outcome = verdicts([definition()], results, now=DUE + 2 * 3600, period_hours=2, default_hours=hours)
    assert len(outcome["scans"]) == 1
    row = outcome["scans"][0]
    assert row["verdict"] in VERDICTS and row["failing"] == (row["verdict"] in FAILING)
    assert sum(outcome["counts"].values()) == 1


def test_a_name_that_is_not_a_scan_names_shape_is_kept_out_of_the_alerts_list():
    """A scan named "A B" in Security Center would read as the two scans A and B: it is named for a human instead."""
    text = alert_text(["ALC_Prod_DAL09_private_import ALC_Prod_LON02_private_import", "ALC_x"])
    assert alert_scans(text) == ["ALC_x"]
    assert "Not remediated automatically (not the shape of a scan name): " \
           "'ALC_Prod_DAL09_private_import ALC_Prod_LON02_private_import'" in text
    assert split_remediable(["a b", "ok", "{{ x }}"]) == (["ok"], ["a b", "{{ x }}"])
