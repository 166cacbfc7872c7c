"""classic_support_ticket through main() against the lab's classic infrastructure: one ticket per machine while it is
open, the machine attached, check mode sending nothing, and a refusal that says which system and step refused."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import TICKET_MASK
from ansible_collections.conductors.nessus_compliance.plugins.modules import classic_support_ticket

HOST = "prod-wdc06-infra-nessus-01"
DOMAIN = "nessus.lab.example"
CREATE = "POST /rest/v3.1/SoftLayer_Ticket/createStandardTicket.json"
LOOKUPS = ["GET /rest/v3.1/SoftLayer_Account/getVirtualGuests.json", "GET /rest/v3.1/SoftLayer_Account/getHardware.json",
           "GET /rest/v3.1/SoftLayer_Account/getOpenTickets.json"]
SUBJECTS = "GET /rest/v3.1/SoftLayer_Ticket_Subject/getAllObjects.json"
EVIDENCE = "powerCycle sent at 13:02; the machine answered no ping and no SSH for 30 minutes\n{{ lookup('pipe', 'id') }}"


@pytest.fixture
def classic(lab_factory, monkeypatch, tmp_path):
    """A lab (the default day, laid over with ``world``) whose settings are in the environment, as AWX sets them."""
    def start(world=None, scenario="default"):
        path = tmp_path / "ticket.yaml"
        path.write_text(yaml.safe_dump(dict({"extends": scenario}, **(world or {}))))
        lab = lab_factory(str(path))
        for key, value in lab.settings.items():
            monkeypatch.setenv(key, value)
        return lab
    return start


def args(**extra):
    return dict({"hostname": HOST, "domain": DOMAIN, "title": "Scanner %s does not come back after a power cycle" % HOST,
                 "contents": EVIDENCE}, **extra)


def test_one_ticket_with_the_machine_attached_and_a_rerun_finds_it(classic, run_module):
    lab = classic()
    machine = lab.world.classic.by_name(HOST)
    first = run_module(classic_support_ticket, args())
    assert (first["changed"], first["existing"], first["answer_lost"]) == (True, False, False)
    ticket = first["ticket"]
    assert ticket["status"] == "Open" and ticket["title"] == args()["title"] and ticket["number"].startswith("CS")
    assert ticket["attached"] == {"guest": [machine.id], "hardware": []}
    assert first["request"] == {"subject": "Hardware Issue", "subject_id": 1021, "title": args()["title"],
                                "attachment_type": "VIRTUAL_GUEST", "attachment_id": machine.id}
    assert first["machine"] == {"id": machine.id, "type": "guest", "fqdn": "%s.%s" % (HOST, DOMAIN)}
    assert lab.calls("classic") == LOOKUPS + [SUBJECTS, CREATE]
    [kept] = lab.world.classic.tickets
    assert kept["contents"] == EVIDENCE  # sent as data: not templated, not changed
    assert kept["attached"] == [("guest", machine.id)] and kept["subject_id"] == 1021

    again = run_module(classic_support_ticket, args(title="another title", contents="more evidence"))
    assert (again["changed"], again["existing"]) == (False, True)
    assert again["ticket"] == ticket and "request" not in again
    assert lab.calls("classic") == (LOOKUPS + [SUBJECTS, CREATE]) + LOOKUPS  # found again: no second create
    assert len(lab.world.classic.tickets) == 1


def test_the_mask_the_client_sends_is_the_contract_s(classic, run_module):
    lab = classic()
    run_module(classic_support_ticket, args())
    masks = {e["path"].rsplit("/", 1)[-1]: e["query"].get("objectMask") for e in lab.requests("classic")}
    assert masks["getOpenTickets.json"] == masks["createStandardTicket.json"] == TICKET_MASK
    assert all(e["status"] == 200 and "violation" not in e for e in lab.requests("classic"))
    assert lab.violations() == []  # the lab held every request to the contract and refused none


def test_a_new_ticket_once_the_open_one_is_closed(classic, run_module):
    lab = classic()
    first = run_module(classic_support_ticket, args())
    lab.world.classic.close_ticket(first["ticket"]["id"])
    second = run_module(classic_support_ticket, args())
    assert (second["changed"], second["existing"]) == (True, False) and second["ticket"]["id"] != first["ticket"]["id"]
    assert lab.calls("classic").count(CREATE) == 2


def test_check_mode_says_what_it_would_open_and_sends_no_post(classic, run_module):
    lab = classic()
    result = run_module(classic_support_ticket, args(), check_mode=True)
    assert (result["changed"], result["would_create"], result["ticket"]) == (True, True, None)
    assert result["request"]["subject_id"] == 1021 and result["request"]["attachment_type"] == "VIRTUAL_GUEST"
    assert lab.calls("classic") == LOOKUPS + [SUBJECTS]
    assert [e for e in lab.requests("classic") if e["method"] != "GET"] == []
    assert lab.world.classic.tickets == []


def test_check_mode_with_an_open_ticket_changes_nothing(classic, run_module):
    lab = classic()
    first = run_module(classic_support_ticket, args())
    checked = run_module(classic_support_ticket, args(), check_mode=True)
    assert (checked["changed"], checked["existing"], checked["would_create"]) == (False, True, False)
    assert checked["ticket"]["id"] == first["ticket"]["id"]
    assert lab.calls("classic").count(CREATE) == 1


def test_a_refused_ticket_fails_naming_the_system_and_the_step(classic, run_module):
    lab = classic({"classic": {"tickets": {"refuse": "Ticket creation is temporarily unavailable."}}})
    result = run_module(classic_support_ticket, args(), fails=True)
    assert result["msg"].startswith("Open the IBM Cloud classic support ticket for %s.%s: IBM Cloud classic: refused "
                                    "(POST /SoftLayer_Ticket/createStandardTicket.json, HTTP 500)" % (HOST, DOMAIN))
    assert "Ticket creation is temporarily unavailable." in result["msg"]
    assert result["error"]["code"] == "SoftLayer_Exception_Public" and result["error"]["status"] == 500
    assert not result.get("changed") and result["request"]["subject_id"] == 1021
    # refused once, looked for among the open tickets (a 500 may hide one), never sent again
    assert lab.calls("classic") == LOOKUPS + [SUBJECTS, CREATE, LOOKUPS[-1]]
    assert lab.world.classic.tickets == []


def test_an_unknown_subject_fails_before_anything_is_sent(classic, run_module):
    lab = classic()
    result = run_module(classic_support_ticket, args(subject="Nessus Trouble"), fails=True)
    assert "no ticket subject named Nessus Trouble" in result["msg"] and "Hardware Issue" in result["msg"]
    assert CREATE not in lab.calls("classic")


def test_bare_metal_is_attached_as_hardware(classic, run_module):
    lab = classic(scenario="classic_bare_metal")
    machine = lab.world.classic.by_name("prod-wdc06-infra-nessus-02")
    result = run_module(classic_support_ticket, args(hostname="prod-wdc06-infra-nessus-02", type="hardware",
                                                     subject="Reboots and Console Access"))
    assert result["ticket"]["attached"] == {"guest": [], "hardware": [machine.id]}
    assert result["request"]["attachment_type"] == "HARDWARE" and result["request"]["subject_id"] == 1003
    assert lab.world.classic.tickets[0]["attached"] == [("hardware", machine.id)]


def test_control_characters_are_not_sent_and_empty_evidence_is_refused(classic, run_module):
    lab = classic()
    run_module(classic_support_ticket, args(contents="seen\x1b[31m red\x07\nnext line"))
    assert lab.world.classic.tickets[0]["contents"] == "seen[31m red\nnext line"
    empty = run_module(classic_support_ticket, args(contents="\x07  "), fails=True)
    assert "contents must not be empty" in empty["msg"]
