"""Reports from structured results: the zone report, the compliance issue body and summary, AWX credential inputs."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from ansible_collections.conductors.nessus_compliance.plugins.filter.compliance_report import FilterModule as Compliance
from ansible_collections.conductors.nessus_compliance.plugins.filter.credential_inputs import FilterModule as Inputs
from ansible_collections.conductors.nessus_compliance.plugins.filter.zone_report import FilterModule as Zones

zone_report = Zones().filters()["zone_report"]
compliance = Compliance().filters()["compliance_report"]
inputs = Inputs().filters()["credential_inputs"]

SCANNERS = [{"id": 1, "name": "prod-wdc06-infra-nessus-01", "ip": "127.0.10.12", "version": "10.8"},
            {"id": 2, "name": "prod-wdc06-infra-nessus-02", "ip": "127.0.10.13"}]
ZONES = [{"name": "ALC_Prod_WDC06_SZ", "healthy": False, "activeScanners": 1, "totalScanners": 2, "scanners": [
    {"id": 1, "name": "prod-wdc06-infra-nessus-01", "healthy": False,
     "status_decoded": {"code": 2, "summary": "Connection Error", "errors": ["Connection Error"]}},
    {"id": 2, "name": "prod-wdc06-infra-nessus-02", "healthy": True, "status_decoded": {"code": 1, "summary": "Working", "errors": []}}]},
    {"name": "ALC_Dev_MON01_SZ", "healthy": True, "activeScanners": 0, "totalScanners": 0, "scanners": []}]


def test_the_zone_report_and_its_lines():
    report = zone_report(SCANNERS, ZONES)
    assert [z["name"] for z in report["zones"]] == ["ALC_Dev_MON01_SZ", "ALC_Prod_WDC06_SZ"]
    assert report["zone_count"] == 2 and report["scanner_count"] == 2
    assert report["unhealthy_scanners"][0]["zone"] == "ALC_Prod_WDC06_SZ"
    assert zone_report(report, lines=True) == [
        "ALC_Dev_MON01_SZ: 0/0 working",
        "ALC_Prod_WDC06_SZ: 1/2 working  <-- check this zone",
        "  BAD  prod-wdc06-infra-nessus-01 (127.0.10.12): Connection Error [status 2]",
        "  OK   prod-wdc06-infra-nessus-02 (127.0.10.13): Working [status 1]",
        "2 zones, 2 scanners, 1 not healthy"]


RESULT = {
    "failing": ["ALC_Prod_WDC06_private_import", "A B"], "remediable": ["ALC_Prod_WDC06_private_import"],
    "alert_text": "The following scans are identified as failing and need investigation:\n\n[ALC_Prod_WDC06_private_import]",
    "counts": {"ok": 3, "no_ips": 1, "late": 0, "missing": 1, "running": 1},
    "period": {"start_at": "S", "end_at": "E", "now_at": "N"},
    "scans": [
        {"name": "ALC_Prod_WDC06_private_import", "zone": "ALC_Prod_WDC06_SZ", "visibility": "private", "verdict": "no_ips",
         "failing": True, "due_local": "2026-11-25 01:00 EST", "reason": "0 IPs | none", "runbook_step": "Reboot",
         "evidence": {"result_id": 12, "status": "Completed", "scanned_ips": 0, "total_ips": None, "created_at": "C",
                      "finished_at": "F"}},
        {"name": "A B", "zone": None, "visibility": "private", "verdict": "missing", "failing": True, "due_local": None,
         "reason": "no result", "runbook_step": "Resubmit", "evidence": None},
        {"name": "R", "zone": "Z", "visibility": "private", "verdict": "running", "failing": False, "due_local": None,
         "reason": "inside its duration", "runbook_step": "", "evidence": {}}]}


def test_the_issue_body():
    assert compliance(RESULT, "markdown", run_url="https://jenkins/1") == "\n".join([
        "The following scans are identified as failing and need investigation:", "",
        "```text", "[ALC_Prod_WDC06_private_import]", "```", "",
        "Not remediated automatically (not the shape of a scan name): `A B`", "",
        "| Scan | Zone | Verdict | Due | Evidence | Runbook step |", "|---|---|---|---|---|---|",
        "| `ALC_Prod_WDC06_private_import` | `ALC_Prod_WDC06_SZ` (private) | **no_ips** | 2026-11-25 01:00 EST | result #12 "
        "`Completed`, 0/? IPs, created C, finished F: `0 IPs \\| none` | `Reboot` |",
        "| `A B` | all zones (private) | **missing** |  | `no result` | `Resubmit` |", "",
        "Also seen (not alerted):", "", "| Scan | Verdict | Due | Reason |", "|---|---|---|---|",
        "| `R` | running | - | `inside its duration` |", "",
        "Checked runs due from S to E (Security Center time N):", "ok 3, no_ips 1, missing 1, running 1.",
        "Runbook: Nessus scan compliance alert. Run: https://jenkins/1", ""])


def test_the_junit_report_has_a_case_per_due_run():
    skipped = {"name": "M", "zone": "Z", "verdict": "maintenance", "failing": False, "due_local": "D",
               "reason": "failed; during maintenance patching", "runbook_step": "", "evidence": None}
    text = compliance(dict(RESULT, scans=RESULT["scans"] + [skipped]), "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ElementTree.fromstring(text.encode("utf-8"))
    suite = root.find("testsuite")
    for element in (root, suite):
        assert (element.get("name"), element.get("tests"), element.get("failures"), element.get("errors"),
                element.get("skipped")) == ("nessus-scan-compliance", "4", "2", "0", "1")
    assert suite.get("timestamp") == "N"
    cases = suite.findall("testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("nessus_scan_compliance.ALC_Prod_WDC06_SZ", "ALC_Prod_WDC06_private_import @ 2026-11-25 01:00 EST"),
        ("nessus_scan_compliance.all_zones", "A B"), ("nessus_scan_compliance.Z", "R"), ("nessus_scan_compliance.Z", "M @ D")]
    failure = cases[0].find("failure")
    assert failure.get("type") == "no_ips" and failure.get("message") == "no_ips: 0 IPs | none"
    step, evidence = failure.text.split("\n", 1)
    assert step == "Reboot" and json.loads(evidence) == RESULT["scans"][0]["evidence"]
    assert cases[1].find("failure").text == "Resubmit\nnull"
    assert cases[2].find("system-out").text == "running: inside its duration" and cases[2].find("failure") is None
    assert cases[3].find("skipped").get("message") == "maintenance: failed; during maintenance patching"


def test_the_junit_report_carries_hostile_text_inert_and_well_formed():
    hostile = "x\" /><testcase name=\"pwned\"/><!-- {{ lookup('pipe', 'id') }} \x00\x1b[31m &amp; ]]>"
    row = dict(RESULT["scans"][1], name=hostile, reason=hostile, zone=hostile)
    root = ElementTree.fromstring(compliance(dict(RESULT, scans=[row]), "junit").encode("utf-8"))
    cases = root.iter("testcase")
    case = next(cases)
    assert next(cases, None) is None  # no case smuggled in
    shown = hostile.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert case.get("name") == shown and case.get("classname") == "nessus_scan_compliance." + shown
    assert case.find("failure").get("message") == "missing: " + shown


def test_the_junit_report_of_a_check_that_could_not_run():
    root = ElementTree.fromstring(compliance({}, "junit", error="Security Center said <403> \x07").encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "1")
    error = root.find("testsuite/testcase/error")
    assert error.get("type") == "check_error"
    assert error.get("message") == "The compliance check could not run: Security Center said <403> \ufffd"


def test_the_summary():
    long = dict(RESULT["scans"][1], reason="word " * 40)
    result = dict(RESULT, scans=[RESULT["scans"][0], long])
    lines = compliance(result, "summary", report_dir="reports", issue={"action": "created", "issue": {"html_url": "U"}},
                       page={"sent": True, "dedup_key": "K"}, resolve={"skipped": True})
    assert lines[0] == "FAILING (2): ALC_Prod_WDC06_private_import, A B"
    assert lines[2].startswith("  A B: missing - word word") and lines[2].endswith("...") and len(lines[2]) < 130
    assert lines[3:] == ["GHE issue: created U", "PagerDuty: triggered K", "Reports: reports/scan_compliance.{json,md,junit.xml}"]
    green = compliance(dict(RESULT, failing=[], scans=[]), "summary", report_dir="r",
                       resolve={"sent": False, "message": "not open"})
    assert green == ["All scheduled scans completed in their windows (3 ok, 1 running).", "PagerDuty: not open",
                     "Reports: r/scan_compliance.{json,md,junit.xml}"]


def test_credential_inputs_come_from_the_shell_except_paths():
    env = {"TSC_URL": "{{ url }}", "TSC_ACCESS_KEY": "{{ access_key }}", "TSC_CA_PATH": "{{ ca_path }}"}
    shell = {"TSC_URL": "https://sc", "TSC_ACCESS_KEY": "", "TSC_CA_PATH": "/etc/ca.pem"}
    assert inputs(env, shell, ["TSC_CA_PATH"]) == {"url": "https://sc"}


def test_the_sos_escalation_texts():
    from ansible_collections.conductors.nessus_compliance.plugins.filter.sos_escalation import FilterModule as Sos

    escalation = Sos().filters()["sos_escalation"]
    scans = [{"name": "B_public_import", "zone": "ALC_SOS~FR2_SZ", "status": "Queued", "result_id": 12,
              "error_details": "Scanner x timed out. [code]<b>"},
             {"name": "A_public_import", "zone": None, "status": "", "result_id": None, "error_details": ""}]
    out = escalation(scans, ["B_public_import: resubmitted as result #12"], "2026-11-26")
    assert out["key"].startswith("nessus-sos-") and out["key"].endswith("-2026-11-26")
    assert out["key"] == escalation(list(reversed(scans)), [], "2026-11-26")["key"]  # one per scan set and day
    assert out["names"] == ["A_public_import", "B_public_import"]
    assert out["description"] == "\n".join([
        "Nessus scans are failing and automation could not fix them (runbook: Nessus scan compliance alert).", "",
        "Failing scans:",
        "- B_public_import (scan zone ALC_SOS~FR2_SZ): Queued, result #12: Scanner x timed out. [ code ]<b>",
        "- A_public_import: unknown status", "",
        "What automation already tried:", "- B_public_import: resubmitted as result #12", "",
        "Assignment group: SOS Vulnerability Scanning. C_Code: ALC. Severity 2.", "Correlation id: " + out["key"], ""])
    assert out["short_description"] == "Nessus scans failing: A_public_import B_public_import"
    assert out["page_summary"] == "SCANS FAILED - automation could not fix: A_public_import B_public_import"
    assert out["left"] == "SOS and the security compliance focal investigate A_public_import, B_public_import"
    assert "- nothing yet" in escalation(scans, [], "2026-11-26")["description"]


def test_each_scans_latest_result_as_found():
    from ansible_collections.conductors.nessus_compliance.plugins.filter.latest_results import FilterModule as Latest

    latest = Latest().filters()["latest_results"]
    results = [{"id": 1005, "status": "Partial", "scannedIPs": 96, "totalIPs": 420, "scan": {"name": "A"},
                "errorDetails": "Scanner sos-fr2-public-scanner-01 timed out."},
               {"id": 900, "status": "Completed", "scannedIPs": 420, "totalIPs": 420, "scan": {"name": "A"}},
               {"id": 7, "status": "Error", "scan": {"name": "B"}, "errorDetails": ""}]
    out = latest(results, ["A", "B", "C"])
    assert [e["text"] for e in out] == [
        "A: Partial (result #1005, 96/420 IPs: Scanner sos-fr2-public-scanner-01 timed out.)",
        "B: Error (result #7, ?/? IPs)", "C: no result in the last 48 hours"]
    assert out[0]["details"]["id"] == 1005 and out[2]["details"] == {}
