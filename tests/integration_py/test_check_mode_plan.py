"""Check mode tells the truth: the plan of a dry run is what the real run then does, and the dry run writes nothing.

Each test runs the private branch with --check against a lab, then the real run against the same lab (the dry run
changed nothing, so the real run sees what the dry run saw), and compares the plan the dry run recorded with what the
lab recorded of the real run: the scans launched, the power commands sent, the re-enable requests opened. The plan
stops where the real run looks at a scanner again (its next ladder step), so these scenarios are ones whose first
step decides the run.
"""

from __future__ import annotations

import json

import pytest

from private_branch import PUBLIC_LEFT, SPEED, power, run  # pylint: disable=import-error

ZONE_OF = {"private_two_bad": "ALC_Prod_DAL09_SZ"}
POWER_METHOD = {"reboot_soft": "rebootSoft", "reboot_hard": "rebootHard", "power_cycle": "powerCycle"}


def entries(records):
    paths = sorted(records.glob("remediation-*.json"))
    assert len(paths) == 1, paths
    return json.loads(paths[0].read_text())["entries"]


def planned(records):
    """What the dry run's record says the run would do: (launch, scan), (power command, scanner), (re-enable, scanner)."""
    plan = []
    for entry in entries(records):
        details = entry.get("details") or {}
        if details.get("would_launch"):
            plan.append(("launch", details["scan"]["name"]))
        elif details.get("event") == "ladder_planned":
            plan.append((POWER_METHOD[details["step"]], details["scanner"]))
        elif details.get("event") == "reenable_requested":
            plan.append(("reenable", details["scanner"]))
    return plan


def done(lab):
    """What the lab recorded of the real run, in the same terms."""
    names = {str(s["id"]): s["name"] for s in lab.sc.scans.values()}
    actions = []
    for call in lab.calls():
        method, path = call.split(" ", 1)
        if method == "POST" and path.startswith("/rest/scan/") and path.endswith("/launch"):
            actions.append(("launch", names[path.split("/")[3]]))
    actions += [(method, host) for host, method in power(lab)]
    for ticket in lab.world.servicenow.records("sc_request"):
        if ticket["short_description"].startswith("Re-enable Nessus scanner "):
            actions.append(("reenable", ticket["short_description"].split()[3]))
    return actions


@pytest.mark.parametrize("scenario, plan, then", [
    # a soft reboot heals the zone's bad scanner; the healthy one is left alone (not protected as "the last working")
    ("default", [("launch", "ALC_Prod_WDC06_private_import"), ("rebootSoft", "prod-wdc06-infra-nessus-01")], []),
    # two bad scanners: each gets its soft reboot, one at a time
    ("private_two_bad", [("launch", "ALC_Prod_DAL09_private_import"), ("rebootSoft", "prod-dal09-infra-nessus-01"),
                         ("rebootSoft", "prod-dal09-infra-nessus-02")], []),
    # up and ready but not re-enabled in its zone: the SOS request, no reboot
    ("private_not_reenabled", [("launch", "ALC_Prod_WDC06_private_import"), ("reenable", "prod-wdc06-infra-nessus-01")],
     []),
    # the powered-off scanner gets the soft reboot, the zone's last working one (stale Working, Nessus down) is
    # refused in the plan as in the run; the soft reboot does not heal: the run goes on with what the plan named next
    ("private_last_working", [("launch", "ALC_Prod_WDC06_private_import"), ("rebootSoft", "prod-wdc06-infra-nessus-01")],
     [("rebootHard", "prod-wdc06-infra-nessus-01"), ("powerCycle", "prod-wdc06-infra-nessus-01")]),
])
def test_the_plan_is_what_the_real_run_does(lab_factory, tmp_path, scenario, plan, then):
    lab = lab_factory(scenario, speed=SPEED)
    zone = ZONE_OF.get(scenario, "ALC_Prod_WDC06_SZ")
    dry = run(lab, tmp_path / "dry", "--check", zone=zone)
    assert dry.returncode == 0, dry.stdout[-3000:]
    # the dry run wrote nothing anywhere: no POST/PUT/PATCH/DELETE to any system (not even updateStatus)
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []
    assert planned(tmp_path / "dry") == plan
    named_next = [(POWER_METHOD[step], e["details"]["scanner"]) for e in entries(tmp_path / "dry")
                  if (e.get("details") or {}).get("event") == "ladder_planned" for step in e["details"]["later"]]
    assert then == named_next[:len(then)]
    outcome = json.loads(sorted((tmp_path / "dry").glob("remediation-*.json"))[0].read_text())["outcome"]
    assert outcome.startswith("Check mode: would resubmit ")

    real = run(lab, tmp_path / "real", zone=zone)
    assert real.returncode in (0, 2), real.stdout[-3000:]
    assert done(lab) == plan + then


def test_the_dry_run_names_the_next_step_and_what_follows_it(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    proc = run(lab, tmp_path, "--check")
    assert proc.returncode == 0, proc.stdout[-3000:]
    texts = [e["text"] for e in entries(tmp_path)]
    assert "soft reboot of prod-wdc06-infra-nessus-01: check mode: would send rebootSoft" in texts
    assert ("then look at prod-wdc06-infra-nessus-01 again; if the soft reboot does not heal it: the hard reboot, then the "
            "power cycle, then the escalation to SOS (an OS reload needs allow_osreload=true)") in texts
    assert any(t.startswith("prod-wdc06-infra-nessus-02: healthy") for t in texts)
    assert not any("last working scanner" in t for t in texts)
    outcome = json.loads(sorted(tmp_path.glob("remediation-*.json"))[0].read_text())["outcome"]
    assert outcome == ("Check mode: would resubmit ALC_Prod_WDC06_private_import; "
                       "then the soft reboot of prod-wdc06-infra-nessus-01." + PUBLIC_LEFT)


def test_default_waits_start_the_ladder_at_once(lab_factory, tmp_path):
    """No blind hour: with the shipped waits (an hour for the resubmitted scan), Security Center already shows the
    zone's scanner in Connection Error, so the ladder starts after the first poll; the zone heals in minutes of lab
    time, with the one launch the runbook asks for."""
    lab = lab_factory("default")  # the scenario's own speed: 60 lab seconds a second
    started = lab.world.clock.now()
    proc = lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"],
                        extra_vars={"zone": "ALC_Prod_WDC06_SZ", "remediation_record_dir": str(tmp_path)})
    lab_minutes = (lab.world.clock.now() - started) / 60
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]
    first = next(e for e in entries(tmp_path) if e["text"].startswith("ALC_Prod_WDC06_private_import: resubmitted as"))
    reason = "Security Center shows scanner prod-wdc06-infra-nessus-01 of ALC_Prod_WDC06_SZ Connection Error"
    assert "stopped following: " + reason in first["text"]
    assert first["details"]["waited"]["stopped"] == reason and first["details"]["waited"]["polls"] == 1
    # an hour of waiting would be 60 lab hours at this speed; the whole run is a matter of lab minutes
    assert lab_minutes < 120, lab_minutes
