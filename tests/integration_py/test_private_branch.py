"""playbooks/remediate_private_scan.yml against the lab: every situation of the private branch."""

from __future__ import annotations

from private_branch import FAST, PUBLIC_LEFT, SPEED, changes, power, record, run  # noqa: F401  pylint: disable=import-error,unused-import


def test_healthy_scanners_resubmit_only(lab_factory, tmp_path):
    lab = lab_factory("private_healthy", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert changes(lab) == ["POST /rest/scan/9/launch"]
    assert power(lab) == []
    assert record(tmp_path)["outcome"] == "Scanning: ALC_Prod_WDC06_private_import." + PUBLIC_LEFT


def test_nessusd_stopped_soft_reboot_heals(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    assert changes(lab, "securitycenter") == ["POST /rest/scan/9/launch"]  # the second resubmission followed the first
    rec = record(tmp_path)
    assert rec["outcome"] == "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." + PUBLIC_LEFT
    texts = [e["text"] for e in rec["entries"]]
    assert any(t.startswith("prod-wdc06-infra-nessus-01: nessusd_not_running") for t in texts)
    health = next(e for e in rec["entries"] if e["text"].startswith("prod-wdc06-infra-nessus-01: nessusd_not_running"))
    assert health["details"]["alerts"] == ["sensu-uptime: nessusd is not running on prod-wdc06-infra-nessus-01"]
    assert "prod-wdc06-infra-nessus-01 works again after the soft reboot" in texts
    assert lab.world.servicenow.records("sc_request") == [] and lab.world.pagerduty.events == []


def test_not_reenabled_gets_an_sos_ticket_not_a_reboot(lab_factory, tmp_path):
    lab = lab_factory("private_not_reenabled", speed=SPEED)
    proc = run(lab, tmp_path)
    assert power(lab) == []
    tickets = lab.world.servicenow.records("sc_request")
    assert tickets[0]["short_description"] == "Re-enable Nessus scanner prod-wdc06-infra-nessus-01 in scan zone ALC_Prod_WDC06_SZ"
    assert "Authentication Error" in tickets[0]["description"]
    assert proc.returncode == 2  # not re-enabled yet, so the scan still does not scan: escalated
    assert len(tickets) == 2 and tickets[1]["short_description"].startswith("Nessus scans failing")


def test_hung_host_soft_fails_hard_heals(lab_factory, tmp_path):
    lab = lab_factory("private_hung", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft"), ("prod-wdc06-infra-nessus-01", "rebootHard")]
    assert "prod-wdc06-infra-nessus-01 works again after the hard reboot" in [e["text"] for e in record(tmp_path)["entries"]]


def test_dead_host_power_cycle_heals(lab_factory, tmp_path):
    lab = lab_factory("private_dead", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [m for _h, m in power(lab)] == ["rebootSoft", "rebootHard", "powerCycle"]


def test_nothing_heals_escalates_with_the_evidence(lab_factory, tmp_path):
    lab = lab_factory("private_nothing_heals", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 2
    assert "Escalated to SOS: ALC_Prod_WDC06_private_import" in proc.stdout
    assert [m for _h, m in power(lab)] == ["rebootSoft", "rebootHard", "powerCycle"]
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert "sent rebootSoft" in ticket["description"] and "powerCycle" in ticket["description"]
    assert len(lab.world.pagerduty.events) == 1
    left = [e["text"] for e in record(tmp_path)["entries"] if e["kind"] == "left"]
    assert any("still does not work after the soft reboot, hard reboot, power cycle" in t for t in left)


def test_active_transaction_no_second_command(lab_factory, tmp_path):
    lab = lab_factory("private_transaction", speed=SPEED)
    proc = run(lab, tmp_path)
    assert power(lab) == []  # the machine was already restarting: nothing sent while its transaction runs
    texts = [e["text"] for e in record(tmp_path)["entries"]]
    assert any("is active on prod-wdc06-infra-nessus-01: no second command" in t for t in texts) or \
        any(t.startswith("prod-wdc06-infra-nessus-01: starting") for t in texts)  # health: the machine is restarting
    assert proc.returncode in (0, 2)


def test_two_bad_scanners_one_at_a_time(lab_factory, tmp_path):
    lab = lab_factory("private_two_bad", speed=SPEED)
    proc = run(lab, tmp_path, zone="ALC_Prod_DAL09_SZ")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-dal09-infra-nessus-01", "rebootSoft"), ("prod-dal09-infra-nessus-02", "rebootSoft")]
    times = [t for t, _s, _m, _c in lab.world.classic.commands]
    machine = lab.world.classic.machines[lab.world.classic.commands[0][2]]
    assert times[1] >= machine.up_since(times[1])  # the second reboot came after the first scanner was back


def test_last_working_scanner_is_refused_without_the_override(lab_factory, tmp_path):
    lab = lab_factory("private_last_working", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 2
    assert ("prod-wdc06-infra-nessus-02", "rebootSoft") not in power(lab)
    left = [e["text"] for e in record(tmp_path)["entries"] if e["kind"] == "left"]
    assert any("prod-wdc06-infra-nessus-02 is the last working scanner of ALC_Prod_WDC06_SZ" in t for t in left)


def test_check_mode_changes_nothing(lab, tmp_path):
    proc = run(lab, tmp_path, "--check")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert changes(lab) == [] and power(lab) == []
    assert record(tmp_path)["outcome"].startswith("Check mode: would resubmit ALC_Prod_WDC06_private_import")


def test_unknown_and_public_zones_are_refused_before_any_call(lab, tmp_path):
    proc = run(lab, tmp_path, zone="NOPE")
    assert proc.returncode == 2
    assert 'Unknown scan zone "NOPE".' in proc.stdout and "Valid private zones: ALC_Dev_MON01_SZ" in proc.stdout
    proc = run(lab, tmp_path, zone="ALC_SOS_SZ")
    assert proc.returncode == 2 and "ALC_SOS_SZ is a public scan zone" in proc.stdout
    assert lab.calls() == []


def test_missing_domain_site_setting_stops_before_acting(lab, tmp_path):
    proc = lab.playbook("playbooks/remediate_private_scan.yml", extra_vars=dict(FAST, zone="ALC_Prod_WDC06_SZ"))
    assert proc.returncode == 2
    assert "Site setting(s) domain of ALC_Prod_WDC06_SZ are not set" in proc.stdout
    assert lab.calls() == []


def test_reboot_then_not_reenabled_asks_sos_not_the_next_reboot(lab_factory, tmp_path):
    """After the soft reboot Nessus is ready but Security Center reports Authentication Error: the scanner is in the
    runbook's third situation. It gets the SOS re-enable request, not the hard reboot; once SOS re-enabled it the
    run resubmits and the scan scans."""
    lab = lab_factory("private_reboot_not_reenabled", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert ticket["short_description"] == "Re-enable Nessus scanner prod-wdc06-infra-nessus-01 in scan zone ALC_Prod_WDC06_SZ"
    assert "had a soft reboot and its Nessus answers ready" in ticket["description"]
    assert "Authentication Error" in ticket["description"]
    assert lab.world.pagerduty.events == []
    sc = changes(lab, "securitycenter")
    assert sc == ["POST /rest/scan/9/launch"]  # the second resubmission followed the first run (queued): no second launch
    rec = record(tmp_path)
    events = [e["details"].get("event") for e in rec["entries"] if e["details"].get("event")]
    assert events.index("ladder_reenable") < events.index("reenable_requested") < events.index("reenabled")
    assert "ladder_failed" not in events and "ladder_healed" not in events
    assert rec["outcome"].startswith("Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s).")


def test_a_stalled_run_is_failing_not_nothing_to_do(lab_factory, tmp_path):
    """The zone's run has been Running for hours with no IP scanned: the branch reads it as failing (stalled), follows
    it instead of launching a second run, finds the scanners healthy and escalates with the evidence."""
    lab = lab_factory("private_stalled", speed=SPEED)
    proc = run(lab, tmp_path)
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert changes(lab, "securitycenter") == [] and power(lab) == []  # no second run, no reboot of healthy scanners
    rec = record(tmp_path)
    found = next(e["text"] for e in rec["entries"] if e["step"] == "Review the scan(s) in Security Center")
    assert found.startswith("failing in ALC_Prod_WDC06_SZ: ALC_Prod_WDC06_private_import - ") and "no IP" in found
    assert rec["outcome"].startswith("Still not scanning, escalated to SOS: ALC_Prod_WDC06_private_import.")
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert "ALC_Prod_WDC06_private_import" in ticket["description"]
