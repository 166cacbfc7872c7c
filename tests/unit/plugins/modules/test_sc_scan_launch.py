"""sc_scan_launch through main() against the lab: guards, wait, lost answers, check mode."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.modules import sc_scan_launch

FAST = {"poll_interval": 0.2, "poll_max_interval": 0.5}


def posts(lab):
    return [c for c in lab.calls() if c.startswith("POST")]


def test_launch_and_wait_until_scanning_then_nothing_on_rerun(lab_env, run_module):
    first = run_module(sc_scan_launch, dict(FAST, name="ALC_Prod_DAL09_private_import", wait="scanning", wait_timeout=60))
    assert (first["changed"], first["launched"], first["guard"]) == (True, True, None)
    assert first["waited"]["reached"] is True and first["progress"]["scanning"] is True
    # what the waiter saw follows Security Center's order (how far the lab got before the first look depends on the
    # machine's load, so no particular first state is asserted)
    seen = [h["status"] for h in first["waited"]["history"]]
    order = ["Queued", "Preparing", "Running"]
    assert seen[-1] == "Running" and seen == sorted(seen, key=order.index)
    again = run_module(sc_scan_launch, dict(FAST, name="ALC_Prod_DAL09_private_import", wait="scanning", wait_timeout=60))
    assert (again["changed"], again["launched"], again["guard"]["guard"]) == (False, False, "already_running")
    assert again["scan_result_id"] == first["scan_result_id"]
    assert posts(lab_env) == ["POST /rest/scan/8/launch"]


def test_a_zone_with_a_dead_scanner_does_not_scan(lab_env, run_module):
    failed = run_module(sc_scan_launch, dict(FAST, name="ALC_Prod_WDC06_private_import", wait="scanning",
                                             wait_timeout=2), fails=True)
    assert "did not reach 'scanning' (timed out after 2.0s); last seen Queued" in failed["msg"]


def test_check_mode_launches_nothing(lab_env, run_module):
    result = run_module(sc_scan_launch, {"name": "ALC_Prod_WDC06_private_import"}, check_mode=True)
    assert (result["changed"], result["would_launch"], result["launched"]) == (True, True, False)
    assert posts(lab_env) == []


def test_a_launch_that_does_not_scan_fails_with_the_last_state(lab_factory, run_module, monkeypatch, tmp_path):
    path = tmp_path / "stuck.yaml"
    path.write_text("extends: default\noverrides:\n  - scan: ALC_Prod_DAL09_private_import\n    set: {launch: {stuck: running}}\n")
    lab = lab_factory(str(path))
    for key, value in lab.settings.items():
        monkeypatch.setenv(key, value)
    failed = run_module(sc_scan_launch, dict(FAST, name="ALC_Prod_DAL09_private_import", wait="scanning",
                                             wait_timeout=2), fails=True)
    assert "did not reach 'scanning' (timed out after 2.0s); last seen Running, 0 of 500 IPs completed, 0 scanning" in failed["msg"]
    assert failed["launched"] is True and failed["waited"]["timed_out"] is True
    assert posts(lab) == ["POST /rest/scan/8/launch"]  # never launched again while waiting


def test_lost_launch_answer_finds_the_result_instead_of_launching_again(lab_env, run_module, monkeypatch):
    monkeypatch.setenv("TSC_URL", lab_env.settings["TSC_URL"])
    lost = {"method": "POST", "path": "/launch$", "times": 1, "action": {"pass_through": True, "delay_after": 1.5}}
    lab_env.admin("faults", lost)
    result = run_module(sc_scan_launch, {"name": "ALC_Prod_WDC06_private_import", "timeout": 1})
    assert result["launched"] is True and result["launch_answer_lost"] is True
    assert result["scan_result_id"] == max(lab_env.sc.runs)
    assert posts(lab_env) == ["POST /rest/scan/9/launch"]


def test_unknown_scan_lists_the_known_ones(lab_env, run_module):
    failed = run_module(sc_scan_launch, {"name": "NOPE"}, fails=True)
    assert failed["msg"].startswith("unknown scan definition NOPE; Security Center has: ALC_CM7_All-ports_public")
    assert posts(lab_env) == []


def test_negative_timeout_is_refused_before_any_call(lab_env, run_module):
    failed = run_module(sc_scan_launch, {"name": "x", "wait_timeout": -5}, fails=True)
    assert "wait_timeout must be a positive number of seconds" in failed["msg"]
    assert lab_env.calls() == []


def test_names_resubmits_each_and_follows_them_together(lab_env, run_module):
    names = ["ALC_Prod_DAL09_private_import", "ALC_Prod_WDC06_private_import"]
    failed = run_module(sc_scan_launch, dict(FAST, names=names, wait="scanning", wait_timeout=3), fails=True)
    assert [s["scan"]["name"] for s in failed["scans"]] == names
    dal09, wdc06 = failed["scans"]
    assert dal09["launched"] and dal09["waited"]["reached"] and "msg" not in dal09
    assert wdc06["launched"] and not wdc06["waited"]["reached"] and "did not reach 'scanning'" in wdc06["msg"]
    assert failed["msg"] == wdc06["msg"] and failed["changed"] is True
    assert posts(lab_env) == ["POST /rest/scan/8/launch", "POST /rest/scan/9/launch"]
    # the two results were polled in the same rounds: the slow one did not hold back the other's answer
    assert dal09["waited"]["seconds"] < wdc06["waited"]["seconds"]
    again = run_module(sc_scan_launch, dict(FAST, names=names, wait="started", wait_timeout=1), fails=True)
    assert [s["guard"]["guard"] for s in again["scans"]] == ["already_running", "already_running"]
    assert posts(lab_env) == ["POST /rest/scan/8/launch", "POST /rest/scan/9/launch"]


def test_names_checks_every_name_before_launching_any(lab_env, run_module):
    failed = run_module(sc_scan_launch, {"names": ["ALC_Prod_DAL09_private_import", "NOPE"]}, fails=True)
    assert failed["msg"].startswith("unknown scan definition NOPE; Security Center has: ")
    assert posts(lab_env) == []


def test_names_in_check_mode_launch_nothing(lab_env, run_module):
    result = run_module(sc_scan_launch, {"names": ["ALC_Prod_DAL09_private_import", "ALC_Prod_WDC06_private_import"],
                                         "wait": "scanning"}, check_mode=True)
    assert result["changed"] is True and [s["would_launch"] for s in result["scans"]] == [True, True]
    assert posts(lab_env) == []


def test_names_say_each_scan_s_outcome_and_its_escalation(lab_env, run_module):
    names = ["ALC_Prod_DAL09_private_import", "ALC_Prod_WDC06_private_import"]
    failed = run_module(sc_scan_launch, dict(FAST, names=names, wait="scanning", wait_timeout=3), fails=True)
    dal09, wdc06 = failed["scans"]
    assert [dal09["outcome"], wdc06["outcome"]] == ["scanning", "not_scanning"]
    assert wdc06["escalation"] == {"name": "ALC_Prod_WDC06_private_import", "zone": wdc06["scan"]["zone"],
                                   "status": wdc06["progress"]["status"], "result_id": wdc06["scan_result_id"],
                                   "error_details": wdc06["msg"]}
    planned = run_module(sc_scan_launch, {"names": names}, check_mode=True)
    assert [s["outcome"] for s in planned["scans"]] == ["not_followed", "not_followed"]  # both run already: followed
    assert all(s["escalation"]["error_details"].startswith("result #") for s in planned["scans"])


def test_names_in_check_mode_would_resubmit(lab_env, run_module):
    result = run_module(sc_scan_launch, {"names": ["ALC_Prod_DAL09_private_import"], "wait": "scanning"}, check_mode=True)
    assert [s["outcome"] for s in result["scans"]] == ["would_resubmit"]
    assert result["scans"][0]["escalation"]["status"] == "" and result["scans"][0]["escalation"]["result_id"] is None


def test_names_read_the_runs_once_and_a_launch_makes_its_zone_busy_for_the_next_name(lab_env, run_module):
    """One list of the last days' runs serves every name; the run launched for the first scan of a zone holds the
    second scan of that zone (zone_busy), as a second read after the launch would."""
    names = ["ALC_Prod_WDC06_private_import", "ALC_Prod_WDC06_CM7_All-ports"]
    result = run_module(sc_scan_launch, {"names": names})
    first, second = result["scans"]
    assert first["launched"] and first["guard"] is None
    assert not second["launched"] and second["guard"]["guard"] == "zone_busy"
    assert "(result #%s, Queued) is active on scan zone ALC_Prod_WDC06_SZ" % first["scan_result_id"] in \
        second["guard"]["reason"]
    assert posts(lab_env) == ["POST /rest/scan/9/launch"]
    assert sum(1 for c in lab_env.calls() if c == "GET /rest/scanResult") == 1
