"""playbooks/scan_zone_health.yml through ansible-playbook against the lab."""

from __future__ import annotations

import json
import re


def test_reports_every_zone_and_decodes_status(lab, tmp_path):
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"scan_zone_health_report_dir": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"BAD  prod-wdc06-infra-nessus-01 \(127\.\d+\.\d+\.12\): Connection Error \[status 2\]", proc.stdout)
    assert re.search(r"OK   prod-wdc06-infra-nessus-02 \(127\.\d+\.\d+\.13\): Working \[status 1\]", proc.stdout)
    assert "ALC_Prod_WDC06_SZ: 1/2 working  <-- check this zone" in proc.stdout
    assert "11 zones, 21 scanners, 1 not healthy" in proc.stdout
    report = json.loads((tmp_path / "scan_zone_health.json").read_text())
    assert report["zone_count"] == 11 and report["scanner_count"] == 21
    assert [(s["zone"], s["name"], s["status_summary"]) for s in report["unhealthy_scanners"]] == [
        ("ALC_Prod_WDC06_SZ", "prod-wdc06-infra-nessus-01", "Connection Error")]
    private = [z for z in report["zones"] if not z["name"].startswith("ALC_SOS")]
    assert len(private) == 9 and sum(len(z["scanners"]) for z in private) == 17
    # One refresh, one read of scanners, one of zones: nothing per zone or per scanner.
    assert lab.calls() == ["POST /rest/scanner/updateStatus", "GET /rest/scanner", "GET /rest/zone"]


def test_fail_on_unhealthy_names_the_scanner(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml",
                        extra_vars={"scan_zone_health_fail_on_unhealthy": True,
                                    "scan_zone_health_zones": ["ALC_Prod_WDC06_SZ"]})
    assert proc.returncode == 2
    assert "Scanners not healthy: prod-wdc06-infra-nessus-01" in proc.stdout


def test_unknown_zone_is_refused_with_the_known_ones(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"scan_zone_health_zones": ["NOPE"]})
    assert proc.returncode == 2
    assert "unknown scan zone: NOPE; Security Center has: ALC_Dev_MON01_SZ" in proc.stdout


def test_a_wrong_role_variable_fails_before_any_request(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"scan_zone_health_zones": "ALC_Prod_WDC06_SZ,x",
                                                                      "scan_zone_health_update_status": "maybe"})
    assert proc.returncode == 2
    assert "scan_zone_health_update_status" in proc.stdout
    assert lab.calls() == []


def test_503_then_200_is_retried_and_visible_with_v(lab):
    lab.admin("faults", {"method": "GET", "path": "^/rest/zone$", "times": 1, "action": {"status": 503, "body": "html"}})
    proc = lab.playbook("playbooks/scan_zone_health.yml", "-v")
    assert proc.returncode == 0, proc.stdout
    assert "path: /rest/zone" in proc.stdout and "status: 503" in proc.stdout
    assert [e["status"] for e in lab.requests() if e["path"] == "/rest/zone"] == [503, 200]


def test_maintenance_page_fails_with_a_clear_message(lab):
    lab.admin("faults", {"path": "^/rest/", "action": {"status": 503, "body": "html"}})
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"scan_zone_health_update_status": False})
    assert proc.returncode == 2
    assert ("Security Center: answered with a non-JSON body (text/html; charset=UTF-8): "
            "Tenable Security Center is undergoing maintenance (GET /rest/scanner, HTTP 503)") in proc.stdout
    assert len(lab.requests()) == 4  # the first try and three retries of the read


def test_session_credentials_from_the_environment(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": ""})
    assert proc.returncode == 0, proc.stdout
    calls = lab.calls()
    assert calls.count("POST /rest/token") == 2 and calls.count("DELETE /rest/token") == 2  # one session per module
    assert lab.sc.sessions == {}


def test_wrong_keys_one_request_and_a_clear_error(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", env={"TSC_SECRET_KEY": "0" * 32})
    assert proc.returncode == 2
    assert "request refused (credentials or permissions)" in proc.stdout
    assert lab.calls() == ["POST /rest/scanner/updateStatus"]


def test_unknown_ca_is_refused(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", env={"TSC_CA_PATH": ""})
    assert proc.returncode == 2
    assert "TLS verification failed" in proc.stdout
    assert lab.calls() == []


def test_check_mode_reads_the_same(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", "--check")
    assert proc.returncode == 0, proc.stdout
    assert "11 zones, 21 scanners, 1 not healthy" in proc.stdout
    assert "changed=0" in proc.stdout


def test_no_secret_in_output_or_request_log(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", "-vvv", env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": ""})
    assert proc.returncode == 0, proc.stdout
    with open(lab.settings["LAB_REQUEST_LOG"], encoding="utf-8") as handle:
        log = handle.read()
    for secret in lab.secrets():
        assert secret not in proc.stdout and secret not in proc.stderr and secret not in log
