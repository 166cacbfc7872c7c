"""The classic stand-in holds every request to the SoftLayer contract (``shared/data/contracts/softlayer.json``).

The mask parser on its own, then the lab refusing what the real API refuses - an object mask naming a property its
type does not define, an unknown method, too many parameters - with the real error, each counted as exactly one
contract violation; and accepting what the real API accepts (typed masks, softlayer-python's masks).
"""

from __future__ import annotations

import time

import pytest
import requests

from lab.classic import MaskSyntaxError, load_contract, mask_problem, parse_object_mask, project

TYPES = load_contract()["types"]


@pytest.mark.parametrize("text, parsed", [
    ("mask[id,hostname]", [(None, [("id", []), ("hostname", [])])]),
    ("mask[a,b[c],d.e]", [(None, [("a", []), ("b", [("c", [])]), ("d", [("e", [])])])]),
    ("mask(SoftLayer_Hardware_Server)[activeTransaction[id]]",
     [("SoftLayer_Hardware_Server", [("activeTransaction", [("id", [])])])]),
    ("[mask[id, hostname],\n mask(SoftLayer_Hardware_Server)[activeTransaction[id, transactionStatus[friendlyName,name]]]]",
     [(None, [("id", []), ("hostname", [])]),
      ("SoftLayer_Hardware_Server", [("activeTransaction", [("id", []), ("transactionStatus", [("friendlyName", []), ("name", [])])])])]),
    ("mask[id],mask(SoftLayer_Hardware_Server)[lastOperatingSystemReload.id]",
     [(None, [("id", [])]), ("SoftLayer_Hardware_Server", [("lastOperatingSystemReload", [("id", [])])])]),
    ("id,hostname", [(None, [("id", []), ("hostname", [])])]),
    ("id;hostname", [(None, [("id", []), ("hostname", [])])]),
    ("a.b", [(None, [("a", [("b", [])])])]),
    ("mask.a.b", [(None, [("a", [("b", [])])])]),
    ("mask.a,mask.b", [(None, [("a", [])]), (None, [("b", [])])]),
    ("filteredMask[id]", [(None, [("id", [])])]),
    ("mask[]", [(None, [])]),
])
def test_the_mask_forms_the_api_reads(text, parsed):
    assert parse_object_mask(text) == parsed


@pytest.mark.parametrize("text, column, got", [
    ("mask[id", 8, "end of mask"), ("mask[id,]", 9, "]"), ("mask[id]]", 9, "]"), ("", 1, "end of mask"),
    ("mask(SoftLayer_Hardware_Server[id]", 31, "["),
])
def test_masks_the_parser_refuses(text, column, got):
    with pytest.raises(MaskSyntaxError) as error:
        parse_object_mask(text)
    assert str(error.value).startswith("Error on line 1 at column %d:" % column) and str(error.value).endswith("got '%s'" % got)


@pytest.mark.parametrize("root, text, problem", [
    ("SoftLayer_Virtual_Guest", "mask[id,powerState,status,activeTransaction[transactionStatus[name]]]", None),
    ("SoftLayer_Virtual_Guest", "mask[id,hardwareStatus]", "Property 'hardwareStatus' not valid for 'SoftLayer_Virtual_Guest'."),
    ("SoftLayer_Hardware_Server", "mask[id,powerState]", "Property 'powerState' not valid for 'SoftLayer_Hardware_Server'."),
    ("SoftLayer_Hardware_Server", "mask[id,hardwareStatus[status],lastOperatingSystemReload[id]]", None),
    ("SoftLayer_Hardware", "mask[id,activeTransaction]", "Property 'activeTransaction' not valid for 'SoftLayer_Hardware'."),
    ("SoftLayer_Hardware", "[mask[id],mask(SoftLayer_Hardware_Server)[activeTransaction[id]]]", None),
    ("SoftLayer_Virtual_Guest", "mask[hostname[bogus]]", "Property 'bogus' not valid for 'string'."),
    ("SoftLayer_Virtual_Guest", "mask[id.bogus]", "Property 'bogus' not valid for 'int'."),
    ("SoftLayer_Virtual_Guest", "mask[activeTransaction[transactionStatus[bogus]]]",
     "Property 'bogus' not valid for 'SoftLayer_Provisioning_Version1_Transaction_Status'."),
    ("SoftLayer_Virtual_Guest", "mask(SoftLayer_Hardware_Server)[id]",
     "Object mask type 'SoftLayer_Hardware_Server' is not valid for 'SoftLayer_Virtual_Guest'."),
])
def test_every_name_is_looked_up_in_its_type(root, text, problem):
    assert mask_problem(TYPES, root, parse_object_mask(text)) == problem


def test_answers_carry_what_the_mask_asks_for():
    guest = {"id": 1, "hostname": "a", "powerState": {"keyName": "RUNNING", "name": "Running"}, "status": {"keyName": "ACTIVE"}}
    assert project(TYPES, "SoftLayer_Virtual_Guest", guest, None) == {"id": 1, "hostname": "a"}  # local only
    assert project(TYPES, "SoftLayer_Virtual_Guest", guest, {"powerState": {"keyName": {}}}) == {
        "id": 1, "hostname": "a", "powerState": {"keyName": "RUNNING"}}  # relational only: the local ones too
    assert project(TYPES, "SoftLayer_Virtual_Guest", guest, {"id": {}, "status": {}}) == {"id": 1, "status": {"keyName": "ACTIVE"}}


class Classic:
    def __init__(self, lab):
        s = lab.settings
        self.base = s["SL_ENDPOINT_URL"]
        self.ca = s["SL_CA_PATH"]  # per request: a REQUESTS_CA_BUNDLE in the environment would win over Session.verify
        self.session = requests.Session()
        self.session.auth = (s["SL_USERNAME"], s["SL_API_KEY"])

    def get(self, path, **params):
        return self.session.get("%s/%s" % (self.base, path), params=params, timeout=10, verify=self.ca)

    def post(self, path, parameters):
        return self.session.post("%s/%s" % (self.base, path), json={"parameters": parameters}, timeout=10, verify=self.ca)


@pytest.fixture
def api(lab):
    return Classic(lab)


def guest_id(api):
    return api.get("SoftLayer_Account/getVirtualGuests.json", objectMask="mask[id]").json()[0]["id"]


def test_an_invalid_mask_is_refused_like_the_real_api(lab, api):
    ident = guest_id(api)
    answer = api.get("SoftLayer_Virtual_Guest/%d/getObject.json" % ident, objectMask="mask[id,hardwareStatus]")
    assert answer.status_code == 500
    assert answer.json() == {"error": "Property 'hardwareStatus' not valid for 'SoftLayer_Virtual_Guest'.",
                             "code": "SoftLayer_Exception_WebService_ObjectMask"}
    taken = lab.take_violations()
    assert [(v["system"], v["method"], v["path"], v["side"]) for v in taken] == [
        ("classic", "GET", "/rest/v3.1/SoftLayer_Virtual_Guest/%d/getObject.json" % ident, "request")]
    assert "hardwareStatus" in taken[0]["rule"]


def test_the_untyped_hardware_list_mask_is_refused_and_the_typed_one_accepted(lab_factory):
    lab = lab_factory("classic_bare_metal")
    api = Classic(lab)
    answer = api.get("SoftLayer_Account/getHardware.json", objectMask="mask[id,activeTransaction]")
    assert answer.status_code == 500 and answer.json() == {
        "error": "Property 'activeTransaction' not valid for 'SoftLayer_Hardware'.", "code": "SoftLayer_Exception_WebService_ObjectMask"}
    assert len(lab.take_violations()) == 1
    typed = api.get("SoftLayer_Account/getHardware.json",
                    objectMask="[mask[id,hostname,hardwareStatus],mask(SoftLayer_Hardware_Server)[lastOperatingSystemReload[id]]]")
    assert typed.status_code == 200 and typed.json()
    assert all(set(item) == {"id", "hostname", "hardwareStatus", "lastOperatingSystemReload"} for item in typed.json())
    assert lab.violations() == []


def test_an_unknown_method_is_refused_like_the_real_api(lab, api):
    ident = guest_id(api)
    answer = api.get("SoftLayer_Virtual_Guest/%d/getServerPowerState.json" % ident)  # bare metal's method, not a guest's
    assert answer.status_code == 500
    assert answer.json() == {"error": 'Function ("getServerPowerState") is not a valid method for this service.',
                             "code": "SoftLayer_Exception_Public"}
    taken = lab.take_violations()
    assert len(taken) == 1 and taken[0]["path"].endswith("/getServerPowerState.json")
    # the REST layer tries get<Name> too: PowerState is getPowerState
    assert api.get("SoftLayer_Virtual_Guest/%d/PowerState.json" % ident).json()["keyName"] == "RUNNING"
    assert lab.violations() == []


def test_too_many_parameters_are_refused(lab, api):
    ident = guest_id(api)
    answer = api.post("SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % ident, ["FORCE", {}, "extra"])
    assert answer.status_code == 500
    assert answer.json() == {"error": "SoftLayer_Virtual_Guest::reloadOperatingSystem takes 2 parameter(s), 3 given.",
                             "code": "SoftLayer_Exception_Public"}
    taken = lab.take_violations()
    assert len(taken) == 1 and "3 sent" in taken[0]["rule"]
    assert lab.world.classic.reload_requests == []  # refused: nothing was reloaded
    # fewer are fine: no token asks for one (the documented confirmation protocol)
    token = api.post("SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % ident, [])
    assert token.status_code == 200 and isinstance(token.json(), str)
    assert lab.violations() == []


def test_an_unreadable_mask_is_a_parser_error(lab, api):
    answer = api.get("SoftLayer_Account/getVirtualGuests.json", objectMask="mask[id,")
    assert answer.status_code == 500 and answer.json()["code"] == "SoftLayer_Exception_Common_Parser"
    assert len(lab.take_violations()) == 1


def test_a_missing_contract_stops_the_lab(tmp_path):
    with pytest.raises(RuntimeError, match=str(tmp_path / "softlayer.json")):
        load_contract(str(tmp_path / "softlayer.json"))


def nessus_status(lab, machine, want, timeout=90):
    """``GET /server/status`` until it answers ``want`` (the lab opens port 8834 once nessusd runs)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = requests.get("https://%s:8834/server/status" % machine.address, verify=lab.settings["NESSUS_CA_PATH"],
                                  timeout=5)
            if answer.json().get("status") == want or time.monotonic() > deadline:
                return answer
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_nessus_answers_503_while_it_loads(lab_factory):
    lab = lab_factory("scanner_loading")
    machine = lab.world.classic.by_name("prod-wdc06-infra-nessus-01")
    answer = nessus_status(lab, machine, "loading")
    assert answer.status_code == 503
    body = answer.json()
    assert set(body) == {"code", "status", "progress"} and body["code"] == 503 and body["status"] == "loading"
    assert 0 <= body["progress"] <= 99
    lab.admin("clock", {"advance": 36000})
    ready = nessus_status(lab, machine, "ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_a_loading_scanner_is_starting_and_never_rebooted(lab_factory, tmp_path):
    """Nessus answers 503 while it loads: the health check reads the body (loading), so no reboot is sent for it."""
    from private_branch import SPEED, power, record, run  # pylint: disable=import-outside-toplevel

    lab = lab_factory("scanner_loading", speed=SPEED)
    proc = run(lab, tmp_path)
    assert power(lab) == [], proc.stdout[-3000:]
    texts = [e["text"] for e in record(tmp_path)["entries"]]
    assert any(t.startswith("prod-wdc06-infra-nessus-01: starting - Nessus is loading") for t in texts), texts
    assert not any("nessusd_not_running" in t for t in texts)
    probes = [e for e in lab.requests("nessus") if e["path"] == "/server/status"]
    assert probes and probes[0]["status"] == 503
