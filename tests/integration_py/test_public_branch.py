"""playbooks/remediate_public_scan.yml against the lab: resubmit, guards, escalation, record, check mode, bad input."""

from __future__ import annotations

import json
import re

FAST = {"remediate_public_scan_poll_interval": 0.5, "remediate_public_scan_poll_max_interval": 1}


def run(lab, tmp_path, *args, scan="ALC_FR2_public_import", **extra):
    variables = dict(FAST, scan=scan, remediation_record_dir=str(tmp_path))
    variables.update(extra)
    return lab.playbook("playbooks/remediate_public_scan.yml", *args, extra_vars=variables)


def records(tmp_path):
    return [json.loads(p.read_text()) for p in sorted(tmp_path.glob("remediation-*.json"))]


def changes(lab):
    """What the run changed, in order; the run's Slack message is left to test_chat_summary.py."""
    chat = set(lab.calls("slack"))
    return [c for c in lab.calls() if not c.startswith("GET ") and c not in chat]


def test_partial_public_scan_is_resubmitted_and_scans_no_ticket(lab_factory, tmp_path):
    lab = lab_factory("public_scan")
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert changes(lab) == ["POST /rest/scan/2/launch"]
    assert lab.world.servicenow.records("sc_request") == [] and lab.world.pagerduty.events == []
    (record,) = records(tmp_path)
    assert record["branch"] == "public scan" and record["subject"] == "ALC_FR2_public_import"
    found, done = record["entries"]
    assert found["kind"] == "found" and "Partial (result #1005, 96/420 IPs: Scanner sos-fr2-public-scanner-01" in found["text"]
    assert done["kind"] == "done" and "resubmitted as result #" in done["text"] and "it is scanning" in done["text"]
    assert done["details"]["waited"]["reached"] is True
    assert record["outcome"] == "Scanning: ALC_FR2_public_import."
    assert "### Remediation" in (tmp_path / ("remediation-%s.md" % record["run_id"])).read_text()
    # public scans never touch our scanners: only Security Center was called (and the team's chat told)
    assert {e["system"] for e in lab.requests()} == {"securitycenter", "slack"}


def test_resubmission_that_never_scans_is_escalated_once_then_noted(lab_factory, tmp_path):
    lab = lab_factory("public_scan_stuck")
    proc = run(lab, tmp_path, remediate_public_scan_wait_timeout=3)
    assert proc.returncode == 2
    assert "Escalated to SOS: ALC_FR2_public_import" in proc.stdout
    (ticket,) = lab.world.servicenow.records("sc_request")
    note = "PATCH /api/now/table/sc_request/%s" % ticket["sys_id"]
    # after the request is opened, the run's later steps (the page, the end) are work notes on it: the timeline
    assert changes(lab) == ["POST /rest/scan/2/launch", "POST /api/now/table/sc_request", "POST /v2/enqueue", note, note]
    first = records(tmp_path)[-1]["run_id"]
    assert [j["value"].startswith("Nessus scan remediation, run %s " % first) for j in ticket["_journal"]] == [True, True]
    assert ticket["assignment_group"] == lab.world.servicenow.records("sys_user_group")[0]["sys_id"]
    assert ticket["u_c_code"] == "ALC" and ticket["u_severity"] == "2"
    assert "ALC_FR2_public_import" in ticket["short_description"]
    assert "Scanner sos-fr2-public-scanner-01 timed out." in ticket["description"]
    assert "resubmitted as result #" in ticket["description"]  # what automation tried
    key = ticket["correlation_id"]
    # one request per scan set and day: the day is when the escalation is raised (the controller's date, whatever it is)
    assert re.fullmatch(r"nessus-sos-[0-9a-f]{12}-\d{4}-\d{2}-\d{2}", key), key
    (event,) = lab.world.pagerduty.events
    assert event["dedup_key"] == key and event["custom_details"]["servicenow"]["number"] == ticket["number"]

    again = run(lab, tmp_path, remediate_public_scan_wait_timeout=3)
    assert again.returncode == 2
    # the day's request gets the escalation as a work note (no second request), the page keeps its key, and the
    # re-run's later steps are work notes of their own: nothing of the first run is sent again
    assert changes(lab)[5:] == [note, "POST /v2/enqueue", note, note]
    assert len(lab.world.servicenow.records("sc_request")) == 1 and len(ticket["_journal"]) == 5
    assert ticket["_journal"][2]["value"].startswith("Nessus scans are failing and automation could not fix them")
    assert [e["dedup_key"] for e in lab.world.pagerduty.events] == [key, key]
    second = records(tmp_path)[-1]
    assert any("not launching a second run" in e["text"] for e in second["entries"])
    assert any("added a work note to ServiceNow request %s" % ticket["number"] in e["text"] for e in second["entries"])


def test_public_import_that_completed_yesterday_is_not_resubmitted(lab, tmp_path):
    proc = run(lab, tmp_path, scan="ALC_all_envs_public_import")
    assert proc.returncode == 0, proc.stdout
    assert changes(lab) == []
    text = records(tmp_path)[0]["entries"][1]["text"]
    assert "completed successfully" in text and "leave it to its next scheduled run" in text
    assert "next scheduled run at 2026-11-27T00:00:00+00:00" in text


def test_already_running_is_followed_not_launched(lab_factory, tmp_path):
    lab = lab_factory("public_scan")
    assert run(lab, tmp_path).returncode == 0
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert changes(lab) == ["POST /rest/scan/2/launch"]  # the second run launched nothing
    assert "not launching a second run" in records(tmp_path)[-1]["entries"][1]["text"]


def test_check_mode_changes_nothing_and_says_what_would_happen(lab_factory, tmp_path):
    lab = lab_factory("public_scan")
    proc = run(lab, tmp_path, "--check")
    assert proc.returncode == 0, proc.stdout
    assert changes(lab) == []
    (record,) = records(tmp_path)
    assert record["check_mode"] is True
    assert "would resubmit it and follow it until it scans (check mode)" in record["entries"][1]["text"]
    assert record["outcome"] == "Would resubmit (check mode): ALC_FR2_public_import."


def test_unknown_scan_is_refused_before_anything(lab, tmp_path):
    proc = run(lab, tmp_path, scan="NOPE_public_import")
    assert proc.returncode == 2
    assert "unknown scan definition: NOPE_public_import; Security Center has: ALC_CM7_All-ports_public" in proc.stdout
    assert changes(lab) == []


def test_private_scan_is_refused_by_the_public_branch(lab, tmp_path):
    proc = run(lab, tmp_path, scan="ALC_Prod_WDC06_private_import")
    assert proc.returncode == 2
    assert "Not public: ALC_Prod_WDC06_private_import runs in ALC_Prod_WDC06_SZ" in proc.stdout
    assert "use remediate_private_scan.yml -e zone=<zone>" in proc.stdout
    assert changes(lab) == []


def test_no_scan_given(lab, tmp_path):
    proc = lab.playbook("playbooks/remediate_public_scan.yml")
    assert proc.returncode == 2
    assert "Give the failing public scans: -e scan=NAME" in proc.stdout
    assert lab.calls() == []


def test_servicenow_rate_limit_then_created_once(lab_factory, tmp_path):
    lab = lab_factory("public_scan_stuck")
    lab.admin("faults", {"system": "servicenow", "method": "POST", "times": 1,
                         "action": {"status": 429, "json": {"error": {"message": "Rate limit exceeded", "detail":
                                    "Rate limit of 100 requests per hour for Table API exceeded"}, "status": "failure"}}})
    proc = run(lab, tmp_path, remediate_public_scan_wait_timeout=2)
    assert proc.returncode == 2
    posts = [e["status"] for e in lab.requests("servicenow") if e["method"] == "POST"]
    assert posts == [429, 201]
    assert len(lab.world.servicenow.records("sc_request")) == 1


def test_servicenow_bad_credentials_is_clear(lab_factory, tmp_path):
    lab = lab_factory("public_scan_stuck")
    proc = lab.playbook("playbooks/remediate_public_scan.yml", extra_vars=dict(
        FAST, scan="ALC_FR2_public_import", remediation_record_dir=str(tmp_path), remediate_public_scan_wait_timeout=2),
        env={"SN_PASSWORD": "wrong"})
    assert proc.returncode == 2
    assert "ServiceNow: User Not Authenticated (GET /api/now/table/sc_request, HTTP 401)" in proc.stdout
    assert records(tmp_path)[0]["entries"][1]["kind"] == "done"  # the record kept what was done before
