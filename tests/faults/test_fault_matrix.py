"""Fault matrix: one injected fault per full run of the branch it affects, against the lab.

Each case runs at -vvv and asserts the run's end (exit code, a message naming the system and the step), that no
secret the lab handed out appears in the output, the records or the request log, that no action was
repeated (a scan launched twice, a machine sent the same power command or a reload twice, a ticket or an issue
opened twice, a Jenkins build asked for twice), that what was escalated carries the evidence, and that the
remediation record is closed. The table is printed at the end (tests/faults/conftest.py).
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import time

import pytest
import yaml

from private_branch import FAST, RELOAD, SPEED, power  # pylint: disable=import-error


ZONE = "ALC_Prod_WDC06_SZ"
WW = "armada-ops/bastion-register-nodes-ww"
NOTHING_HEALS = {"hung": True, "heals": {"rebootSoft": "hung", "rebootHard": "hung", "powerCycle": "hung"}}


def case(name, fault, faults=(), scenario="default", machine=None, jobs=None, variables=None, env=None, rc=0,
         says=(), playbook="playbooks/remediate_private_scan.yml", evidence="ALC_Prod_WDC06_private_import", records=True,
         world=None, logins=None, unchanged=False):
    """``evidence``: the scan every escalation must name; ``records``: whether the playbook keeps remediation records;
    ``world``: scenario settings laid over the scenario's; ``unchanged``: the run must stop before any change (only
    reads reach the systems)."""
    return pytest.param(dict(fault=fault, faults=list(faults), scenario=scenario, machine=machine, jobs=jobs,
                             variables=variables or {}, env=env or {}, rc=rc, says=list(says), playbook=playbook,
                             evidence=evidence, records=records, world=world or {}, logins=logins,
                             unchanged=unchanged), id=name)


PUBLIC = dict(playbook="playbooks/remediate_public_scan.yml", scenario="public_scan", evidence="ALC_FR2_public_import",
              variables={"scan": "ALC_FR2_public_import", "remediate_public_scan_poll_interval": 0.5,
                         "remediate_public_scan_poll_max_interval": 1})
ALERT = dict(playbook="playbooks/remediate.yml", variables={
    "alert": "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]",
    "remediate_public_scan_poll_interval": 0.5, "remediate_public_scan_poll_max_interval": 1})
COMPLIANCE = dict(playbook="playbooks/scan_compliance.yml", records=False,
                  variables={"scan_compliance_pagerduty": True, "scan_compliance_github_issue": True})


CASES = [
    case("store-unreachable", "the github store (the team's repository) answers 503: no record can be kept",
         [{"system": "github", "action": {"status": 503}}], variables={"remediation_store": "github"}, rc=2,
         records=False, unchanged=True, says=["cannot write the remediation record in github:", "GitHub"]),
    case("sc-503-then-back", "Security Center 503 twice on the results, then answers",
         [{"system": "securitycenter", "method": "GET", "path": "^/rest/scanResult", "times": 2, "action": {"status": 503}}]),
    case("sc-maintenance-page", "Security Center answers an HTML maintenance page",
         [{"system": "securitycenter", "action": {"status": 503, "body": "html"}}], rc=2,
         says=["Security Center", "Find the zone's failing private scans"]),
    case("sc-token-expired", "session token expired mid-run (error 12), one re-login",
         [{"system": "securitycenter", "method": "GET", "path": "^/rest/scanner$", "times": 1,
           "action": {"status": 401, "json": {"type": "regular", "response": "", "error_code": 12,
                                              "error_msg": "Invalid token", "warnings": [], "timestamp": 0}}}],
         env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": ""}),
    case("sc-login-refused", "Security Center refuses the login (never retried: accounts lock)", [],
         env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": "", "TSC_PASSWORD": "wrong-password"}, rc=2,
         says=["Security Center"], logins=1),
    case("sc-account-locked", "the Security Center account is locked (error 161): no login attempt repeated", [],
         env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": ""}, rc=2, says=["Security Center", "is locked"], logins=1,
         world={"securitycenter": {"users": [{"username": "sre-automation", "locked": True}]}}),
    case("sc-slow", "Security Center answers in 2.2 s against a 3 s timeout",
         [{"system": "securitycenter", "method": "GET", "times": 4, "action": {"delay": 2.2, "pass_through": True}}],
         env={"TSC_TIMEOUT": "3"}),
    case("sc-launch-answer-lost", "the launch is served but its answer comes after the 3 s timeout",
         [{"system": "securitycenter", "method": "POST", "path": "^/rest/scan/[0-9]+/launch$", "times": 1,
           "action": {"pass_through": True, "delay_after": 5}}],
         env={"TSC_TIMEOUT": "3"}, says=["launch_answer_lost: true"]),
    case("nessusd-not-back", "the soft reboot brings the machine back without nessusd; the hard reboot heals", [],
         machine={"nessusd": "stopped", "heals": {"rebootSoft": "stopped", "rebootHard": "running"}}),
    case("transaction-active", "a transaction is already active on the machine", scenario="private_transaction", rc=None),
    case("bare-metal-spacing", "bare metal: the hard reboot waits out the 20-minute spacing", [],
         machine={"type": "hardware", "nessusd": "stopped", "heals": {"rebootSoft": "stopped", "rebootHard": "running"}}),
    case("reload-never-finishes", "the OS reload never finishes", [], scenario="private_reload",
         machine=dict(NOTHING_HEALS, reload_stuck=True), variables=dict(RELOAD, os_reload_wait_timeout=3), rc=2,
         says=["still running after 3.0s"]),
    case("jenkins-item-cancelled", "the bastion job's queue item is cancelled", [], scenario="private_reload",
         jobs={WW: {"cancel": True}}, variables=RELOAD, rc=2, says=["cancelled"]),
    case("jenkins-build-aborted", "the bastion build is aborted", [], scenario="private_reload",
         jobs={WW: {"result": "ABORTED"}}, variables=RELOAD, rc=2, says=["ABORTED"]),
    case("jenkins-item-expired", "the left queue item expired before it was seen", [], scenario="private_reload",
         jobs={WW: {"vanish_seconds": 0}}, variables=RELOAD),
    case("support-ticket-refused", "IBM Cloud classic refuses the support case for a machine the power cycle did not bring back",
         [], machine=NOTHING_HEALS, world={"classic": {"tickets": {"refuse": "The ticket system is unavailable."}}}, rc=2,
         says=["could not open an IBM Cloud support case", "Escalated to SOS"]),
    case("servicenow-429-then-201", "ServiceNow 429 once on the escalation",
         [{"system": "servicenow", "method": "POST", "times": 1,
           "action": {"status": 429, "message": "Rate limit exceeded", "headers": {"Retry-After": "1"}}}],
         machine=NOTHING_HEALS, rc=2, says=["Escalated to SOS"]),
    case("servicenow-401", "ServiceNow refuses the credentials",
         [{"system": "servicenow", "action": {"status": 401, "message": "User Not Authenticated"}}],
         machine=NOTHING_HEALS, rc=2, says=["ServiceNow"]),
    case("pagerduty-429", "PagerDuty 429 once on the page",
         [{"system": "pagerduty", "path": "^/v2/enqueue$", "times": 1,
           "action": {"status": 429, "json": {"status": "throttle event", "message": "Requests for this service are arriving too quickly."}}}],
         machine=NOTHING_HEALS, rc=2, says=["Escalated to SOS"]),
    case("github-5xx", "GitHub 502 on the bastion issue", [{"system": "github", "method": "POST",
                                                            "action": {"status": 502, "json": {"message": "Server Error"}}}],
         scenario="private_reload", jobs={WW: {"result": "FAILURE"}}, variables=RELOAD, rc=2, says=["GitHub"]),
    case("classic-503-then-back", "IBM Cloud classic 503 twice on reads, then answers",
         [{"system": "classic", "method": "GET", "times": 2, "action": {"status": 503}}]),
    case("classic-down-during-ladder", "IBM Cloud classic unreachable (503) for the whole ladder",
         [{"system": "classic", "action": {"status": 503}}], rc=2, says=["IBM Cloud classic"]),
    case("sc-503-while-following", "Security Center 503 for good while the resubmitted scan is followed",
         [{"system": "securitycenter", "method": "GET", "path": "^/rest/scanResult/", "action": {"status": 503}}],
         rc=2, says=["Security Center"]),
    case("jenkins-401", "Jenkins refuses the token", [{"system": "jenkins", "action": {"status": 401, "body": "text"}}],
         scenario="private_reload", variables=RELOAD, rc=2, says=["Jenkins"]),
    # the public branch
    case("public-sc-503-while-following", "public branch: Security Center 503 for good while the scan is followed",
         [{"system": "securitycenter", "method": "GET", "path": "^/rest/scanResult/", "action": {"status": 503}}],
         rc=2, says=["Security Center", "Escalated to SOS"], **PUBLIC),
    case("public-sc-503-before-launch", "public branch: Security Center 503 for good on the results list",
         [{"system": "securitycenter", "method": "GET", "path": "^/rest/scanResult$", "action": {"status": 503}}],
         rc=2, says=["Security Center", "Stopped:"], **PUBLIC),
    case("public-launch-answer-lost", "public branch: the launch's answer comes after the 3 s timeout",
         [{"system": "securitycenter", "method": "POST", "path": "^/rest/scan/[0-9]+/launch$", "times": 1,
           "action": {"pass_through": True, "delay_after": 5}}],
         env={"TSC_TIMEOUT": "3"}, says=["launch_answer_lost: true"], **PUBLIC),
    # from the alert: both branches in one run
    case("alert-classic-down", "from the alert: IBM Cloud classic unreachable (503) while the zone is healed",
         [{"system": "classic", "action": {"status": 503}}], rc=2, says=["IBM Cloud classic", "Stopped:"], **ALERT),
    # the daily compliance check (it keeps a report, not a remediation record)
    case("compliance-sc-maintenance", "compliance check: Security Center answers an HTML maintenance page",
         [{"system": "securitycenter", "action": {"status": 503, "body": "html"}}], rc=2,
         says=["Security Center", "undergoing maintenance"], **COMPLIANCE),
    case("compliance-pagerduty-503-then-back", "compliance check: PagerDuty 503 twice, then accepts the alert",
         [{"system": "pagerduty", "path": "^/v2/enqueue$", "times": 2, "action": {"status": 503}}], **COMPLIANCE),
    case("compliance-github-502", "compliance check: GitHub 502 for good when the day's issue is opened",
         [{"system": "github", "method": "POST", "action": {"status": 502, "json": {"message": "Server Error"}}}],
         rc=2, says=["GitHub"], **COMPLIANCE),
    case("compliance-github-502-once", "compliance check: GitHub 502 once: no issue found, sent once more",
         [{"system": "github", "method": "POST", "times": 1, "action": {"status": 502, "json": {"message": "Server Error"}}}],
         says=["answer_lost: true"], **COMPLIANCE),
]


def duplicates(lab):
    """Actions repeated in the run: the same scan launched, command sent, ticket/issue opened or build asked twice."""
    counts = collections.Counter()
    for call in lab.calls("securitycenter"):
        if call.endswith("/launch"):
            counts[("launch", call)] += 1
    for _t, _s, mid, method in lab.world.classic.commands:
        counts[("command", mid, method)] += 1
    for record in lab.world.servicenow.records("sc_request"):
        counts[("ticket", record.get("correlation_id"))] += 1
    for _t, job, params in lab.world.jenkins.triggers:
        counts[("build", job, json.dumps(params, sort_keys=True))] += 1
    repo = lab.world.github.repositories[lab.world.github.repository]
    for issue in repo["issues"].values():
        counts[("issue", issue["title"])] += 1
    return {key: n - 1 for key, n in counts.items() if n > 1}


def derived_scenario(tmp_path, scenario, machine=None, jobs=None, world=None):
    """The scenario with one machine's or Jenkins job's behaviour changed, as a file (or the scenario itself)."""
    if not machine and not jobs and not world:
        return scenario
    derived = dict(world or {}, extends=scenario)
    if machine:
        derived["classic"] = dict(derived.get("classic") or {}, machines={"prod-wdc06-infra-nessus-01": machine})
    if jobs:
        derived["jenkins"] = {"jobs": jobs}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(derived))
    return str(path)


def check_run(lab, output, records_dir, evidence="ALC_Prod_WDC06_private_import", kept=True):
    """What every case asserts beyond its end: no repeated action, no leaked secret, the evidence escalated;
    returns the records, oldest first."""
    repeated = duplicates(lab)
    assert repeated == {}, repeated
    records = [json.loads(p.read_text()) for p in sorted(records_dir.glob("remediation-*.json"))]
    assert bool(records) == kept, "records: %d" % len(records)
    # at -vvv, no secret the lab handed out is in the output, the records or the lab's request log
    leaked = lab.leaked(output, *(p.read_text() for p in records_dir.glob("*") if p.is_file()))
    assert leaked == [], "%d secret value(s) leaked" % len(leaked)
    escalations = [t for t in lab.world.servicenow.records("sc_request") if t["short_description"].startswith("Nessus scans")]
    for ticket in escalations:  # what is escalated carries the evidence: the scans and what automation tried
        assert evidence in ticket["description"]
    return sorted(records, key=lambda r: r["started"])


@pytest.mark.parametrize("spec", CASES)
def test_fault(spec, lab_factory, tmp_path, request, matrix_row):
    lab = lab_factory(derived_scenario(tmp_path, spec["scenario"], spec["machine"], spec["jobs"], spec["world"]), speed=SPEED)
    for fault in spec["faults"]:
        lab.admin("faults", fault)
    variables = dict(FAST, zone=ZONE, remediation_record_dir=str(tmp_path / "records"),
                     scan_compliance_report_dir=str(tmp_path / "records" / "report"))
    variables.update(spec["variables"])
    proc = lab.playbook(spec["playbook"], "-i", lab.settings["LAB_INVENTORY"], "-vvv", extra_vars=variables,
                        env=spec["env"])
    output = proc.stdout + proc.stderr
    matrix_row(request.node.callspec.id, spec["fault"], "rc %d" % proc.returncode, sum(duplicates(lab).values()))
    if spec["rc"] is not None:
        assert proc.returncode == spec["rc"], output[-3000:]
    for text in spec["says"]:
        assert text in output, (text, output[-3000:])
    records = check_run(lab, output, tmp_path / "records", spec["evidence"], spec["records"])
    assert all(r["finished"] and r["outcome"] for r in records), records[-1]
    if records and proc.returncode != 0:  # the record ends naming the step that stopped, or what was escalated
        assert re.match(r'^(Stopped: the run stopped at ".+": .+|.*[Ee]scalated to SOS: .+)', records[-1]["outcome"]), \
            records[-1]["outcome"]
    if spec["unchanged"]:  # stopped before its first change: nothing but reads reached any system
        assert [c for c in lab.calls() if not c.startswith("GET ")] == [], lab.calls()
    if spec["logins"] is not None:  # a refused login is never tried again: Security Center locks accounts
        assert lab.calls("securitycenter").count("POST /rest/token") == spec["logins"]
    if not spec["records"]:  # the compliance check: its report is written whatever happened
        assert list((tmp_path / "records" / "report").glob("scan_compliance.*")) or spec["rc"], "no report"


def shared_records(lab, into):
    """The records the runs wrote to the lab's GitHub repository (the github store), copied into ``into``."""
    into.mkdir(exist_ok=True)
    files = lab.world.github.repositories[lab.world.github.repository]["files"]
    for path, data in files.items():
        if path.startswith("remediation/remediation-"):
            (into / path.split("/", 1)[1]).write_bytes(data)
    return into


@pytest.mark.parametrize("store", ["local", "github"])
def test_interrupted_mid_ladder_then_run_again(lab_factory, tmp_path, matrix_row, store):
    """The control node dies (SIGKILL) while the soft reboot it sent is under way; the playbook is run again.

    The second run does not send the soft reboot again: it finds the step in the first run's record, waits for its
    outcome, goes on with the hard reboot (which heals), and names the unfinished run in its own record. With the
    github store the two runs have record directories of their own (two AWX containers) and share only the team's
    repository: the second continues the first all the same."""
    machine = {"nessusd": "stopped", "heals": {"rebootSoft": "stopped", "rebootHard": "running"}}
    lab = lab_factory(derived_scenario(tmp_path, "default", machine), speed=SPEED)
    variables = dict(FAST, zone=ZONE, remediation_record_dir=str(tmp_path / "records"))
    second_variables = variables
    if store == "github":
        variables = dict(variables, remediation_store="github", remediation_record_dir=str(tmp_path / "container1"))
        second_variables = dict(variables, remediation_record_dir=str(tmp_path / "container2"))
    args = ("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv")
    with open(tmp_path / "first.log", "w+", encoding="utf-8") as log:
        first = lab.start_playbook(*args, extra_vars=variables, output=log)
        deadline = time.monotonic() + 180
        try:
            while "rebootSoft" not in [method for _t, _s, _m, method in lab.world.classic.commands]:
                assert first.poll() is None, "the first run ended before the soft reboot"
                assert time.monotonic() < deadline, "no soft reboot within 180 s"
                time.sleep(0.05)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        log.seek(0)
        first_output = log.read()
    second = lab.playbook(*args, extra_vars=second_variables)
    output = first_output + second.stdout + second.stderr
    matrix_row("interrupted-mid-ladder" + ("" if store == "local" else "-github-store"),
               "control node killed during the soft reboot, the playbook run again"
               + ("" if store == "local" else " in another container (records in GitHub)"),
               "killed, then rc %d" % second.returncode, sum(duplicates(lab).values()))
    assert second.returncode == 0, output[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft"), ("prod-wdc06-infra-nessus-01", "rebootHard")]
    records = tmp_path / "records"
    if store == "github":
        for container in ("container1", "container2"):  # nothing of the records stays in a container
            assert not list((tmp_path / container).glob("remediation-*")), container
        records = shared_records(lab, records)
    interrupted, resumed = check_run(lab, output, records)
    assert interrupted["finished"] is None
    assert [e["details"] for e in interrupted["entries"] if e["details"].get("event") == "ladder_step"] == [
        {"scanner": "prod-wdc06-infra-nessus-01", "event": "ladder_step", "step": "reboot_soft"}]
    assert resumed["continues"] == [interrupted["run_id"]]
    events = [e["details"].get("event") for e in resumed["entries"] if e["details"].get("event")]
    assert events[:2] == ["run_unfinished", "lease_take_over"]
    # the killed run's lease did not block the zone for its 6 hours: its process on this machine had ended
    (took,) = [e for e in resumed["entries"] if e["details"].get("event") == "lease_take_over"]
    assert took["text"].startswith("took over the lease of %s: run %s " % (ZONE, interrupted["run_id"]))
    assert took["text"].endswith("held it; that run's process on this machine has ended"), took["text"]
    assert [e["details"]["event"] for e in interrupted["entries"] if e["details"].get("event", "").startswith("lease")] \
        == ["lease_take"]
    assert [e for e in events if e.startswith("ladder")] == ["ladder_step_resumed", "ladder_step", "ladder_healed"]
    assert resumed["finished"] and resumed["outcome"].startswith("Scanning"), resumed["outcome"]


@pytest.mark.parametrize("store", ["local", "github"])
def test_two_runs_started_together_on_one_zone_one_heals_the_other_changes_nothing(lab_factory, tmp_path, matrix_row,
                                                                                   store):
    """An AWX schedule and an SRE by hand start the private branch on the same zone at the same moment: exactly one
    takes the zone's lease, resubmits and reboots; the other records which run works on the zone, closes its record
    and fails saying so, having sent nothing. With the github store the two runs share only the team's repository."""
    lab = lab_factory("default", speed=SPEED)
    args = ("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv")
    runs = []
    for number in (1, 2):
        variables = dict(FAST, zone=ZONE, remediation_record_dir=str(tmp_path / "records"))
        if store == "github":
            variables.update(remediation_store="github", remediation_record_dir=str(tmp_path / ("container%d" % number)))
        log = open(tmp_path / ("run%d.log" % number), "w+", encoding="utf-8")  # pylint: disable=consider-using-with
        runs.append((lab.start_playbook(*args, extra_vars=variables, output=log), log))
    outputs, codes = [], []
    for proc, log in runs:
        codes.append(proc.wait(600))
        log.seek(0)
        outputs.append(log.read())
        log.close()
    output = "\n".join(outputs)
    matrix_row("two-runs-one-zone" + ("" if store == "local" else "-github-store"),
               "two runs started together on one zone" + ("" if store == "local" else " (leases in GitHub)"),
               "rc %s" % " and ".join(str(c) for c in codes), sum(duplicates(lab).values()))
    assert sorted(codes) == [0, 2], output[-6000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]
    records = tmp_path / "records"
    if store == "github":
        records = shared_records(lab, records)
    healed, stopped = sorted(check_run(lab, output, records), key=lambda r: r["outcome"].startswith("Not run"))
    assert healed["outcome"].startswith("Scanning"), healed["outcome"]
    assert stopped["outcome"].startswith("Not run: another run works on %s: run %s (" % (ZONE, healed["run_id"]))
    # (it may have found the other run's record open, as it is while that run works: "interrupted, or still running")
    events = [e["details"].get("event") for e in stopped["entries"] if e["details"].get("event")]
    assert events[-1] == "lease_held" and set(events) <= {"run_unfinished", "lease_held"}, events
    loser = outputs[codes.index(2)]
    assert "another run works on %s: run %s" % (ZONE, healed["run_id"]) in loser
    # the lease was given back at the end: the zone is free for the next run
    assert lab.world.github.repositories[lab.world.github.repository]["files"].get(
        "remediation/leases/%s.json" % ZONE) is None
    assert not (tmp_path / "records" / "leases" / ("%s.json" % ZONE)).exists() or store == "github"


@pytest.mark.parametrize("held", ["held", "expired"])
def test_a_lease_left_by_a_run_elsewhere(lab_factory, tmp_path, matrix_row, held):
    """The zone's lease was taken by a run on another machine (an AWX container): still valid, this run records who
    holds it and changes nothing; expired (that run died), this run takes it over, says whose it was, and heals."""
    lab = lab_factory("default", speed=SPEED)
    leases = tmp_path / "records" / "leases"
    leases.mkdir(parents=True)
    now = lab.controller_now()  # the run judges leases and records by the controller's clock
    other = {"run_id": "20261130T080000Z-0ther0", "who": "AWX job 77 (Heal a scan zone)", "where": "awx-ee-5f7c",
             "pid": 1, "since": now - 7200, "expires": now + (3600 if held == "held" else -60), "zone": ZONE}
    (leases / ("%s.json" % ZONE)).write_text(json.dumps(other))
    proc = lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv",
                        extra_vars=dict(FAST, zone=ZONE, remediation_record_dir=str(tmp_path / "records")))
    output = proc.stdout + proc.stderr
    matrix_row("lease-" + held, "the zone's lease %s by a run on another machine" % (
        "still held" if held == "held" else "left expired"), "rc %d" % proc.returncode, sum(duplicates(lab).values()))
    (record,) = check_run(lab, output, tmp_path / "records")
    entry = next(e for e in record["entries"] if e["details"].get("event", "").startswith("lease_"))
    if held == "held":
        assert proc.returncode == 2, output[-3000:]
        assert [c for c in lab.calls() if not c.startswith("GET ")] == []  # nothing was changed
        assert entry["details"]["event"] == "lease_held"
        assert entry["text"].startswith("another run works on %s: run 20261130T080000Z-0ther0 (AWX job 77 (Heal a "
                                        "scan zone) on awx-ee-5f7c, since " % ZONE)
        assert record["outcome"] == "Not run: " + entry["text"] and "Not run: another run works on" in output
        assert json.loads((leases / ("%s.json" % ZONE)).read_text()) == other  # left to its holder
    else:
        assert proc.returncode == 0, output[-3000:]
        assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
        assert entry["details"]["event"] == "lease_take_over"
        assert entry["text"].startswith("took over the lease of %s: run 20261130T080000Z-0ther0 (AWX job 77" % ZONE)
        assert "held it and it expired" in entry["text"]
        assert not (leases / ("%s.json" % ZONE)).exists()  # given back at the end


def test_a_zone_over_the_fleets_limit_is_not_healed_and_is_paged(lab_factory, tmp_path, matrix_row):
    """Three other zones heal already (runs on AWX, in the store's list of zones healing): this run, a fourth, takes no
    place. It changes nothing, pages the escalation policy once, says which zones heal, and keeps none of the lease."""
    lab = lab_factory("default", speed=SPEED)
    leases = tmp_path / "records" / "leases"
    leases.mkdir(parents=True)
    now = lab.controller_now()  # the run judges leases and records by the controller's clock
    others = [{"run_id": "20261130T08000%dZ-0ther%d" % (n, n), "who": "AWX job 7%d (Heal a scan zone)" % n,
               "where": "awx-ee-%d" % n, "pid": 1, "since": now - 600 + n, "expires": now + 3600, "zone": zone}
              for n, zone in enumerate(("ALC_Prod_DAL10_SZ", "ALC_Prod_FRA02_SZ", "ALC_Prod_LON06_SZ"))]
    for other in others:
        (leases / ("%s.json" % other["zone"])).write_text(json.dumps(other))
    (tmp_path / "records" / "healing.json").write_text(json.dumps({"zones": others}))
    proc = lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv",
                        extra_vars=dict(FAST, zone=ZONE, remediation_record_dir=str(tmp_path / "records")))
    output = proc.stdout + proc.stderr
    matrix_row("fleet-limit", "three other zones heal already across the fleet", "rc %d" % proc.returncode,
               sum(duplicates(lab).values()))
    assert proc.returncode == 2, output[-3000:]
    assert [c for c in lab.calls() if not c.startswith("GET ")] == ["POST /v2/enqueue"]  # the page, nothing else
    (record,) = check_run(lab, output, tmp_path / "records")
    entry = next(e for e in record["entries"] if e["details"].get("event", "").startswith("lease_"))
    assert entry["details"]["event"] == "lease_fleet_full"
    assert entry["text"].startswith("3 zones heal already across the fleet (ALC_Prod_DAL10_SZ: run 20261130T080000Z-0ther0 "
                                    "(AWX job 70 (Heal a scan zone) on awx-ee-0, since ")
    assert entry["text"].endswith("at most 3 at once (remediation_max_zones_healing); not healing %s, this run changes "
                                  "nothing in it" % ZONE)
    assert record["outcome"] == "Not run: " + entry["text"]
    (page,) = lab.world.pagerduty.events
    assert page["action"] == "trigger" and page["dedup_key"].startswith("nessus-remediation-fleet-limit-%s-" % ZONE)
    assert "3 zones heal already" in page["summary"]
    assert [e["details"]["event"] for e in record["entries"] if e["details"].get("event")][-1] == "fleet_limit_paged"
    assert not (leases / ("%s.json" % ZONE)).exists()
    assert json.loads((tmp_path / "records" / "healing.json").read_text())["zones"] == others  # left as it was


def seed_record(records, run_id, started, finished, entries):
    """An earlier run's closed record in the local store ``records``."""
    (records / ("remediation-%s.json" % run_id)).write_text(json.dumps({
        "run_id": run_id, "branch": "private scan", "subject": ZONE, "play": "", "check_mode": False,
        "started": started, "finished": finished, "outcome": "Scanning.", "entries": entries}))


def test_a_scanner_healed_twice_today_is_not_rebooted_a_third_time(lab_factory, tmp_path, matrix_row):
    """The records show two reboot ladders on prod-wdc06-infra-nessus-01 in the last 24 hours, each healed, and it is
    down again: the limit (reboot_ladder_max_per_day, 2) stops a third ladder. No power command; the ladder ends
    failed, says why, and the zone is escalated with it."""
    lab = lab_factory("default", speed=SPEED)
    records = tmp_path / "records"
    records.mkdir()
    now = lab.controller_now()  # the run judges leases and records by the controller's clock
    for hours_ago in (5, 3):
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - hours_ago * 3600))
        healed = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - hours_ago * 3600 + 600))
        run_id = "%s-%06x" % (started.replace("-", "").replace(":", ""), hours_ago)
        entries = [
            {"at": started, "kind": "done", "step": "Reboot the scanner(s)", "text": "soft reboot",
             "details": {"scanner": "prod-wdc06-infra-nessus-01", "event": "ladder_step", "step": "reboot_soft"}},
            {"at": healed, "kind": "done", "step": "Reboot the scanner(s)", "text": "healed",
             "details": {"scanner": "prod-wdc06-infra-nessus-01", "event": "ladder_healed", "healed_by": "reboot_soft"}}]
        seed_record(records, run_id, started, healed, entries)
    proc = lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv",
                        extra_vars=dict(FAST, zone=ZONE, remediation_record_dir=str(records)))
    output = proc.stdout + proc.stderr
    matrix_row("ladder-limit", "a scanner down again after 2 reboot ladders in 24 hours", "rc %d" % proc.returncode,
               sum(duplicates(lab).values()))
    assert proc.returncode == 2, output[-3000:]
    assert power(lab) == []
    record = check_run(lab, output, records)[-1]
    (failed,) = [e for e in record["entries"] if e["details"].get("event") == "ladder_failed"]
    assert failed["text"].startswith("prod-wdc06-infra-nessus-01 broke again after 2 reboot ladders in the last 24 "
                                     "hours (at most 2: reboot_ladder_max_per_day): no further reboot")
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert "broke again after 2 reboot ladders" in ticket["description"]


@pytest.mark.parametrize("limit", [1, 2])
def test_a_scanner_reloaded_this_week_is_not_reloaded_again(lab_factory, tmp_path, matrix_row, limit):
    """The records show an OS reload of prod-wdc06-infra-nessus-01 three days ago that healed it; it is down again
    and no reboot heals it. With the limit (os_reload_max_per_week, 1) the reload is refused, recorded and escalated:
    no reload is sent. With a limit of 2 the run decides a reload of its own (it does not follow the old decision)
    and sends it once."""
    lab = lab_factory("private_reload", speed=SPEED)
    records = tmp_path / "records"
    records.mkdir()
    bad = "prod-wdc06-infra-nessus-01"

    def at(hours_ago):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(lab.controller_now() - hours_ago * 3600))

    run_id = at(72).replace("-", "").replace(":", "") + "-0e1d00"
    seed_record(records, run_id, at(72), at(70), [
        {"at": at(71.9), "kind": "done", "step": "Reboot the scanner(s)", "text": "the reboot ladder failed",
         "details": {"scanner": bad, "event": "ladder_failed"}},
        {"at": at(71.8), "kind": "done", "step": "Reload the OS (last resort)", "text": "OS reload allowed by jdoe",
         "details": {"scanner": bad, "event": "os_reload_decided", "allowed_by": "jdoe", "previous_reload_id": 1}},
        {"at": at(70.5), "kind": "done", "step": "Reload the OS (last resort)", "text": "OS reloaded",
         "details": {"scanner": bad, "event": "os_reload_done"}},
        {"at": at(70), "kind": "done", "step": "Reload the OS (last resort)", "text": bad + " works again after the OS reload",
         "details": {"scanner": bad, "event": "os_reload_healed"}}])
    proc = lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], "-vvv",
                        extra_vars=dict(RELOAD, zone=ZONE, remediation_record_dir=str(records), os_reload_max_per_week=limit))
    output = proc.stdout + proc.stderr
    record = check_run(lab, output, records)[-1]
    ladder = [(bad, "rebootSoft"), (bad, "rebootHard"), (bad, "powerCycle")]
    decisions = [e for e in record["entries"] if e["details"].get("event") == "os_reload_decided"]
    if limit == 2:
        assert proc.returncode == 0, output[-3000:]
        assert power(lab) == ladder + [(bad, "reloadOperatingSystem")]
        (decision,) = decisions  # this episode's own decision, with the machine's reload id of today
        assert decision["details"]["previous_reload_id"] != 1
        return
    matrix_row("reload-limit", "a scanner down again 3 days after its OS reload", "rc %d" % proc.returncode,
               sum(duplicates(lab).values()))
    assert proc.returncode == 2, output[-3000:]
    assert power(lab) == ladder and lab.world.classic.reload_requests == []
    assert decisions == []
    (refused,) = [e for e in record["entries"] if e["details"].get("event") == "os_reload_refused"]
    assert refused["kind"] == "left"
    assert refused["text"].startswith("not reloading %s: its OS was reloaded 1 time(s) in the last 7 days (at most 1: "
                                      "os_reload_max_per_week), the last decided at " % bad)
    assert "by run %s, and it broke again" % run_id in refused["text"]
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert "its OS was reloaded 1 time(s) in the last 7 days" in ticket["description"]
