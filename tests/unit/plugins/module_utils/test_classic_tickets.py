"""The classic client's support tickets against the lab: subjects, the account's open tickets page by page with the
machines attached, a ticket opened with its machine attached, and never sent twice - not even when its answer is lost."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    SYSTEM,
    TICKET_MASK,
    ClassicClient,
    describe_ticket,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import (
    ApiError,
    AuthError,
    NotFoundError,
    TransportError,
)

GUEST = "prod-wdc06-infra-nessus-01"
HARDWARE = "prod-wdc06-infra-nessus-02"  # bare metal in the classic_bare_metal scenario
CREATE = "POST /rest/v3.1/SoftLayer_Ticket/createStandardTicket.json"
OPEN = "GET /rest/v3.1/SoftLayer_Account/getOpenTickets.json"
HARDWARE_ISSUE = 1021  # the real subject list's id (softlayer/softlayer-python#484)


def client_for(lab, timeout=10.0):
    s = lab.settings
    return ClassicClient(s["SL_USERNAME"], s["SL_API_KEY"], s["SL_ENDPOINT_URL"], ca_path=s["SL_CA_PATH"], timeout=timeout,
                         retries=1, backoff=0)


def machine(lab, name):
    return lab.world.classic.by_name(name)


def test_the_subjects_are_the_account_s(lab):
    with client_for(lab) as client:
        subjects = client.ticket_subjects()
    assert {"id": HARDWARE_ISSUE, "name": "Hardware Issue"} in subjects
    assert {"id": 1003, "name": "Reboots and Console Access"} in subjects


@pytest.mark.parametrize("scenario, name, kind", [("default", GUEST, "guest"), ("classic_bare_metal", HARDWARE, "hardware")])
def test_a_ticket_is_opened_with_its_machine_attached_and_found_again(lab_factory, scenario, name, kind):
    lab = lab_factory(scenario)
    target = machine(lab, name)
    with client_for(lab) as client:
        assert client.open_ticket_for(kind, target.id) is None
        ticket, lost = client.create_ticket(HARDWARE_ISSUE, "Scanner %s is down" % name, "evidence\nline 2", kind, target.id)
        found = client.open_ticket_for(kind, target.id)
        other = "guest" if kind == "hardware" else "hardware"
        assert client.open_ticket_for(other, target.id) is None  # attached as what it is
    assert lost is False
    assert ticket == found
    assert ticket["status"] == "Open" and ticket["title"] == "Scanner %s is down" % name
    assert isinstance(ticket["id"], int) and ticket["number"].startswith("CS")
    assert ticket["created"].endswith("+00:00")  # an ISO time with its offset, from the lab's clock
    assert ticket["attached"][kind] == [target.id] and ticket["attached"][other] == []
    [kept] = lab.world.classic.tickets
    assert (kept["id"], kept["subject_id"], kept["contents"], kept["attached"]) == (
        ticket["id"], HARDWARE_ISSUE, "evidence\nline 2", [(kind, target.id)])
    posts = [e for e in lab.requests("classic") if e["method"] == "POST"]
    assert [(e["path"], e["query"]["objectMask"], e["status"]) for e in posts] == [
        ("/rest/v3.1/SoftLayer_Ticket/createStandardTicket.json", TICKET_MASK, 200)]


def test_a_closed_ticket_does_not_count(lab):
    target = machine(lab, GUEST)
    with client_for(lab) as client:
        ticket, _lost = client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", target.id)
        lab.world.classic.close_ticket(ticket["id"])
        assert client.open_ticket_for("guest", target.id) is None


def test_the_open_tickets_are_read_page_by_page(lab):
    classic = lab.world.classic
    target = machine(lab, GUEST)
    for number in range(230):  # other machines' tickets first: the machine's is on the third page
        classic.open_ticket(HARDWARE_ISSUE, "other %d" % number, "c", [])
    mine = classic.open_ticket(HARDWARE_ISSUE, "mine", "c", [("guest", target.id)])
    with client_for(lab) as client:
        found = client.open_ticket_for("guest", target.id)
    assert found["id"] == mine["id"]
    pages = [e["query"]["resultLimit"] for e in lab.requests("classic") if e["path"].endswith("/getOpenTickets.json")]
    assert pages == ["0,100", "100,100", "200,100"]


def test_a_refusal_is_raised_and_nothing_is_sent_twice(lab_factory, tmp_path):
    path = tmp_path / "refuse.yaml"
    path.write_text(yaml.safe_dump({"extends": "default", "classic": {"tickets": {"refuse": "Ticket creation is disabled."}}}))
    lab = lab_factory(str(path))
    target = machine(lab, GUEST)
    with client_for(lab) as client, pytest.raises(ApiError) as error:
        client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", target.id)
    refused = (error.value.status, error.value.code, error.value.detail)
    assert refused == (500, "SoftLayer_Exception_Public", "Ticket creation is disabled.")
    assert str(error.value).startswith("IBM Cloud classic: refused (POST /SoftLayer_Ticket/createStandardTicket.json")
    assert lab.calls("classic") == [CREATE, OPEN]  # looked for the ticket (a 500 may hide one), sent nothing again
    assert lab.world.classic.tickets == []


def test_a_lost_answer_is_found_again_instead_of_sent_again(lab):
    target = machine(lab, GUEST)
    # the create is carried out, but its answer comes after the client's timeout
    lab.admin("faults", {"system": "classic", "method": "POST", "path": "createStandardTicket", "times": 1,
                         "action": {"pass_through": True, "delay_after": 3}})
    with client_for(lab, timeout=1) as client:
        ticket, lost = client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", target.id)
    assert lost is True and ticket["id"] == lab.world.classic.tickets[0]["id"]
    assert lab.calls("classic").count(CREATE) == 1 and len(lab.world.classic.tickets) == 1


def test_an_unknown_machine_is_refused_as_not_found(lab):
    with client_for(lab) as client, pytest.raises(NotFoundError) as error:
        client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", 99)
    assert error.value.code == "SoftLayer_Exception_ObjectNotFound"
    assert lab.calls("classic") == [CREATE]  # a 404 opened nothing: nothing looked for
    assert lab.world.classic.tickets == []


class FakeClient(ClassicClient):
    """A ClassicClient whose ``call`` answers from a list, in order (an exception is raised)."""

    def __init__(self, answers):  # pylint: disable=super-init-not-called
        self.answers = list(answers)
        self.sent = []

    def call(self, service, method, ident=None, params=None, body=None, http_method="GET"):
        self.sent.append(method)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def open_tickets(self):
        return [describe_ticket(t) for t in self.call("SoftLayer_Account", "getOpenTickets")]


def failure(kind=ApiError, status=None, **extra):
    return kind("failed", SYSTEM, "POST", "/SoftLayer_Ticket/createStandardTicket.json", status=status, **extra)


@pytest.mark.parametrize("error, looks", [
    (failure(TransportError, may_have_arrived=True), True),      # no answer: it may have been opened
    (failure(TransportError, may_have_arrived=False), False),    # never connected
    (failure(status=500, code="SoftLayer_Exception_Public"), True),
    (failure(AuthError, status=401), False),
    (failure(NotFoundError, status=404), False),
])
def test_only_a_failure_that_may_have_opened_the_ticket_is_looked_for(error, looks):
    client = FakeClient([error, []])
    with pytest.raises(type(error)) as raised:
        client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", 7)
    assert raised.value is error
    assert client.sent == ["createStandardTicket"] + (["getOpenTickets"] if looks else [])


def test_the_lookup_failing_too_reports_the_create_s_error():
    error = failure(TransportError, may_have_arrived=True)
    client = FakeClient([error, failure(status=503)])
    with pytest.raises(TransportError) as raised:
        client.create_ticket(HARDWARE_ISSUE, "t", "c", "guest", 7)
    assert raised.value is error and client.sent == ["createStandardTicket", "getOpenTickets"]


def test_the_create_sends_the_documented_parameters_and_no_password():
    bodies = []

    class Recording(FakeClient):
        def call(self, service, method, ident=None, params=None, body=None, http_method="GET"):
            bodies.append((service, method, params, body, http_method))
            return {"id": 5, "title": "t", "statusId": 1001, "serviceProviderResourceId": "CS1",
                    "createDate": "2026-11-26T13:00:00+00:00", "attachedHardware": [{"id": 7}]}

    ticket, lost = Recording([]).create_ticket(HARDWARE_ISSUE, "t", "c", "hardware", 7)
    assert bodies == [("SoftLayer_Ticket", "createStandardTicket", {"objectMask": TICKET_MASK},
                       {"parameters": [{"subjectId": HARDWARE_ISSUE, "title": "t"}, "c", 7, None, None, None, [], "HARDWARE"]},
                       "POST")]
    assert lost is False
    assert ticket == {"id": 5, "number": "CS1", "title": "t", "status": "Open", "created": "2026-11-26T13:00:00+00:00",
                      "attached": {"guest": [], "hardware": [7]}}


@pytest.mark.parametrize("raw, status, attached", [
    ({"status": {"name": "Assigned"}, "statusId": 1001}, "Assigned", {"guest": [], "hardware": []}),
    ({"statusId": 1002}, "Closed", {"guest": [], "hardware": []}),
    ({}, None, {"guest": [], "hardware": []}),
    ({"attachedVirtualGuests": [{"id": 1}, {"id": 2}], "attachedHardware": None}, None, {"guest": [1, 2], "hardware": []}),
])
def test_describe_ticket(raw, status, attached):
    described = describe_ticket(raw)
    assert (described["status"], described["attached"]) == (status, attached)
