"""The resubmission's result: outcomes, record sentences and escalation rows, from sc_scan_launch's answer."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.filter.resubmission_result import FilterModule
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.resubmission import escalation, launch_outcome
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.resubmission_report import (
    record_text,
    resubmission_result,
)

result = FilterModule().filters()["resubmission_result"]

SCAN = {"id": 9, "name": "ALC_Prod_WDC06_private_import", "zone": "ALC_Prod_WDC06_SZ"}
PROGRESS = {"status": "Running", "completed_ips": 3, "scanning_size": 2}
GUARD_RUNNING = {"guard": "already_running",
                 "reason": "result #12 of ALC_Prod_WDC06_private_import was Queued when looked up (created 2026-11-26 "
                           "05:00 UTC): not launching a second run"}
GUARD_RECENT = {"guard": "recently_completed",
                "reason": "ALC_all_envs_public_import completed successfully 3.0 hours ago (result #7): leave it to its "
                          "next scheduled run"}
STOPPED = ("ALC_Prod_WDC06_private_import: result #12 did not reach 'scanning' (stopped following: Security Center shows "
           "scanner prod-wdc06-infra-nessus-01 of ALC_Prod_WDC06_SZ Connection Error); last seen Queued, no IP scanned yet")


def launch(**keys):
    """A ``scans`` entry as sc_scan_launch answers it: with the module's own outcome and escalation."""
    base = {"scan": SCAN, "guard": None, "launched": True, "would_launch": False, "launch_answer_lost": False,
            "scan_result_id": 12, "next_run": None}
    base.update(keys)
    base.update(outcome=launch_outcome(base), escalation=escalation(base))
    return base


SCANNING = launch(progress=PROGRESS, waited={"reached": True, "stopped": None})
NOT_SCANNING = launch(progress={"status": "Queued"}, waited={"reached": False, "stopped": "bad scanner"}, msg=STOPPED)


@pytest.mark.parametrize("entry, outcome", [
    (SCANNING, "scanning"),
    (NOT_SCANNING, "not_scanning"),
    (launch(launched=False, guard=GUARD_RECENT, scan_result_id=None), "refused"),
    (launch(launched=False, would_launch=True, scan_result_id=None), "would_resubmit"),
    (launch(launched=False, guard=GUARD_RUNNING, progress=PROGRESS), "not_followed"),  # check mode: not followed
])
def test_the_modules_outcome_is_kept_and_sorted(entry, outcome):
    out = result([entry], [SCAN["name"]])
    assert out["outcomes"] == {SCAN["name"]: outcome}
    assert out["records"][0]["details"]["outcome"] == outcome


def test_an_answer_without_the_modules_outcome_is_refused_not_classified_again():
    with pytest.raises(AnsibleFilterError, match="no outcome or escalation"):
        result([{"scan": SCAN, "scan_result_id": 12, "waited": {"reached": True}}], [SCAN["name"]])


@pytest.mark.parametrize("entry, text", [
    (SCANNING, "ALC_Prod_WDC06_private_import: resubmitted as result #12; now it is scanning (Running, 3 IPs done)"),
    (NOT_SCANNING, "ALC_Prod_WDC06_private_import: resubmitted as result #12; it does not scan yet: " + STOPPED.split(": ", 1)[1]),
    (launch(launched=False, would_launch=True, scan_result_id=None),
     "ALC_Prod_WDC06_private_import: would resubmit it and follow it until it scans (check mode)"),
    (launch(launched=False, guard=GUARD_RUNNING, progress=PROGRESS, waited={"reached": True}),
     "ALC_Prod_WDC06_private_import: " + GUARD_RUNNING["reason"] + "; now it is scanning (Running, 3 IPs done)"),
    (launch(launched=False, guard=GUARD_RECENT, scan_result_id=None), "ALC_Prod_WDC06_private_import: " + GUARD_RECENT["reason"]),
])
def test_the_record_says_what_happened_in_order(entry, text):
    assert record_text(entry, entry["outcome"]) == text


def test_the_lists_of_each_outcome_and_the_escalation_rows():
    refused = launch(scan=dict(SCAN, name="B"), launched=False, guard=GUARD_RECENT, scan_result_id=None)
    out = result({"changed": True, "failed": True, "msg": STOPPED, "scans": [SCANNING, NOT_SCANNING, refused]},
                 [SCAN["name"], "B"])
    assert out["scanning"] == [SCAN["name"]] and out["not_scanning"] == [SCAN["name"]] and out["refused"] == ["B"]
    assert out["still_failing"] == ["B", SCAN["name"]] and out["error"] is None
    assert out["escalations"]["B"] == {"name": "B", "zone": "ALC_Prod_WDC06_SZ", "status": "", "result_id": None,
                                       "error_details": GUARD_RECENT["reason"]}
    row = [launch_["escalation"] for launch_ in out["launches"]][1]
    assert row["status"] == "Queued" and row["result_id"] == 12 and row["error_details"] == STOPPED
    assert [r["details"]["outcome"] for r in out["records"]] == ["scanning", "not_scanning", "refused"]


def test_a_module_that_could_not_answer_makes_every_scan_an_error():
    out = result({"failed": True, "msg": "Security Center: HTTP 503 (GET /rest/scanResult/12)"}, ["A", "B"])
    assert out["not_scanning"] == ["A", "B"] and out["error"].startswith("Security Center")
    assert out["records"][0]["text"] == "A: Security Center: HTTP 503 (GET /rest/scanResult/12)"


def test_the_failed_runs_evidence_goes_into_the_escalation():
    latest = [{"id": 1005, "status": "Partial", "errorDetails": "Scanner sos-fr2-public-scanner-01 timed out.",
               "scan": {"name": SCAN["name"]}}]
    row = resubmission_result([NOT_SCANNING], [SCAN["name"]], latest)["escalations"][SCAN["name"]]
    assert row["error_details"] == "Scanner sos-fr2-public-scanner-01 timed out." and row["resubmission"] == STOPPED
    assert row["status"] == "Queued" and row["result_id"] == 12


def test_a_taken_over_resubmission_is_sorted_again_and_a_skipped_launch_is_empty():
    out = result([SCANNING], [SCAN["name"]])
    assert out["scanning"] == [SCAN["name"]] and out["unsettled"] == []
    assert result({"skipped": True}, [])["launches"] == []
    assert result([launch(would_launch=True, launched=False)], [])["unsettled"] == [SCAN["name"]]
