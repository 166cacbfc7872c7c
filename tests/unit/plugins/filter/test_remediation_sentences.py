"""The branches' decisions about scans and the sentences their records end with."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.filter.alert_plan import FilterModule as Plan
from ansible_collections.conductors.nessus_compliance.plugins.filter.record_text import record_text
from ansible_collections.conductors.nessus_compliance.plugins.filter.remediation_outcome import FilterModule as Outcome
from ansible_collections.conductors.nessus_compliance.plugins.filter.remediation_summary import FilterModule as Summary
from ansible_collections.conductors.nessus_compliance.plugins.filter.scans_in_zones import FilterModule as InZones
from ansible_collections.conductors.nessus_compliance.plugins.filter.stopped_escalation import FilterModule as Stopped
from ansible_collections.conductors.nessus_compliance.plugins.filter.support_case_entry import entry as support_case_entry
from ansible_collections.conductors.nessus_compliance.plugins.filter.zone_instance_groups import FilterModule as Groups
from ansible_collections.conductors.nessus_compliance.plugins.filter.zone_triage import FilterModule as Triage
from ansible_collections.conductors.nessus_compliance.plugins.filter.zones_to_heal import FilterModule as ToHeal

triage = Triage().filters()["zone_triage"]
outcome = Outcome().filters()["remediation_outcome"]
summary = Summary().filters()["remediation_summary"]
in_zones = InZones().filters()["scans_in_zones"]
stopped = Stopped().filters()["stopped_escalation"]
plan = Plan().filters()["alert_plan"]
to_heal = ToHeal().filters()["zones_to_heal"]
zone_instance_groups = Groups().filters()["zone_instance_groups"]

ZONE = "ALC_Prod_WDC06_SZ"
ROWS = [
    {"name": "ALC_Prod_WDC06_private_import", "zone": ZONE, "failing": True, "verdict": "no_ips", "reason": "0 IPs scanned"},
    {"name": "ALC_Prod_WDC06_CM7_All-ports", "zone": ZONE, "failing": False, "verdict": "running", "reason": "running"},
    {"name": "ALC_all_envs_public_import", "zone": "ALC_SOS_SZ", "failing": True, "verdict": "partial", "reason": "Partial"},
]
PUBLIC_LEFT = (" Also failing, not in ALC_Prod_WDC06_SZ (left for their own branch; the alert runs them all: "
               "remediate.yml): ALC_all_envs_public_import.")
TABLE = {ZONE: {"name": ZONE, "visibility": "private"}, "ALC_SOS_SZ": {"name": "ALC_SOS_SZ", "visibility": "public"},
         "ALC_SOS~FR2_SZ": {"name": "ALC_SOS~FR2_SZ", "visibility": "public"}}


def test_the_zones_failing_scans_and_the_others_left_to_their_branch():
    out = triage(ROWS, ZONE)
    assert out["failing"] == ["ALC_Prod_WDC06_private_import"] and out["zero_ips"] is True
    assert out["elsewhere"] == ["ALC_all_envs_public_import"] and out["taken_over"] == []
    assert out["found"] == "failing in ALC_Prod_WDC06_SZ: ALC_Prod_WDC06_private_import - 0 IPs scanned"


def test_an_interrupted_runs_running_resubmission_is_taken_over():
    continued = [{"entries": [{"details": {"failing": ["ALC_Prod_WDC06_CM7_All-ports"]}}, {"details": {}}]}]
    out = triage(ROWS[1:], ZONE, continued=continued)
    assert out["failing"] == ["ALC_Prod_WDC06_CM7_All-ports"]
    assert out["found"] == ("failing in ALC_Prod_WDC06_SZ: none by the check; resubmitted by the unfinished run, still to "
                            "follow: ALC_Prod_WDC06_CM7_All-ports")


def test_scans_given_win_and_nothing_failing_is_said():
    assert triage([], ZONE, given=["A", "B"])["found"] == "scans given: A, B"
    assert triage([], ZONE)["found"] == "failing in ALC_Prod_WDC06_SZ: nothing is failing"


ENTRIES = [{"text": "prod-wdc06-infra-nessus-01 works again after the soft reboot", "details": {"event": "ladder_healed"}},
           {"text": "x", "details": {"event": "os_reload_healed"}},
           {"text": "plan", "details": {"event": "ladder_planned", "plan": "soft reboot of prod-wdc06-infra-nessus-01"}}]


@pytest.mark.parametrize("result, check_mode, text", [
    ({"failing": ["S"], "not_scanning": []}, False, "Scanning: S after healing 2 scanner(s)."),
    ({"failing": ["S"], "not_scanning": ["S"]}, False, "Still not scanning, escalated to SOS: S."),
    ({"failing": ["S"], "not_scanning": ["S"]}, True, "Check mode: would resubmit S; then the soft reboot of prod-wdc06-infra-nessus-01."),
    ({"failing": [], "not_scanning": []}, False, "Nothing failing in ALC_Prod_WDC06_SZ."),
])
def test_the_private_outcome_counts_healed_scanners_by_event(result, check_mode, text):
    result = dict(result, zone=ZONE, elsewhere=["ALC_all_envs_public_import"])
    assert outcome(result, "private", entries=ENTRIES, check_mode=check_mode) == text + PUBLIC_LEFT


def test_no_healing_is_counted_from_text_alone():
    entries = [{"text": "prod-wdc06-infra-nessus-01 works again after the soft reboot", "details": {}}]
    assert outcome({"zone": ZONE, "failing": ["S"]}, "private", entries=entries) == "Scanning: S."


def test_the_public_zone_and_alert_outcomes():
    assert outcome({"scanning": ["A"], "refused": ["B"], "would_resubmit": [], "not_scanning": ["C"]}, "public") == (
        "Scanning: A. Not resubmitted (guard): B. Not scanning, escalated to SOS: C.")
    assert outcome({"not_scanning": []}, "zone") == "Scanning, or held by a guard (see the record)."
    assert outcome({"public": {"not_scanning": ["P"]}, "private": {"scanning": ["D"]}, "zones": [ZONE]}, "alert") == (
        "Escalated to SOS: P. Scanning after the resubmission: D. Zones whose scans still do not scan, handled in their "
        "own records: ALC_Prod_WDC06_SZ.")
    assert outcome({}, "alert", check_mode=True) == "Check mode: nothing was changed."


def test_the_summaries():
    record = {"outcome": "O.", "entries": [{"kind": "found", "text": "f"}, {"kind": "done", "text": "d"}],
              "files": {"markdown": "/r/remediation-1.md", "json": "/r/remediation-1.json"}}
    assert summary(record) == ["O.", "d", "Record: /r/remediation-1.md"]
    zones = [{"remediation_zone": ZONE, "remediation_record_data": {"outcome": "Z."},
              "remediate_private_scan_result": {"not_scanning": ["S"]}}, {"remediation_zone": "ALC_Prod_LON02_SZ"}]
    out = summary(record, zones, {"not_scanning": ["P"]})
    assert out["lines"] == ["O.", "d", "Z.", "ALC_Prod_LON02_SZ: not handled (the run was limited)", "Records: /r/remediation-*.md"]
    assert out["escalated"] == ["P", "S"]


def test_scans_outside_the_branchs_zones_are_refused_by_name():
    defs = [{"name": "A", "zone": {"name": "ALC_SOS_SZ"}}, {"name": "B", "zone": {"name": ZONE}}]
    out = in_zones(defs, TABLE, visibility="public")
    assert out["inside"] == [{"name": "A", "zone": "ALC_SOS_SZ"}]
    assert out["refusal"] == ("Not public: B runs in ALC_Prod_WDC06_SZ. Public scans run in ALC_SOS_SZ, ALC_SOS~FR2_SZ; "
                              "use remediate_private_scan.yml -e zone=<zone> for the others.")
    launches = [{"scan": {"name": "A", "zone": "ALC_SOS_SZ"}}]
    assert in_zones(launches, TABLE, zone=ZONE)["refusal"] == "Not in ALC_Prod_WDC06_SZ: A runs in ALC_SOS_SZ"


def test_a_stopped_run_escalates_its_scans_with_where_it_stopped():
    rows = stopped(["A", "B"], zones={"A": "Z1"}, zone="Z2", task="Resubmit", msg="word " * 100)
    assert [(r["name"], r["zone"]) for r in rows] == [("A", "Z1"), ("B", "Z2")]
    assert rows[0]["error_details"].startswith('automation stopped at "Resubmit": word word')
    assert rows[0]["error_details"].endswith("...") and len(rows[0]["error_details"]) < 340


def test_the_alert_plan_and_the_zones_to_heal():
    defs = [{"name": "ALC_all_envs_public_import", "zone": {"name": "ALC_SOS_SZ"}},
            {"name": "ALC_Prod_WDC06_private_import", "zone": {"name": ZONE}}]
    table = {ZONE: {"name": ZONE, "visibility": "private", "scanners": []},
             "ALC_SOS_SZ": {"name": "ALC_SOS_SZ", "visibility": "public", "scanners": []}}
    out = plan(defs, table)
    assert out["public"] == ["ALC_all_envs_public_import"] and out["private"] == ["ALC_Prod_WDC06_private_import"]
    assert out["systems"] == ["securitycenter", "classic"]
    assert out["records"][1] == "ALC_Prod_WDC06_private_import runs in ALC_Prod_WDC06_SZ (private)"
    launches = [{"name": "ALC_Prod_WDC06_private_import", "outcome": "not_scanning"}]
    heal = to_heal(out, {"still_failing": ["ALC_Prod_WDC06_private_import"], "launches": launches})
    assert heal == [{"zone": ZONE, "scans": ["ALC_Prod_WDC06_private_import"], "resubmitted": launches}]
    assert to_heal(out, {}) == []


@pytest.mark.parametrize("answer, check_mode, kind, event, text", [
    ({"ticket": {"id": 7, "number": "CS1"}, "existing": False}, False, "done", "support_case_opened",
     "s1: opened IBM Cloud support case CS1 for the machine"),
    ({"ticket": {"id": 7, "number": None}, "existing": True}, False, "done", "support_case_found",
     "s1: found the open IBM Cloud support case #7 for the machine"),
    ({"ticket": None, "would_create": True}, True, "done", "support_case_planned", "s1: would open an IBM Cloud support case"),
    ({"failed": True, "msg": "IBM Cloud classic: refused"}, False, "left", "support_case_refused",
     "s1: could not open an IBM Cloud support case: IBM Cloud classic: refused"),
    ({"failed": True, "msg": "IBM Cloud classic: refused"}, True, "left", "support_case_refused",
     "s1: could not open an IBM Cloud support case: IBM Cloud classic: refused"),
])
def test_support_case_entry(answer, check_mode, kind, event, text):
    got = support_case_entry(answer, "s1", check_mode)
    assert (got["kind"], got["details"]["event"], got["text"]) == (kind, event, text)


LADDER = {"words": "soft reboot", "scanner": "prod-wdc06-infra-nessus-01", "service": "nessusd",
          "restarted": "False", "restart_msg": None, "power_sent": False, "power_command": None,
          "power_skipped_reason": None, "check_mode": False}


@pytest.mark.parametrize("facts, text", [
    (dict(LADDER, step="restart_nessusd", words="nessusd restart", restarted=True),
     "nessusd restart of prod-wdc06-infra-nessus-01: restarted nessusd over SSH"),
    (dict(LADDER, step="restart_nessusd", words="nessusd restart", restarted="true", check_mode="True"),
     "nessusd restart of prod-wdc06-infra-nessus-01: would restart nessusd over SSH"),
    (dict(LADDER, step="restart_nessusd", words="nessusd restart", restart_msg="Permission denied " * 20),
     "nessusd restart of prod-wdc06-infra-nessus-01: could not restart nessusd over SSH: "
     + "Permission denied " * 10 + "Permission..."),  # as Jinja's truncate(200) cuts it
    (dict(LADDER, step="soft", power_sent=True, power_command="rebootSoft"),
     "soft reboot of prod-wdc06-infra-nessus-01: sent rebootSoft"),
    (dict(LADDER, step="hard", words="hard reboot", power_skipped_reason="a transaction is active on the machine"),
     "hard reboot of prod-wdc06-infra-nessus-01: a transaction is active on the machine"),
])
def test_the_ladder_step_texts(facts, text):
    assert record_text(facts, "ladder_step") == text


RELOAD = {"scanner": "n1", "check_mode": False, "done": False, "answer": {}}
DONE = {"reload": {"steps": [{"step": "CLOUD_RELOAD"}, {"step": "SERVICE_SETUP"}], "finished": "2026-11-30T10:00:00Z"}}


@pytest.mark.parametrize("facts, text", [
    (dict(RELOAD, check_mode=True, answer={"request": {"config": {"customProvisionScriptUri": "https://x/post.sh"}}}),
     "would reload n1 with https://x/post.sh"),
    (dict(RELOAD, check_mode=True), "would reload n1 with the post-provision script"),
    (dict(RELOAD, done=True, answer=DONE),
     "n1: OS reloaded with the post-provision script (CLOUD_RELOAD > SERVICE_SETUP), finished 2026-11-30T10:00:00Z"),
    (dict(RELOAD, done="true", answer=dict(DONE, already_reloaded=True)),
     "n1: the reload sent by an earlier run with the post-provision script (CLOUD_RELOAD > SERVICE_SETUP), finished "
     "2026-11-30T10:00:00Z"),
    (dict(RELOAD, answer={"msg": "the transaction is stuck", "failed": True}),
     "n1: the OS reload did not finish - the transaction is stuck"),
    (RELOAD, "n1: the OS reload did not finish - unknown"),
    (dict(RELOAD, answer=""), "n1: the OS reload did not finish - unknown"),  # no answer at all
])
def test_the_os_reload_texts(facts, text):
    assert record_text(facts, "os_reload") == text


BUILD = {"build_number": 42, "result": "SUCCESS", "parameters": {"TARGET_HOSTS_IP": "10.0.0.5", "TARGET_HOSTNAME": "n1"}}
BASTION = {"scanner": "n1", "earlier": False, "job": "bastion-register", "ok": True, "build": BUILD}


@pytest.mark.parametrize("facts, text", [
    (BASTION, "n1: bastion-register #42 SUCCESS (TARGET_HOSTS_IP=10.0.0.5, TARGET_HOSTNAME=n1)"),
    (dict(BASTION, earlier="yes"), "n1: registered with the bastion by an earlier run"),
    (dict(BASTION, ok=False, build=dict(BUILD, result="FAILURE", msg="the build failed")),
     "n1: bastion-register #42 FAILURE (TARGET_HOSTS_IP=10.0.0.5, TARGET_HOSTNAME=n1): the build failed"),
    (dict(BASTION, ok=False, build=dict(BUILD, result=None, msg="still running after 3600s")),
     "n1: bastion-register #42 still running (TARGET_HOSTS_IP=10.0.0.5, TARGET_HOSTNAME=n1): still running after 3600s"),
    (dict(BASTION, ok="False", build={"msg": "no such job", "failed": True}),
     "n1: bastion-register did not run (TARGET_HOSTS_IP=?, TARGET_HOSTNAME=?): no such job"),
])
def test_the_bastion_texts(facts, text):
    assert record_text(facts, "bastion") == text


def test_record_text_refuses_an_unknown_form_or_facts_that_are_not_a_dict():
    with pytest.raises(AnsibleFilterError, match="form must be one of ladder_step, after_ladder, reload_decided, "):
        record_text(BASTION, "reboot")
    with pytest.raises(AnsibleFilterError, match="must be a dict, got str"):
        record_text("n1", "bastion")


def test_zone_instance_groups_by_prefix():
    groups = {"ALC_Prod_": "prod", "ALC_Prod_WDC": "prod", "ALC_Dev_": "dev"}
    assert zone_instance_groups(["ALC_Prod_WDC06_SZ", "ALC_Dev_MON01_SZ", "ALC_SOS_SZ"], groups) == {
        "ALC_Prod_WDC06_SZ": ["prod"], "ALC_Dev_MON01_SZ": ["dev"], "ALC_SOS_SZ": []}
    assert zone_instance_groups(["ALC_Prod_WDC06_SZ"], {"ALC_": "a", "ALC_Prod": "b"}) == {"ALC_Prod_WDC06_SZ": ["a", "b"]}
    assert zone_instance_groups([], {}) == {}


@pytest.mark.parametrize("facts, text", [
    ({"scanner": "n1", "allowed_by": "jdoe", "allow_last": "False"},
     "OS reload of n1 allowed by jdoe (allow_osreload=true); its reboot ladder failed"),
    ({"scanner": "n1", "allowed_by": "jdoe", "allow_last": True},
     "OS reload of n1 allowed by jdoe (allow_osreload=true, allow_last_working_scanner=true); its reboot ladder failed"),
])
def test_the_reload_decision_texts(facts, text):
    assert record_text(facts, "reload_decided") == text


CHECKED = {"scanner": "n1", "bootstrapped": True, "nessus": "ready", "ssh_checked": False,
           "command": "test -f /var/lib/bootstrap/complete", "ran": {"skipped": True}}


@pytest.mark.parametrize("facts, text", [
    (CHECKED, "n1: bootstrapped - Nessus ready"),
    (dict(CHECKED, bootstrapped="false", nessus="down"),
     "n1: NOT bootstrapped (was the post-provision script selected?) - Nessus does not answer"),
    (dict(CHECKED, ssh_checked="true", ran={"rc": 0}),
     "n1: bootstrapped - Nessus ready; `test -f /var/lib/bootstrap/complete` succeeded"),
    (dict(CHECKED, ssh_checked=True, ran={"rc": 1}),
     "n1: bootstrapped - Nessus ready; `test -f /var/lib/bootstrap/complete` failed"),
    (dict(CHECKED, ssh_checked=True, ran={"unreachable": True, "msg": "no route to host"}),
     "n1: bootstrapped - Nessus ready; `test -f /var/lib/bootstrap/complete` failed: no route to host"),
])
def test_the_bootstrap_texts(facts, text):
    assert record_text(facts, "bootstrap") == text


@pytest.mark.parametrize("facts, text", [
    ({"scanner": "n1", "healed": "True", "sc": {}}, "n1 works again after the OS reload"),
    ({"scanner": "n1", "healed": False, "sc": {"scanners": [{"status_decoded": {"summary": "Authentication Error"}}]}},
     "SOS has not re-enabled n1 yet (Security Center: Authentication Error); the scans are resubmitted once it is"),
    ({"scanner": "n1", "healed": False, "sc": {"scanners": []}},
     "SOS has not re-enabled n1 yet (Security Center: unknown); the scans are resubmitted once it is"),
])
def test_the_reload_outcome_texts(facts, text):
    assert record_text(facts, "reload_outcome") == text


def test_the_reenable_outcome_texts():
    working = {"name": "n1", "healthy": True, "status_decoded": {"summary": "Working"}}
    assert record_text(working, "reenable_outcome") == "n1: re-enabled, Security Center reports Working"
    assert record_text(dict(working, healthy=False, status_decoded={"summary": "Connection Error"}), "reenable_outcome") == \
        "n1: not re-enabled yet, Security Center reports Connection Error"


@pytest.mark.parametrize("action, number, said", [
    ("created", "REQ0012345", "opened ServiceNow request REQ0012345"),
    ("work_note", "REQ0012345", "added a work note to ServiceNow request REQ0012345"),
    ("unchanged", "REQ0012345", "found ServiceNow request REQ0012345"),
    ("would_create", None, "would open ServiceNow request (new)"),
    ("would_add_work_note", "REQ1", "would add a work note to ServiceNow request REQ1"),
    ("reopened", "REQ1", "reopened ServiceNow request REQ1"),  # an action the record has no verb for: as it is
])
def test_the_servicenow_request_texts(action, number, said):
    answer = {"action": action, "ticket": {"number": number} if number else None}
    assert record_text({"answer": answer}, "sos_request") == said + " for SOS Vulnerability Scanning"
    assert record_text({"scanner": "n1", "zone": "Z", "answer": answer}, "reenable_request") == \
        "n1: %s to re-enable it in Z" % said


def test_the_page_texts():
    assert record_text({"sent": True, "dedup_key": "k"}, "page") == "triggered PagerDuty (dedup key k)"
    assert record_text({"sent": "False", "dedup_key": "k"}, "page") == "would trigger PagerDuty (dedup key k)"


def test_the_support_case_text():
    ladder = {"text": "n1: no reboot brought it back",
              "looked": [{"text": "after the soft reboot, n1: Nessus does not answer"},
                         {"text": "after the power cycle, n1: Nessus does not answer"}]}
    assert record_text({"ladder": ladder, "refused": "an OS reload of n1 is not allowed"}, "support_case") == "\n".join([
        "n1: no reboot brought it back", "after the soft reboot, n1: Nessus does not answer",
        "after the power cycle, n1: Nessus does not answer", "an OS reload of n1 is not allowed"])
    assert record_text({"ladder": ladder, "refused": ""}, "support_case").endswith("power cycle, n1: Nessus does not answer")


def test_what_comes_after_the_ladder():
    assert record_text({"allow_osreload": "true"}, "after_ladder") == "an OS reload (allow_osreload)"
    assert record_text({"allow_osreload": False}, "after_ladder") == \
        "the escalation to SOS (an OS reload needs allow_osreload=true)"
