"""The runbook's IaaS support case through remediate_private_scan.yml against the lab: a scanner the power cycle does
not bring back, with no OS reload allowed, gets one IBM Cloud classic support case with the machine attached and the
ladder's evidence; its number is in the record and the SOS escalation; a re-run finds it open and opens none."""

from __future__ import annotations

import yaml

from private_branch import SPEED, power, record, run  # pylint: disable=import-error

BAD = "prod-wdc06-infra-nessus-01"
LADDER = [(BAD, "rebootSoft"), (BAD, "rebootHard"), (BAD, "powerCycle")]


def world(tmp_path, **machine):
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump({"extends": "default", "classic": {"machines": {BAD: dict(
        {"hung": True, "heals": {"rebootSoft": "hung", "rebootHard": "hung", "powerCycle": "hung"}}, **machine)}}}))
    return str(path)


def case_entries(records):
    return [e for e in record(records)["entries"] if (e["details"] or {}).get("event", "").startswith("support_case")]


def test_one_support_case_per_machine_with_the_evidence_and_a_rerun_opens_none(lab_factory, tmp_path):
    lab = lab_factory(world(tmp_path), speed=SPEED)
    records = tmp_path / "records"
    proc = run(lab, records)
    assert proc.returncode == 2, (proc.stdout + proc.stderr)[-3000:]
    assert power(lab) == LADDER
    (ticket,) = lab.world.classic.tickets
    machine = lab.world.classic.by_name(BAD)
    assert [ident for _kind, ident in ticket["attached"]] == [machine.id]
    assert ticket["title"] == "Nessus scanner %s does not come back after a power cycle" % BAD
    assert "after the power cycle, %s: Nessus does not answer" % BAD in ticket["contents"]
    assert "an OS reload of %s is not allowed" % BAD in ticket["contents"]
    (entry,) = case_entries(records)
    assert entry["kind"] == "done" and entry["details"]["event"] == "support_case_opened"
    number = entry["details"]["support_case"]["number"]
    assert entry["text"] == "%s: opened IBM Cloud support case %s for the machine" % (BAD, number)
    (sos,) = [t for t in lab.world.servicenow.records("sc_request") if t["short_description"].startswith("Nessus scans")]
    assert "opened IBM Cloud support case %s" % number in sos["description"]
    creates = [c for c in lab.calls("classic") if "createStandardTicket" in c]
    assert len(creates) == 1

    # the next run (the machine still down, the case still open) finds the case: none is opened again
    proc = run(lab, records)
    assert proc.returncode == 2, (proc.stdout + proc.stderr)[-3000:]
    assert len(lab.world.classic.tickets) == 1 and len([c for c in lab.calls("classic") if "createStandardTicket" in c]) == 1
    (entry,) = case_entries(records)
    assert entry["details"]["event"] == "support_case_found"
    assert entry["text"] == "%s: found the open IBM Cloud support case %s for the machine" % (BAD, number)
