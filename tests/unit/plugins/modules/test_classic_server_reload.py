"""classic_server_reload through main() against the lab's classic infrastructure: the OS reload's guards and wait."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.conductors.nessus_compliance.plugins.modules import classic_server_reload

HOST = "prod-wdc06-infra-nessus-01"
HOOK_URI = "https://bootstrap.lab.example/alc-nessus-bootstrap.sh"


@pytest.fixture
def classic(lab_factory, monkeypatch, tmp_path):
    """A lab whose machines reload in 1,800 simulated seconds, at 1,800x (one real second)."""
    def start(machine=None, speed=1800):
        path = tmp_path / "reload.yaml"
        path.write_text(yaml.safe_dump({"extends": "default", "classic": {"machines": {HOST: machine or {}}}}))
        lab = lab_factory(str(path), speed=speed)
        for key, value in lab.settings.items():
            monkeypatch.setenv(key, value)
        return lab
    return start


def args(**extra):
    base = {"hostname": HOST, "domain": "nessus.lab.example", "post_provision_hook": "alc-nessus-bootstrap",
            "poll_interval": 0.02, "settle_polls": 3}
    base.update(extra)
    return base


def reloads(lab):
    return [(lab.world.classic.machines[mid].hostname, config) for _t, mid, config in lab.world.classic.reload_requests]


def test_reload_with_the_saved_script_and_wait_until_it_is_done(classic, run_module):
    lab = classic()
    result = run_module(classic_server_reload, args())
    assert (result["changed"], result["sent"], result["already_reloaded"]) == (True, True, False)
    assert reloads(lab) == [(HOST, {"customProvisionScriptUri": HOOK_URI})]
    steps = [s["step"] for s in result["reload"]["steps"]]
    # logged in order as the polls saw them (a step shorter than a poll may be missed on a loaded machine: the
    # first is seen, the reload's end is read from the transaction, not from the last step seen)
    assert steps[0] == "CLOUD_RECLAIM_PREP" and len(set(steps)) == len(steps)
    assert steps == sorted(steps, key=["CLOUD_RECLAIM_PREP", "CLOUD_PROVISION_SETUP", "CLOUD_CONFIGURE_OS",
                                       "CLOUD_POST_PROVISION"].index)
    assert result["server"]["active_transaction"] is None and result["server"]["provision_date"]
    assert result["server"]["last_os_reload"]["status"] == "COMPLETE"
    posts = [c for c in lab.calls("classic") if c.startswith("POST")]
    assert posts == ["POST /rest/v3.1/SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % result["server"]["id"]]


def test_a_rerun_after_the_reload_sends_nothing(classic, run_module):
    lab = classic()
    machine = lab.world.classic.by_name(HOST)
    previous = 770000 + machine.id % 100000  # the reload at provisioning, as classic_server_info showed it
    first = run_module(classic_server_reload, args(previous_reload_id=previous))
    assert first["sent"] is True and first["reload"]["transaction_id"] != previous
    again = run_module(classic_server_reload, args(previous_reload_id=previous))
    assert (again["sent"], again["already_reloaded"], again["changed"]) == (False, True, False)
    assert len(reloads(lab)) == 1


def test_the_confirmation_token_flow(classic, run_module):
    lab = classic()
    result = run_module(classic_server_reload, args(confirm_with_token=True, wait=False))
    assert result["sent"] is True and len(reloads(lab)) == 1
    assert [c for c in lab.calls("classic") if c.startswith("POST")] == [
        "POST /rest/v3.1/SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % result["server"]["id"]] * 2


def test_no_script_no_reload(classic, run_module):
    lab = classic()
    missing = run_module(classic_server_reload, {"hostname": HOST, "domain": "nessus.lab.example"}, fails=True)
    assert missing["msg"].startswith("Bootstrapping will not be performed if the post provision script is not selected")
    plain_args = args(post_provision_script="http://x/y.sh")
    del plain_args["post_provision_hook"]
    plain = run_module(classic_server_reload, plain_args, fails=True)
    assert "must be HTTPS" in plain["msg"]
    unknown = run_module(classic_server_reload, args(post_provision_hook="nope"), fails=True)
    assert "no post-provisioning script named nope in the account (it has: alc-nessus-bootstrap)" in unknown["msg"]
    assert reloads(lab) == []
    assert lab.calls("classic") == ["GET /rest/v3.1/SoftLayer_Account/getVirtualGuests.json",
                                    "GET /rest/v3.1/SoftLayer_Account/getHardware.json",
                                    "GET /rest/v3.1/SoftLayer_Account/getPostProvisioningHooks.json"]


def test_an_active_transaction_is_never_stacked(classic, run_module):
    lab = classic({"transaction": "CLOUD_INSTANCE_MIGRATE"})
    result = run_module(classic_server_reload, args(), fails=True)
    assert "has an active transaction (CLOUD_INSTANCE_MIGRATE): not stacking a reload on it" in result["msg"]
    assert reloads(lab) == []


def test_a_stuck_reload_times_out_and_is_not_sent_again(classic, run_module):
    lab = classic({"reload_stuck": True})
    result = run_module(classic_server_reload, args(wait_timeout=0.5), fails=True)
    assert "is still running after 0.5s (step CLOUD_CONFIGURE_OS); it was not sent again" in result["msg"]
    assert result["sent"] is True and len(reloads(lab)) == 1


def test_check_mode_says_what_would_be_sent(classic, run_module):
    lab = classic()
    result = run_module(classic_server_reload, args(), check_mode=True)
    assert result["would_reload"] is True and result["request"]["config"] == {"customProvisionScriptUri": HOOK_URI}
    assert reloads(lab) == [] and not [c for c in lab.calls("classic") if c.startswith("POST")]
