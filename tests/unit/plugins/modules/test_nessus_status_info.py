"""nessus_status_info through main(): options, the result per scanner, check mode, and the lab's scanners."""

from __future__ import annotations

import time
from unittest import mock

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.nessus import NessusClient
from ansible_collections.conductors.nessus_compliance.plugins.modules import nessus_status_info

WDC06 = [{"name": "prod-wdc06-infra-nessus-01", "ip": "10.190.12.34"},
         {"name": "prod-wdc06-infra-nessus-02", "ip": "10.190.12.35"}]
LOADING = {"state": "loading", "http_status": 503, "status": "loading", "progress": 42,
           "detail": "Nessus is loading its plugins (42%)"}
DOWN = {"state": "down", "http_status": None, "status": None, "progress": None,
        "detail": "no answer: cannot connect: [Errno 111] Connection refused"}


@pytest.fixture
def built():
    """The parameters of every client the module built."""
    return []


@pytest.fixture
def client(monkeypatch, built):
    """The client the module builds: a mock with NessusClient's interface, answering what a test sets."""
    made = mock.create_autospec(NessusClient, instance=True, spec_set=True)
    made.http = None
    made.retry_log = []

    def for_module(cls, module):
        built.append(module.params)
        return made

    monkeypatch.setattr(NessusClient, "for_module", classmethod(for_module))
    return made


def waited(reply, polls=1, seconds=0.1, timed_out=False):
    return {"answer": reply, "polls": polls, "seconds": seconds, "timed_out": timed_out}


@pytest.mark.parametrize("check_mode", [False, True])
def test_every_scanner_gets_its_state_and_the_probe_runs_in_check_mode(client, run_module, check_mode):
    client.wait_for.return_value = {"10.190.12.34": waited(DOWN), "10.190.12.35": waited(LOADING, 3, 4.0, True)}
    result = run_module(nessus_status_info, {"scanners": WDC06}, check_mode=check_mode)
    client.wait_for.assert_called_once_with(["10.190.12.34", "10.190.12.35"], until=None, timeout=900.0, interval=2.0)
    assert result["changed"] is False and "failed" not in result  # a Nessus that is down is evidence
    assert result["scanners"] == [
        dict(DOWN, name="prod-wdc06-infra-nessus-01", ip="10.190.12.34", ready=False,
             waited={"seconds": 0.1, "polls": 1, "timed_out": False}),
        dict(LOADING, name="prod-wdc06-infra-nessus-02", ip="10.190.12.35", ready=False,
             waited={"seconds": 4.0, "polls": 3, "timed_out": True}),
    ]
    assert result["retries"] == []


@pytest.mark.parametrize("wait, until", [("ready", "ready"), ("settled", "settled"), ("none", None)])
def test_wait_options_reach_the_client(client, run_module, wait, until):
    ready = dict(LOADING, state="ready", http_status=200, status="ready", progress=None, detail="Nessus is ready")
    client.wait_for.return_value = {"10.190.12.34": waited(ready)}
    result = run_module(nessus_status_info, {"scanners": [{"ip": "10.190.12.34", "id": "7", "status": "1"}],
                                             "wait": wait, "wait_timeout": 30, "poll_interval": 0.5})
    client.wait_for.assert_called_once_with(["10.190.12.34"], until=until, timeout=30.0, interval=0.5)
    assert [(s["name"], s["state"], s["ready"]) for s in result["scanners"]] == [("10.190.12.34", "ready", True)]


def test_no_scanners_ask_nothing(client, run_module):
    client.wait_for.return_value = {}
    assert run_module(nessus_status_info, {"scanners": []})["scanners"] == []


@pytest.mark.parametrize("args, message", [
    ({"scanners": [{"name": "prod-wdc06-infra-nessus-01"}]}, "scanners[0]: ip is missing ('prod-wdc06-infra-nessus-01')"),
    ({"scanners": [{"name": "x", "ip": "https://10.190.12.34:8834"}]}, "is not an IP address or a host name"),
    ({"scanners": WDC06, "wait": "forever"}, "value of wait must be one of: none, ready, settled"),
    ({}, "missing required arguments: scanners"),
])
def test_bad_options_fail_before_a_client_is_built(client, built, run_module, args, message):
    result = run_module(nessus_status_info, args, fails=True)
    assert message in result["msg"]
    assert built == [] and client.wait_for.call_count == 0


@pytest.mark.parametrize("args, message", [
    ({"port": 0}, "port (NESSUS_PORT) must be a TCP port (1-65535), got 0"),
    ({"timeout": 0}, "Nessus: timeout must be a positive number of seconds"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path (NESSUS_CA_PATH) does not exist: /nonexistent/ca.pem"),
    ({"wait": "ready", "wait_timeout": -1}, "the wait's timeout must be 0 or more seconds"),
    ({"wait": "ready", "poll_interval": 0}, "the poll interval must be a positive number of seconds"),
])
def test_bad_settings_fail_clearly_and_ask_nothing(run_module, monkeypatch, args, message):
    asked = []
    monkeypatch.setattr(NessusClient, "server_status", lambda self, ip: asked.append(ip))
    result = run_module(nessus_status_info, dict(args, scanners=WDC06), fails=True)
    assert message in result["msg"] and asked == []


def test_settings_from_the_environment_and_the_warning_without_certificate_checks(run_module, monkeypatch):
    monkeypatch.setenv("NESSUS_PORT", "8835")
    monkeypatch.setenv("NESSUS_VALIDATE_CERTS", "false")
    monkeypatch.setenv("NESSUS_TIMEOUT", "3")
    seen = []

    def server_status(self, ip):
        seen.append((self.endpoint(ip).base_url, self.endpoint(ip).timeout, self.endpoint(ip).verify))
        return DOWN

    warnings = []
    monkeypatch.setattr(NessusClient, "server_status", server_status)
    monkeypatch.setattr(nessus_status_info.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    result = run_module(nessus_status_info, {"scanners": WDC06[:1]})
    assert seen == [("https://10.190.12.34:8835", 3.0, False)] and result["scanners"][0]["state"] == "down"
    assert warnings == ["Nessus: certificate checks are off (validate_certs=false): anyone on the network path can "
                        "read and change this run's requests, credentials included. Give the system's CA bundle "
                        "(ca_path) instead."]


# -- main() against the lab's scanners -----------------------------------------------------------------------------

def listening(lab, *names, timeout=60):
    """``[{name, ip}]`` of the scanners named, from Security Center's records, once the lab's Nessus listens."""
    records = [s for s in lab.sc.scanners.values() if s["name"] in names]
    deadline = time.monotonic() + timeout
    running = {n for n in names if lab.world.classic.by_name(n).nessusd(lab.world.clock.now()) != "stopped"}
    while not running <= set(lab.lab.nessus_servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [{"name": s["name"], "ip": s["ip"]} for s in sorted(records, key=lambda s: s["name"])]


@pytest.mark.parametrize("check_mode", [False, True])
def test_check_mode_asks_the_lab_like_a_normal_run(lab_env, run_module, check_mode):
    targets = listening(lab_env, "prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02")
    result = run_module(nessus_status_info, {"scanners": targets}, check_mode=check_mode)
    assert [(s["name"], s["state"], s["http_status"], s["ready"]) for s in result["scanners"]] == [
        ("prod-wdc06-infra-nessus-01", "down", None, False), ("prod-wdc06-infra-nessus-02", "ready", 200, True)]
    assert "Connection refused" in result["scanners"][0]["detail"]
    assert lab_env.calls("nessus") == ["GET /server/status"]  # -02 answered; nothing listens on -01


def test_settled_gives_up_on_a_loading_scanner_after_the_timeout(lab_factory, monkeypatch, run_module):
    lab = lab_factory("scanner_loading")
    for key, value in lab.settings.items():
        monkeypatch.setenv(key, value)
    targets = listening(lab, "prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02")
    result = run_module(nessus_status_info, {"scanners": targets, "wait": "settled", "wait_timeout": 1.0,
                                             "poll_interval": 0.2}, check_mode=True)
    loading, ready = result["scanners"]
    assert (loading["state"], loading["http_status"], loading["waited"]["timed_out"]) == ("loading", 503, True)
    assert loading["waited"]["polls"] >= 2 and loading["waited"]["seconds"] >= 1.0
    assert isinstance(loading["progress"], int)
    assert (ready["state"], ready["waited"]["polls"], ready["waited"]["timed_out"]) == ("ready", 1, False)
