"""playbooks/remediate.yml: from the alert to the public branch and the private branch of each zone."""

from __future__ import annotations

import json

from private_branch import power  # pylint: disable=import-error

FAST = {"remediate_private_scan_wait_timeout": 6, "remediate_private_scan_poll_interval": 0.5,
        "remediate_private_scan_poll_max_interval": 1, "reboot_ladder_poll_interval": 1,
        "reboot_ladder_nessus_timeout": 8, "reboot_ladder_sc_timeout": 6,
        "remediate_public_scan_poll_interval": 0.5, "remediate_public_scan_poll_max_interval": 1}
ALERT = ("The following scans are identified as failing and need investigation:\n\n"
         "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")


def run(lab, tmp_path, **extra):
    variables = dict(FAST, remediation_record_dir=str(tmp_path))
    variables.update(extra)
    return lab.playbook("playbooks/remediate.yml", "-i", lab.settings["LAB_INVENTORY"], extra_vars=variables)


def test_the_runbooks_alert(lab_factory, tmp_path):
    lab = lab_factory("default", speed=300)
    proc = run(lab, tmp_path, alert=ALERT)
    assert proc.returncode == 0, proc.stdout[-3000:]
    records = [json.loads(path.read_text()) for path in tmp_path.glob("remediation-*.json")]
    assert sorted(r["subject"] for r in records) == [
        "ALC_Prod_WDC06_SZ", "ALC_all_envs_public_import ALC_Prod_WDC06_private_import"]  # the alert's, and the zone's
    texts = [e["text"] for r in records for e in r["entries"]]
    assert "ALC_all_envs_public_import runs in ALC_SOS_SZ (public)" in texts
    assert "ALC_Prod_WDC06_private_import runs in ALC_Prod_WDC06_SZ (private)" in texts
    assert any("leave it to its next scheduled run" in t for t in texts)  # the public import completed yesterday
    assert "prod-wdc06-infra-nessus-01 works again after the soft reboot" in texts
    launches = [c for c in lab.calls("securitycenter") if c.endswith("/launch")]
    assert launches == ["POST /rest/scan/9/launch"]  # only the private scan; once
    # one Slack message for the run and its zone: the zone's heal is in it
    (message,) = lab.world.slack.messages
    assert "Nessus scan remediation, alert ALC_all_envs_public_import ALC_Prod_WDC06_private_import: changed" in \
        message["rendered"]
    assert "ALC_Prod_WDC06_SZ" in message["rendered"]


def test_the_compliance_report_as_input(lab_factory, tmp_path):
    lab = lab_factory("private_healthy", speed=300)
    report = tmp_path / "scan_compliance.json"
    report.write_text(json.dumps({"check": {"failing": ["ALC_Prod_WDC06_private_import"]}}))
    proc = run(lab, tmp_path, report=str(report))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]


def test_malformed_empty_and_unknown_alerts_change_nothing(lab, tmp_path):
    proc = run(lab, tmp_path, alert="SCANS FAILED - failed nessus scans require investigation")
    assert proc.returncode == 2 and "malformed alert 'SCANS FAILED" in proc.stdout + proc.stderr
    assert "expected the line under 'The following scans are identified" in proc.stdout + proc.stderr
    proc = run(lab, tmp_path, alert="[]")
    assert proc.returncode == 2 and "empty alert" in proc.stdout + proc.stderr
    assert lab.calls() == []
    proc = run(lab, tmp_path, alert="[NOPE_private_import]")
    assert proc.returncode == 2 and "unknown scan definition: NOPE_private_import" in proc.stdout
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []


def test_the_alerts_private_scans_are_resubmitted_together_and_only_failing_zones_go_on(lab_factory, tmp_path):
    lab = lab_factory("default", speed=300)
    proc = run(lab, tmp_path, alert="[ALC_Prod_DAL09_private_import ALC_Prod_WDC06_private_import]")
    assert proc.returncode == 0, proc.stdout[-3000:]
    launches = [c for c in lab.calls("securitycenter") if c.endswith("/launch")]
    assert launches == ["POST /rest/scan/8/launch", "POST /rest/scan/9/launch"]  # one task, each scan once
    records = {r["subject"]: r for r in (json.loads(p.read_text()) for p in tmp_path.glob("remediation-*.json"))}
    # DAL09 scans after the resubmission: no zone record; WDC06 does not, and its zone is healed in its own record
    assert sorted(records) == ["ALC_Prod_DAL09_private_import ALC_Prod_WDC06_private_import", "ALC_Prod_WDC06_SZ"]
    alert = records["ALC_Prod_DAL09_private_import ALC_Prod_WDC06_private_import"]
    assert "Scanning after the resubmission: ALC_Prod_DAL09_private_import." in alert["outcome"]
    assert "handled in their own records: ALC_Prod_WDC06_SZ" in alert["outcome"]
    zone_texts = [e["text"] for e in records["ALC_Prod_WDC06_SZ"]["entries"]]
    assert "prod-wdc06-infra-nessus-01 works again after the soft reboot" in zone_texts
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]  # DAL09's scanners were left alone


def test_a_zone_another_run_works_on_is_left_to_it_before_any_resubmission(lab_factory, tmp_path):
    """WDC06's lease is held by a run on AWX: the alert's run resubmits DAL09's scan only (WDC06's is left to that
    run, never launched twice), says who works on WDC06, gives DAL09's lease back and the other run's keeps."""
    lab = lab_factory("default", speed=300)
    leases = tmp_path / "leases"
    leases.mkdir()
    now = lab.controller_now()  # leases are judged by the controller's clock (the clock gate moves it)
    other = {"run_id": "20261130T080000Z-0ther0", "who": "AWX job 77 (Heal a scan zone)", "where": "awx-ee-5f7c",
             "pid": 1, "since": now - 60, "expires": now + 3600, "zone": "ALC_Prod_WDC06_SZ"}
    (leases / "ALC_Prod_WDC06_SZ.json").write_text(json.dumps(other))
    proc = run(lab, tmp_path, alert="[ALC_Prod_DAL09_private_import ALC_Prod_WDC06_private_import]")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/8/launch"]
    assert power(lab) == []
    (alert,) = [json.loads(p.read_text()) for p in tmp_path.glob("remediation-*.json")]
    texts = [e["text"] for e in alert["entries"]]
    assert any(t.startswith("another run works on ALC_Prod_WDC06_SZ: run 20261130T080000Z-0ther0 (AWX job 77") for t in texts)
    assert any(t.startswith("took the lease of ALC_Prod_DAL09_SZ until ") for t in texts)
    assert json.loads((leases / "ALC_Prod_WDC06_SZ.json").read_text()) == other
    assert not (leases / "ALC_Prod_DAL09_SZ.json").exists()
