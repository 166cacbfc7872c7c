"""playbooks/scan_compliance.yml through ansible-playbook against the lab: verdicts, reports, alerts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.alert import alert_scans

ALERTS = {"scan_compliance_github_issue": True, "scan_compliance_pagerduty": True}
ALERT_TEXT = ("The following scans are identified as failing and need investigation:\n\n"
              "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")
# the issue body shows the list in a code block (inert), where the strict alert reader still finds it
ISSUE_ALERT = ("The following scans are identified as failing and need investigation:\n\n```text\n"
               "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]\n```")


def run_check(lab, tmp_path, *args, env=None, **extra_vars):
    variables = dict(ALERTS, scan_compliance_report_dir=str(tmp_path))
    variables.update(extra_vars)
    return lab.playbook("playbooks/scan_compliance.yml", *args, extra_vars=variables, env=env)


def report(tmp_path):
    return json.loads((tmp_path / "scan_compliance.json").read_text())


def rows(tmp_path):
    return {(row["name"], row["verdict"]) for row in report(tmp_path)["check"]["scans"]}


def test_runbook_example_one_issue_one_page_then_a_comment_and_the_same_key(lab, tmp_path):
    proc = run_check(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout
    data = report(tmp_path)
    assert data["check"]["alert_text"] == ALERT_TEXT
    assert data["check"]["failing"] == ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]
    assert data["check"]["requests"] == 3  # the clock, the definitions, the results of the period
    markdown = (tmp_path / "scan_compliance.md").read_text()
    assert markdown.startswith(ISSUE_ALERT + "\n\n| Scan | Zone | Verdict | Due | Evidence | Runbook step |")
    assert alert_scans(markdown) == ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]
    assert "| `ALC_Prod_WDC06_private_import` | `ALC_Prod_WDC06_SZ` (private) | **missing** |" in markdown
    assert "result #" in markdown and "4180/6400 IPs" in markdown
    junit = ET.parse(tmp_path / "scan_compliance.junit.xml").getroot()
    assert junit.get("failures") == "2" and junit.get("tests") == "11"
    failed = [case.get("name").split(" @ ")[0] for case in junit.iter("testcase") if case.find("failure") is not None]
    assert failed == ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]
    issues = lab.world.github.repositories["alchemy-conductors/team"]["issues"]
    assert len(issues) == 1 and issues[1]["title"] == "Nessus scan compliance: failing scans on 2026-11-26"
    assert issues[1]["body"].startswith(ISSUE_ALERT)
    assert [label["name"] for label in issues[1]["labels"]] == ["nessus-compliance"]
    (event,) = lab.world.pagerduty.events
    assert event["action"] == "trigger" and event["dedup_key"] == "nessus-scan-compliance-2026-11-26"
    assert event["custom_details"]["failing"] == data["check"]["failing"]
    assert event["custom_details"]["issue"].endswith("/alchemy-conductors/team/issues/1")
    assert event["links"][0]["href"] == event["custom_details"]["issue"]
    assert lab.calls() == [
        "GET /rest/system", "GET /rest/scan", "GET /rest/scanResult",
        "GET /api/v3/repos/alchemy-conductors/team/issues", "POST /api/v3/repos/alchemy-conductors/team/issues",
        "POST /v2/enqueue"]

    again = run_check(lab, tmp_path)
    assert again.returncode == 0, again.stdout
    assert len(issues) == 1 and issues[1]["comments"] == 1
    assert issues[1]["_comments"][0]["body"].startswith(ISSUE_ALERT)
    assert [e["dedup_key"] for e in lab.world.pagerduty.events] == ["nessus-scan-compliance-2026-11-26"] * 2
    assert len([i for i in lab.world.pagerduty.incidents
                if i["status"] == "triggered" and i["incident_key"] == "nessus-scan-compliance-2026-11-26"]) == 1
    assert lab.calls()[6:] == [
        "GET /rest/system", "GET /rest/scan", "GET /rest/scanResult", "GET /api/v3/repos/alchemy-conductors/team/issues",
        "POST /api/v3/repos/alchemy-conductors/team/issues/1/comments", "POST /v2/enqueue"]
    assert "GHE issue: commented" in again.stdout


def test_all_green_raises_nothing_and_resolves_only_an_open_incident(lab_factory, tmp_path):
    green = lab_factory("compliance_green")
    proc = run_check(green, tmp_path)
    assert proc.returncode == 0, proc.stdout
    data = report(tmp_path)
    assert data["check"]["compliant"] is True and data["check"]["alert_text"] == ""
    # the public import of the day (22 hours over 6400 hosts) is still running, inside its 26 hours
    assert (data["check"]["counts"]["ok"], data["check"]["counts"]["running"]) == (10, 1)
    assert (tmp_path / "scan_compliance.md").read_text().startswith("Every scheduled scan completed")
    assert green.calls() == ["GET /rest/system", "GET /rest/scan", "GET /rest/scanResult", "GET /incidents"]  # nothing open: no resolve
    assert green.world.pagerduty.events == []

    green.world.pagerduty._open("nessus-scan-compliance-2026-11-26", "SCANS FAILED", "security-center")
    proc = run_check(green, tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert green.calls()[4:] == ["GET /rest/system", "GET /rest/scan", "GET /rest/scanResult", "GET /incidents", "POST /v2/enqueue"]
    assert green.world.pagerduty.events[-1]["action"] == "resolve"
    assert green.world.pagerduty.incidents[-1]["status"] == "resolved"
    assert green.world.github.repositories["alchemy-conductors/team"]["issues"] == {}


def test_every_verdict(lab_factory, tmp_path):
    world = lab_factory("compliance_verdicts")
    proc = run_check(world, tmp_path, scan_compliance_durations=[
        {"pattern": "^ALC_Sup_WDC04", "hours": 3}, {"pattern": "^ALC_all_envs_public_import$", "hours": 26}],
        scan_compliance_maintenance=[{"start": "2026-11-26T00:00:00+00:00", "end": "2026-11-26T04:00:00+00:00",
                                      "reason": "SOS scanner upgrade", "zones": ["ALC_SOS~FR2_SZ"]}])
    assert proc.returncode == 0, proc.stdout
    found = rows(tmp_path)
    assert found >= {
        ("ALC_PreStage_MON01_private_import", "ok"),
        ("ALC_Dev_MON01_private_import", "running"),
        ("ALC_Sup_WDC04_private_import", "late"),
        ("ALC_Prod_TOK02_private_import", "stalled"),
        ("ALC_all_envs_public_import", "partial"),
        ("ALC_Prod_DAL09_private_import", "error"),
        ("ALC_Prod_WDC06_private_import", "missing"),
        ("ALC_Prod_LON02_private_import", "no_ips"),
        ("ALC_Stage_DAL09_private_import", "import_error"),
        ("ALC_FR2_public_import", "maintenance"),
        ("ALC_broken_schedule_import", "unknown_schedule"),
    }
    names = {name for name, _verdict in found}
    assert "ALC_retired_private_import" not in names  # a disabled schedule is ignored
    data = report(tmp_path)["check"]
    assert data["failing"] == ["ALC_all_envs_public_import", "ALC_Prod_DAL09_private_import",
                               "ALC_Prod_LON02_private_import", "ALC_Prod_TOK02_private_import",
                               "ALC_Prod_WDC06_private_import",
                               "ALC_Stage_DAL09_private_import", "ALC_Sup_WDC04_private_import"]
    broken = next(r for r in data["scans"] if r["verdict"] == "unknown_schedule")
    assert "unknown time zone 'Mars/Olympus'" in broken["reason"]
    junit = ET.parse(tmp_path / "scan_compliance.junit.xml").getroot()
    assert junit.get("failures") == "7" and junit.get("skipped") == "2"
    markdown = (tmp_path / "scan_compliance.md").read_text()
    assert "Also seen (not alerted):" in markdown and "SOS scanner upgrade" in markdown


def test_weekly_scan_on_its_day_only_and_other_time_zones(lab_factory, tmp_path):
    thursday = lab_factory("compliance_green")
    assert run_check(thursday, tmp_path).returncode == 0
    names = {name for name, _v in rows(tmp_path)}
    assert not any("CM7" in name for name in names)
    tokyo = next(r for r in report(tmp_path)["check"]["scans"] if r["name"] == "ALC_Prod_TOK02_private_import")
    assert tokyo["due_local"] == "2026-11-26T02:00:00+09:00"  # 17:00 UTC on the 25th, in the checked day
    sunday = lab_factory("compliance_weekly")
    assert run_check(sunday, tmp_path / "sunday").returncode == 0
    cm7 = [(n, v) for n, v in rows(tmp_path / "sunday") if "CM7" in n]
    assert cm7 == [("ALC_Prod_WDC06_CM7_All-ports", "ok")]  # the Sunday one; Saturday's is outside the day


def test_security_center_unreachable_is_not_a_failing_scan(lab, tmp_path):
    proc = run_check(lab, tmp_path, env={"TSC_URL": "https://127.0.0.1:1"})
    assert proc.returncode == 2
    stdout = " ".join(proc.stdout.split())  # ansible-core < 2.19 wraps long messages in the YAML result format
    assert "The compliance check could not run, so no scan was judged and no alert of failing scans was raised" in stdout
    assert "cannot connect" in stdout
    assert lab.calls() == []  # no issue, no page
    junit = ET.parse(tmp_path / "scan_compliance.junit.xml").getroot()
    assert junit.get("errors") == "1" and junit.get("failures") == "0"


def test_security_center_answering_html_is_not_a_failing_scan(lab, tmp_path):
    lab.admin("faults", {"system": "securitycenter", "action": {"status": 503, "body": "html"}})
    proc = run_check(lab, tmp_path)
    assert proc.returncode == 2
    assert "could not run" in proc.stdout and "undergoing maintenance" in proc.stdout
    assert {e["system"] for e in lab.requests()} == {"securitycenter"}


def test_check_mode_raises_nothing(lab, tmp_path):
    proc = run_check(lab, tmp_path, "--check")
    assert proc.returncode == 0, proc.stdout
    assert lab.calls() == ["GET /rest/system", "GET /rest/scan", "GET /rest/scanResult", "GET /api/v3/repos/alchemy-conductors/team/issues"]
    assert lab.world.pagerduty.events == []


def test_pagerduty_rate_limit_then_accepted(lab, tmp_path):
    lab.admin("faults", {"system": "pagerduty", "path": "^/v2/enqueue$", "times": 1,
                         "action": {"status": 429, "json": {"status": "throttle event", "message": "Requests for this service are arriving too quickly."}}})
    proc = run_check(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert [e["status"] for e in lab.requests("pagerduty")] == [429, 202]
    assert len(lab.world.pagerduty.events) == 1


def test_github_failure_keeps_the_reports(lab, tmp_path):
    lab.admin("faults", {"system": "github", "method": "POST", "action": {"status": 502, "json": {"message": "Server Error"}}})
    proc = run_check(lab, tmp_path)
    assert proc.returncode == 2
    assert "GitHub: Server Error (POST /repos/alchemy-conductors/team/issues, HTTP 502)" in proc.stdout
    assert report(tmp_path)["check"]["alert_text"] == ALERT_TEXT  # the evidence is written before the alert
    # a create is never retried blind: the open issues are read again, and with none there it is sent once more
    assert ["%s %s" % (e["method"], e["status"]) for e in lab.requests("github")] == ["GET 200", "POST 502", "GET 200", "POST 502"]
