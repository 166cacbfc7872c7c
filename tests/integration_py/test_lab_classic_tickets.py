"""The classic stand-in's support tickets, held to the SoftLayer contract like every other classic request.

An object mask naming a property the returned type does not define is refused on every ticket call, with the real
error, and counted as one contract violation; so is a ticket template with a property SoftLayer_Ticket does not have
(softlayer/softlayer-python#1147) and a create without subject, title or contents. What the account's data refuses (a
machine it does not have) is refused without a violation. softlayer-python drives the ticket calls unchanged.
"""

from __future__ import annotations

import pytest
import requests
import yaml

GUEST = "prod-wdc06-infra-nessus-01"
OBJECT_MASK = "SoftLayer_Exception_WebService_ObjectMask"


class Api:
    """Plain requests to the lab's classic REST API, with its credentials and CA."""

    def __init__(self, lab):
        s = lab.settings
        self.base, self.ca = s["SL_ENDPOINT_URL"], s["SL_CA_PATH"]
        self.session = requests.Session()
        self.session.auth = (s["SL_USERNAME"], s["SL_API_KEY"])

    def get(self, path, **params):
        return self.session.get("%s/%s" % (self.base, path), params=params, timeout=10, verify=self.ca)

    def post(self, path, parameters, **params):
        return self.session.post("%s/%s" % (self.base, path), params=params, json={"parameters": parameters}, timeout=10,
                                 verify=self.ca)


@pytest.fixture
def api(lab):
    return Api(lab)


def create(api, machine_id, template=None, contents="evidence", attachment_type="VIRTUAL_GUEST", **params):
    template = {"subjectId": 1021, "title": "Scanner down"} if template is None else template
    return api.post("SoftLayer_Ticket/createStandardTicket.json",
                    [template, contents, machine_id, None, None, None, [], attachment_type], **params)


def guest(lab):
    return lab.world.classic.by_name(GUEST)


@pytest.mark.parametrize("call, mask, typ", [
    ("SoftLayer_Account/getOpenTickets.json", "mask[id,attachedHardware[id,powerState]]", "SoftLayer_Hardware"),
    ("SoftLayer_Account/getTickets.json", "mask[id,hostname]", "SoftLayer_Ticket"),
    ("SoftLayer_Ticket_Subject/getAllObjects.json", "mask[id,name,title]", "SoftLayer_Ticket_Subject"),
    ("SoftLayer_Ticket/{id}/getObject.json", "mask[id,status[keyName]]", "SoftLayer_Ticket_Status"),
    ("SoftLayer_Ticket/{id}/getAttachedVirtualGuests.json", "mask[id,hardwareStatus]", "SoftLayer_Virtual_Guest"),
    ("SoftLayer_Ticket/{id}/getAttachedHardware.json", "mask[id,activeTransaction]", "SoftLayer_Hardware"),
])
def test_a_mask_property_the_contract_does_not_have_is_refused_on_every_ticket_call(lab, api, call, mask, typ):
    ticket = lab.world.classic.open_ticket(1021, "t", "c", [("guest", guest(lab).id)])
    answer = api.get(call.format(id=ticket["id"]), objectMask=mask)
    bad = mask.rsplit("[", 1)[-1].rstrip("]").split(",")[-1]
    assert answer.status_code == 500
    assert answer.json() == {"error": "Property '%s' not valid for '%s'." % (bad, typ), "code": OBJECT_MASK}
    taken = lab.take_violations()
    assert len(taken) == 1 and taken[0]["side"] == "request" and bad in taken[0]["rule"]


def test_a_create_with_a_bad_mask_is_refused_and_opens_nothing(lab, api):
    answer = create(api, guest(lab).id, objectMask="mask[id,subject[bogus]]")
    assert answer.status_code == 500 and answer.json() == {
        "error": "Property 'bogus' not valid for 'SoftLayer_Ticket_Subject'.", "code": OBJECT_MASK}
    assert len(lab.take_violations()) == 1 and lab.world.classic.tickets == []


@pytest.mark.parametrize("template, contents, attachment_type, error", [
    ({"subjectId": 1021, "title": "t", "contents": "x"}, "x", "VIRTUAL_GUEST",
     "The property 'contents' is not valid for 'SoftLayer_Ticket'."),
    ({"title": "t"}, "x", "VIRTUAL_GUEST", "Invalid or missing subjectId."),
    ({"subjectId": 1021, "title": " "}, "", "VIRTUAL_GUEST", "Invalid or missing title, contents."),
    ({"subjectId": 1021, "title": "t"}, "x", "SERVER", "Invalid or missing attachmentType."),
    ("not a ticket", "x", "VIRTUAL_GUEST", "A SoftLayer_Ticket template object is required."),
])
def test_a_create_no_client_may_send_is_refused_as_a_violation(lab, api, template, contents, attachment_type, error):
    answer = create(api, guest(lab).id, template=template, contents=contents, attachment_type=attachment_type)
    assert answer.status_code == 500 and answer.json() == {"error": error, "code": "SoftLayer_Exception_Public"}
    assert len(lab.take_violations()) == 1 and lab.world.classic.tickets == []


@pytest.mark.parametrize("machine_id, attachment_type, template", [
    (99, "VIRTUAL_GUEST", None),           # no such machine
    (None, "HARDWARE", None),              # the guest's id, as hardware (filled in below)
    (0, "VIRTUAL_GUEST", {"subjectId": 4242, "title": "t"}),  # no such subject
])
def test_what_the_account_does_not_have_is_not_found(lab, api, machine_id, attachment_type, template):
    ident = guest(lab).id if machine_id is None else machine_id
    answer = create(api, ident, template=template, attachment_type=attachment_type)
    assert answer.status_code == 404 and answer.json()["code"] == "SoftLayer_Exception_ObjectNotFound"
    assert lab.violations() == [] and lab.world.classic.tickets == []


def test_tickets_answer_what_the_mask_asks_for_and_page(lab, api):
    machine = guest(lab)
    opened = create(api, machine.id, objectMask="mask[id,status[name],attachedVirtualGuests[id,hostname]]")
    assert opened.status_code == 200
    ticket = opened.json()
    assert set(ticket) == {"id", "status", "attachedVirtualGuests"}
    assert ticket["status"] == {"name": "Open"} and ticket["attachedVirtualGuests"] == [{"id": machine.id, "hostname": GUEST}]
    plain = api.get("SoftLayer_Ticket/%d/getObject.json" % ticket["id"]).json()
    assert plain["statusId"] == 1001 and plain["title"] == "Scanner down" and plain["createDate"].endswith("+00:00")
    assert "status" not in plain and "attachedVirtualGuests" not in plain  # relational: only when asked for
    first = api.get("SoftLayer_Ticket/%d/getUpdates.json" % ticket["id"], objectMask="mask[entry]").json()
    assert first == [{"entry": "evidence"}]
    for number in range(3):
        lab.world.classic.open_ticket(1021, "other %d" % number, "c", [])
    page = api.get("SoftLayer_Account/getOpenTickets.json", objectMask="mask[id]", resultLimit="1,2")
    assert page.headers["SoftLayer-Total-Items"] == "4" and len(page.json()) == 2
    lab.world.classic.close_ticket(ticket["id"])
    still_open = [t["id"] for t in api.get("SoftLayer_Account/getOpenTickets.json", objectMask="mask[id]").json()]
    every = [t["id"] for t in api.get("SoftLayer_Account/getTickets.json", objectMask="mask[id]").json()]
    assert ticket["id"] not in still_open and ticket["id"] in every and len(every) == 4
    assert lab.violations() == []


def test_a_scenario_refuses_every_ticket(lab_factory, tmp_path):
    path = tmp_path / "refuse.yaml"
    path.write_text(yaml.safe_dump({"extends": "default", "classic": {"tickets": {"refuse": "Try again later."}}}))
    lab = lab_factory(str(path))
    answer = create(Api(lab), guest(lab).id)
    assert answer.status_code == 500 and answer.json() == {"error": "Try again later.", "code": "SoftLayer_Exception_Public"}
    assert lab.world.classic.tickets == [] and lab.violations() == []


def test_softlayer_python_drives_the_ticket_calls(lab, monkeypatch):
    SoftLayer = pytest.importorskip("SoftLayer")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", lab.settings["SL_CA_PATH"])
    s = lab.settings
    client = SoftLayer.create_client_from_env(username=s["SL_USERNAME"], api_key=s["SL_API_KEY"],
                                              endpoint_url=s["SL_ENDPOINT_URL"])
    tickets = SoftLayer.TicketManager(client)
    assert {"id": 1021, "name": "Hardware Issue"} in tickets.list_subjects()
    # TicketManager.create_ticket asks for the current user first (not a call of the contract): the service directly
    created = client.call("Ticket", "createStandardTicket", {"subjectId": 1021, "title": "Scanner down"}, "evidence",
                          guest(lab).id, None, None, None, None, "VIRTUAL_GUEST")
    listed = tickets.list_tickets(open_status=True, closed_status=False)
    assert [t["id"] for t in listed] == [created["id"]] and listed[0]["status"]["name"] == "Open"
    detail = tickets.get_ticket(created["id"])
    assert detail["serviceProviderResourceId"].startswith("CS") and detail["updates"] == [{"entry": "evidence"}]
    assert lab.violations() == []
