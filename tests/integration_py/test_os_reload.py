"""The OS reload branch (last resort) through remediate_private_scan.yml against the lab, every case of the runbook."""

from __future__ import annotations

import yaml

from private_branch import PUBLIC_LEFT, RELOAD, SPEED, power, record, reloads, run  # pylint: disable=import-error

BAD = "prod-wdc06-infra-nessus-01"
WW = "armada-ops/bastion-register-nodes-ww"


def scenario(tmp_path, **changes):
    """private_reload with changes to the bad machine (``machine``) or Jenkins' jobs (``jobs``)."""
    spec = {"extends": "private_reload"}
    if "machine" in changes:
        spec["classic"] = {"machines": {BAD: dict({"hung": True, "heals": {"rebootSoft": "hung", "rebootHard": "hung",
                                                                           "powerCycle": "hung"},
                                                   "sos_reenable_seconds": 600}, **changes["machine"])}}
    if "jobs" in changes:
        spec["jenkins"] = {"jobs": changes["jobs"]}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def entries(tmp_path, event=None):
    return [e for e in record(tmp_path)["entries"] if event is None or (e["details"] or {}).get("event") == event]


def reenable_tickets(lab):
    return [t for t in lab.world.servicenow.records("sc_request") if t["short_description"].startswith("Re-enable")]


def test_reload_heals(lab_factory, tmp_path):
    lab = lab_factory("private_reload", speed=SPEED)
    proc = run(lab, tmp_path, **RELOAD)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [(BAD, "rebootSoft"), (BAD, "rebootHard"), (BAD, "powerCycle"), (BAD, "reloadOperatingSystem")]
    assert reloads(lab) == [(BAD, {"customProvisionScriptUri": "https://bootstrap.lab.example/alc-nessus-bootstrap.sh"})]
    (when, job, params), = lab.world.jenkins.triggers
    machine = lab.world.classic.by_name(BAD)
    assert job == WW and params == {"TARGET_HOSTS_IP": machine.backend_ip,
                                    "TARGET_HOSTNAME": "prod-wdc04-carrier1-worker-1001", "Branch": "master"}
    tickets = reenable_tickets(lab)
    assert [t["short_description"] for t in tickets] == ["Re-enable Nessus scanner %s in scan zone ALC_Prod_WDC06_SZ" % BAD]
    assert "reloaded with the post-provision script, is bootstrapped and registered with the bastion" in tickets[0]["description"]
    rec = record(tmp_path)
    events = [e["details"]["event"] for e in rec["entries"] if (e["details"] or {}).get("scanner") == BAD
              and "event" in e["details"]]
    assert events == ["ladder_step"] * 3 + ["ladder_failed", "os_reload_decided", "os_reload_done", "bootstrap_confirmed",
                                            "bastion_registered", "reenable_requested", "os_reload_healed"]
    assert [e["details"]["step"] for e in entries(tmp_path, "ladder_step")] == ["reboot_soft", "reboot_hard", "power_cycle"]
    assert entries(tmp_path, "os_reload_decided")[0]["details"]["allowed_by"] == "jdoe"
    reloaded = entries(tmp_path, "os_reload_done")[0]["text"]
    assert reloaded.startswith("%s: OS reloaded with the post-provision script (" % BAD) and ", finished 20" in reloaded
    assert entries(tmp_path, "bastion_registered")[0]["text"] == (
        "%s: %s #1 SUCCESS (TARGET_HOSTS_IP=%s, TARGET_HOSTNAME=prod-wdc04-carrier1-worker-1001)" % (BAD, WW, machine.backend_ip))
    assert rec["outcome"] == "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." + PUBLIC_LEFT
    # order of the systems touched: reload before registration, registration before the SOS request
    systems = [r["system"] for r in lab.requests() if r["method"] == "POST" and r["system"] in ("classic", "jenkins", "servicenow")]
    assert systems == ["classic", "jenkins", "servicenow"]
    assert lab.world.servicenow.records("sc_request") == tickets  # healed: no escalation


def test_reload_not_allowed_escalates_with_the_evidence(lab_factory, tmp_path):
    lab = lab_factory("private_reload", speed=SPEED)
    options = dict(RELOAD)
    options["allow_osreload"] = False
    proc = run(lab, tmp_path, **options)
    assert proc.returncode == 2
    assert reloads(lab) == [] and lab.world.jenkins.triggers == []
    refused = entries(tmp_path, "os_reload_refused")
    assert refused[0]["text"].startswith("an OS reload of %s is not allowed: run with allow_osreload=true" % BAD)
    escalation = [t for t in lab.world.servicenow.records("sc_request") if t["short_description"].startswith("Nessus scans")]
    assert len(escalation) == 1 and "ALC_Prod_WDC06_private_import" in escalation[0]["description"]
    assert len(lab.world.pagerduty.events) == 1


def test_reload_without_a_script_is_refused(lab_factory, tmp_path):
    lab = lab_factory("private_reload", speed=SPEED)
    proc = run(lab, tmp_path, **dict(RELOAD, os_reload_post_provision_hook=""))
    assert proc.returncode == 2
    assert reloads(lab) == []
    failed = entries(tmp_path, "os_reload_failed")[0]["text"]
    assert "Bootstrapping will not be performed if the post provision script is not selected" in failed


def test_a_stuck_reload_is_escalated_and_not_sent_twice(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, machine={"reload_stuck": True}), speed=SPEED)
    proc = run(lab, tmp_path, **dict(RELOAD, os_reload_wait_timeout=3))
    assert proc.returncode == 2
    assert len(reloads(lab)) == 1 and lab.world.jenkins.triggers == []
    assert "is still running after 3.0s (step CLOUD_CONFIGURE_OS); it was not sent again" in \
        entries(tmp_path, "os_reload_failed")[0]["text"]
    # a re-run while that reload still runs: the scanner is restarting, nothing is sent
    again = tmp_path / "again"
    again.mkdir()
    proc = run(lab, again, **dict(RELOAD, os_reload_wait_timeout=3, remediation_record_dir=str(tmp_path)))
    assert len(reloads(lab)) == 1 and power(lab)[-1] == (BAD, "reloadOperatingSystem")


def test_bastion_job_fails_opens_an_issue_labelled_bastion(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, jobs={WW: {"result": "FAILURE"}}), speed=SPEED)
    proc = run(lab, tmp_path, **RELOAD)
    assert proc.returncode == 2
    issues = [i for i in lab.world.github.repositories[lab.world.github.repository]["issues"].values()
              if "bastion" in [label["name"] if isinstance(label, dict) else label for label in i["labels"]]]
    assert len(issues) == 1 and issues[0]["title"] == "Bastion registration failed for %s (ALC_Prod_WDC06_SZ)" % BAD
    assert "Finished: FAILURE" in issues[0]["body"] and "UNREACHABLE" in issues[0]["body"]
    assert reenable_tickets(lab) == []  # not registered: SOS is not asked to re-enable it
    failed = entries(tmp_path, "bastion_failed")[0]["text"]
    assert failed.startswith("%s: %s #1 FAILURE (TARGET_HOSTS_IP=" % (BAD, WW)) and "TARGET_HOSTNAME=prod-wdc04-" in failed


def test_a_vanished_queue_item_is_followed_to_its_build(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, jobs={WW: {"vanish_seconds": 0}}), speed=SPEED)
    proc = run(lab, tmp_path, **RELOAD)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(lab.world.jenkins.triggers) == 1 and entries(tmp_path, "bastion_registered")
    assert "GET /job/armada-ops/job/bastion-register-nodes-ww/api/json" in lab.calls("jenkins")


def test_rerun_after_a_finished_reload_registers_without_reloading(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, jobs={WW: {"result": "FAILURE"}}), speed=SPEED)
    assert run(lab, tmp_path, **RELOAD).returncode == 2
    lab.world.jenkins.jobs[WW]["result"] = "SUCCESS"  # the bastion is fixed; the SRE runs the branch again for the scan
    proc = run(lab, tmp_path, **dict(RELOAD, scans=["ALC_Prod_WDC06_private_import"]))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(reloads(lab)) == 1  # no second reload
    assert len(lab.world.jenkins.triggers) == 2 and len(reenable_tickets(lab)) == 1
    assert entries(tmp_path, "bastion_registered") and entries(tmp_path, "os_reload_healed")


def test_check_mode_plans_the_ladder_s_next_step_then_the_reload(lab_factory, tmp_path):
    lab = lab_factory("private_reload", speed=SPEED)
    proc = run(lab, tmp_path, "--check", **RELOAD)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert reloads(lab) == [] and power(lab) == [] and lab.world.jenkins.triggers == []
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []
    # the plan stops at the soft reboot (the real run looks at the scanner again after it) and names what follows
    assert entries(tmp_path, "os_reload_planned") == []
    assert entries(tmp_path, "ladder_planned")[0]["details"]["later"] == ["reboot_hard", "power_cycle"]
    assert entries(tmp_path, "ladder_planned")[0]["text"].endswith("then the power cycle, then an OS reload (allow_osreload)")


def test_check_mode_reloads_nothing_and_says_what_it_would_send(lab_factory, tmp_path):
    """With no ladder step left to plan (here: a ladder of no steps), the plan is the OS reload itself."""
    lab = lab_factory("private_reload", speed=SPEED)
    proc = run(lab, tmp_path, "--check", reboot_ladder_steps=[], **RELOAD)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert reloads(lab) == [] and power(lab) == [] and lab.world.jenkins.triggers == []
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []
    planned = entries(tmp_path, "os_reload_planned")[0]["text"]
    assert planned == "would reload %s with https://bootstrap.lab.example/alc-nessus-bootstrap.sh" % BAD


def test_an_fr2_zone_registers_through_the_eu_fr2_job(lab_factory, tmp_path):
    lab = lab_factory("private_reload_fr2", speed=SPEED)
    proc = run(lab, tmp_path, zone="ALC_Prod_PAR04_SZ", **dict(RELOAD, scans=["ALC_Prod_PAR04_private_import"]))
    assert proc.returncode == 0, proc.stdout[-3000:]
    (when, job, params), = lab.world.jenkins.triggers
    assert job == "armada-ops/bastion-register-nodes"
    assert params["TARGET_HOSTNAME"] == "prod-par04-carrier1-worker-1001"
    assert params["TARGET_HOSTS_IP"] == lab.world.classic.by_name("prod-par04-infra-nessus-01").backend_ip
    assert reloads(lab)[0][0] == "prod-par04-infra-nessus-01"
