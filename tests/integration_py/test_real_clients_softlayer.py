"""Second opinion: softlayer-python (``SoftLayer``, pinned 6.2.9), written against the real API, drives the lab unchanged.

Its managers send their own masks - ``VSManager.get_instance``'s long one, ``HardwareManager.list_hardware``'s
``[mask[...], mask(SoftLayer_Hardware_Server)[...]]`` - and ``reloadOperatingSystem('FORCE', config)``. Each call
must work with no contract violation counted: where one fails, the lab is wrong and the lab is fixed, never the call.
(softlayer-python 6.2.9 has no ``VSManager.reboot_instance``: its CLI reboots with ``Virtual_Guest.rebootSoft``,
as below.)
"""

from __future__ import annotations

import pytest

SoftLayer = pytest.importorskip("SoftLayer")

HOOK = "https://bootstrap.lab.example/alc-nessus-bootstrap.sh"
DOMAIN = "nessus.lab.example"


@pytest.fixture
def lab(lab_factory, monkeypatch):
    run = lab_factory("classic_bare_metal", speed=600)
    # requests takes the lab's CA from REQUESTS_CA_BUNDLE (the transport has no CA option of its own)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", run.settings["SL_CA_PATH"])
    for key in ("SL_USERNAME", "SL_API_KEY", "SL_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    yield run
    assert run.violations() == []


def client(lab):
    s = lab.settings
    return SoftLayer.create_client_from_env(username=s["SL_USERNAME"], api_key=s["SL_API_KEY"],
                                            endpoint_url=s["SL_ENDPOINT_URL"])


def test_vs_manager_lists_gets_reboots_and_reloads_a_guest(lab):
    sl = client(lab)
    vs = SoftLayer.VSManager(sl)
    found = list(vs.list_instances(hostname="prod-wdc06-infra-nessus-01", domain=DOMAIN))
    assert [g["hostname"] for g in found] == ["prod-wdc06-infra-nessus-01"]
    assert found[0]["powerState"]["keyName"] == "RUNNING" and found[0]["status"]["keyName"] == "ACTIVE"
    guest = vs.get_instance(found[0]["id"])
    assert guest["id"] == found[0]["id"] and guest["fullyQualifiedDomainName"] == "prod-wdc06-infra-nessus-01." + DOMAIN
    assert guest["lastOperatingSystemReload"]["id"]
    assert sl.call("Virtual_Guest", "rebootSoft", id=guest["id"]) is True
    lab.admin("clock", {"advance": 900})  # the reboot's transaction is over
    assert vs.reload_instance(guest["id"], post_uri=HOOK) == "1"
    assert [(mid, config) for _t, mid, config in lab.world.classic.reload_requests] == [
        (guest["id"], {"customProvisionScriptUri": HOOK})]
    calls = lab.calls("classic")
    assert calls[0] == "GET /rest/v3.1/SoftLayer_Account/getVirtualGuests.json"
    assert calls[-1] == "POST /rest/v3.1/SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % guest["id"]


def test_hardware_manager_lists_gets_and_reloads_bare_metal(lab):
    sl = client(lab)
    hw = SoftLayer.HardwareManager(sl)
    found = list(hw.list_hardware(hostname="prod-wdc06-infra-nessus-02", domain=DOMAIN))
    assert [h["hostname"] for h in found] == ["prod-wdc06-infra-nessus-02"]
    server = hw.get_hardware(found[0]["id"])
    assert server["hardwareStatus"]["status"] == "ACTIVE" and server["id"] == found[0]["id"]
    assert sl.call("Hardware_Server", "getServerPowerState", id=server["id"]) == "on"
    assert hw.reload(server["id"], post_uri=HOOK) == "1"
    assert lab.world.classic.reload_requests[-1][1:] == (server["id"], {"customProvisionScriptUri": HOOK})
    masks = [e["query"].get("objectMask") for e in lab.requests("classic") if e["path"].endswith("getHardware.json")]
    assert masks and masks[0].startswith("[mask[") and "mask(SoftLayer_Hardware_Server)[" in masks[0]
