"""The read-only Security Center modules, driven through main() against the lab."""

from __future__ import annotations


from ansible_collections.conductors.nessus_compliance.plugins.modules import (
    sc_scan_info,
    sc_scan_result_info,
    sc_scanner_info,
    sc_zone_info,
)


def test_scanner_info_decodes_status_and_zones(lab_env, run_module):
    result = run_module(sc_scanner_info, {"update_status": True, "name": ["prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]})
    assert result["changed"] is False
    first, second = result["scanners"]
    assert first["status_decoded"]["summary"] == "Connection Error" and first["healthy"] is False
    assert second["healthy"] is True and second["zone_names"] == ["ALC_Prod_WDC06_SZ"]
    assert first["uptime"] == -1 and second["port"] == 8834 and second["enabled"] is True
    assert len(result["updated"]) == 21
    assert lab_env.calls() == ["POST /rest/scanner/updateStatus", "GET /rest/scanner"]
    fields = lab_env.requests()[1]["query"]["fields"].split(",")
    assert {"id", "name", "status", "ip", "zones"} <= set(fields)


def test_scanner_info_unknown_name_fails_listing_known(lab_env, run_module):
    result = run_module(sc_scanner_info, {"name": ["nope-01"]}, fails=True)
    assert result["msg"].startswith("unknown scanner: nope-01; Security Center has: dev-mon01-infra-nessus-02")


def test_zone_info_one_request_with_health(lab_env, run_module):
    result = run_module(sc_zone_info, {"name": ["ALC_Prod_WDC06_SZ"]})
    (zone,) = result["zones"]
    assert zone["unhealthy_scanners"] == ["prod-wdc06-infra-nessus-01"]
    assert zone["healthy_scanners"] == ["prod-wdc06-infra-nessus-02"]
    assert (zone["activeScanners"], zone["totalScanners"], zone["healthy"]) == (1, 2, False)
    assert lab_env.calls() == ["GET /rest/zone"]


def test_zone_info_unknown_zone(lab_env, run_module):
    result = run_module(sc_zone_info, {"name": ["NOPE"]}, fails=True)
    assert "unknown scan zone: NOPE" in result["msg"] and "ALC_Prod_WDC06_SZ" in result["msg"]


def test_scan_info_by_name_with_schedule(lab_env, run_module):
    result = run_module(sc_scan_info, {"name": ["ALC_Prod_WDC06_private_import", "ALC_Prod_WDC06_CM7_All-ports"]})
    private, cm7 = sorted(result["scans"], key=lambda s: s["name"], reverse=True)
    assert private["schedule"]["type"] == "ical"
    assert private["schedule"]["start"] == "TZID=America/New_York:20260101T020000"
    assert private["schedule"]["repeatRule"] == "FREQ=DAILY;INTERVAL=1"
    assert private["schedule"]["enabled"] is True and isinstance(private["schedule"]["nextRun"], int)
    assert private["zone"]["name"] == "ALC_Prod_WDC06_SZ" and private["maxScanTime"] == 43200
    assert cm7["schedule"]["repeatRule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"
    assert lab_env.calls() == ["GET /rest/scan"]


def test_scan_info_by_id_and_unknown_id(lab_env, run_module):
    assert run_module(sc_scan_info, {"id": [3]})["scans"][0]["name"] == "ALC_Dev_MON01_private_import"
    result = run_module(sc_scan_info, {"id": [4242]}, fails=True)
    assert "Scan #4242 does not exist" in result["msg"] and result["error"]["code"] == 147


def test_scan_result_info_window_one_request(lab_env, run_module):
    now = int(lab_env.world.clock.now())
    result = run_module(sc_scan_result_info, {"end_time": now, "window_hours": 24, "scan_name": ["ALC_all_envs_public_import"]})
    (latest,) = result["scan_results"]
    assert latest["status"] == "Partial" and latest["scannedIPs"] == 4180 and latest["totalIPs"] == 6400
    assert "stopped responding" in latest["errorDetails"]
    assert latest["progress_summary"]["finished"] is True and latest["progress_summary"]["active"] is False
    (call,) = lab_env.requests()
    assert call["path"] == "/rest/scanResult" and int(call["query"]["startTime"]) == now - 86400


def test_scan_result_info_window_ends_on_security_centers_clock(lab_env, run_module):
    """Without end_time the window ends at Security Center's time (days apart from the controller's in the lab)."""
    result = run_module(sc_scan_result_info, {"window_hours": 48, "scan_name": ["ALC_all_envs_public_import"]})
    system, listing = lab_env.requests()
    assert (system["path"], listing["path"]) == ("/rest/system", "/rest/scanResult")
    end = int(listing["query"]["endTime"])
    assert abs(end - lab_env.world.clock.now()) < 120  # the lab's clock, not time.time()
    assert int(listing["query"]["startTime"]) == end - 48 * 3600 == result["window"]["start_time"]
    assert result["scan_results"], "the lab's day has results in the window"


def test_scan_result_info_detail_has_progress(lab_env, run_module):
    rid = max(lab_env.sc.runs)
    result = run_module(sc_scan_result_info, {"id": rid})
    assert result["scan_result"]["id"] == rid
    assert isinstance(result["scan_result"]["progress"], dict)
    assert lab_env.calls() == ["GET /rest/scanResult/%d" % rid]


def test_scan_result_info_rejects_an_empty_window(lab_env, run_module):
    result = run_module(sc_scan_result_info, {"start_time": 200, "end_time": 100}, fails=True)
    assert "start_time (200) must be before end_time (100)" in result["msg"]
    assert lab_env.calls() == []


def test_missing_credentials_fail_before_any_request(lab, run_module, monkeypatch):
    monkeypatch.setenv("TSC_URL", lab.settings["TSC_URL"])
    for key in ("TSC_ACCESS_KEY", "TSC_SECRET_KEY", "TSC_USERNAME", "TSC_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    result = run_module(sc_zone_info, {}, fails=True)
    assert "no credentials" in result["msg"]
    assert lab.calls() == []


def test_url_without_scheme_fails_before_any_request(lab_env, run_module, monkeypatch):
    monkeypatch.setenv("TSC_URL", "sc.example.com")
    result = run_module(sc_zone_info, {}, fails=True)
    assert "must be an absolute http(s) URL" in result["msg"]


def test_every_run_with_certificate_checks_off_says_so(lab_env, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(sc_scan_info.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    run_module(sc_scan_info, {"validate_certs": False})
    assert warnings == ["Security Center: certificate checks are off (validate_certs=false): anyone on the network "
                        "path can read and change this run's requests, credentials included. Give the system's CA "
                        "bundle (ca_path) instead."]
    warnings.clear()
    run_module(sc_scan_info, {})
    assert warnings == []
