"""The Nessus client: /server/status answers read into states, the transport's failures as evidence, and the wait."""

from __future__ import annotations

import json
import time

import pytest
import requests

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.nessus import (
    NessusClient,
    read_response,
    scanner_targets,
    url_host,
)

READY = "prod-wdc06-infra-nessus-02"
OTHER = "prod-wdc06-infra-nessus-01"  # default scenario: nessusd stopped; scanner_loading: Nessus loading
ERROR_PAGE = "<html><head><title>500 Internal Server Error</title></head><body>Internal Server Error</body></html>"


def response(status, body, content_type="application/json"):
    """An HTTP answer as requests hands it over."""
    made = requests.Response()
    made.status_code = status
    made._content = (body if isinstance(body, str) else json.dumps(body)).encode()  # pylint: disable=protected-access
    made.headers["Content-Type"] = content_type
    return made


@pytest.mark.parametrize("status, body, content_type, expected", [
    # what the lab's Nessus sends (and Nessus 8-10 while nessusd runs)
    (200, {"status": "ready", "progress": None}, "application/json",
     ("ready", 200, "ready", None, "Nessus is ready")),
    # newer versions add the engine's own status beside the top-level one
    (200, {"code": 200, "status": "ready", "progress": None, "must_destroy_session": False, "pluginData": True,
           "engine_status": {"status": "ready", "progress": 100, "reason": ""}}, "application/json",
     ("ready", 200, "ready", 100, "Nessus is ready")),
    # while nessusd loads its plugins: 503 with the same body shape
    (503, {"code": 503, "status": "loading", "progress": 42}, "application/json",
     ("loading", 503, "loading", 42, "Nessus is loading its plugins (42%)")),
    (503, {"code": 503, "status": "loading", "progress": None, "engine_status": {"status": "loading", "progress": "7"}},
     "application/json", ("loading", 503, "loading", 7, "Nessus is loading its plugins (7%)")),
    (503, {"code": 503, "status": "loading"}, "application/json",
     ("loading", 503, "loading", None, "Nessus is loading its plugins")),
    (200, {"status": "loading", "progress": 3}, "application/json",
     ("loading", 200, "loading", 3, "Nessus is loading its plugins (3%)")),
])
def test_ready_and_loading_answers(status, body, content_type, expected):
    got = read_response(response(status, body, content_type))
    assert (got["state"], got["http_status"], got["status"], got["progress"], got["detail"]) == expected


@pytest.mark.parametrize("status, body, content_type, http_status, detail", [
    (500, ERROR_PAGE, "text/html; charset=UTF-8", 500,
     "HTTP 500: answered with a non-JSON body (text/html; charset=UTF-8): 500 Internal Server Error"),
    (503, "", "text/plain", 503, "HTTP 503: answered with a non-JSON body (text/plain), empty"),
    (200, {"scanners": []}, "application/json", 200, "HTTP 200 without a Nessus status"),
    (200, ["ready"], "application/json", 200, "HTTP 200: the answer is not a JSON object"),
    (200, {"status": "register", "progress": None}, "application/json", 200,
     "HTTP 200 with status 'register' (neither ready nor loading)"),
    (503, {"status": "ready"}, "application/json", 503, "HTTP 503 with status 'ready' (neither ready nor loading)"),
    (404, {"error": "Not Found"}, "application/json", 404, "HTTP 404 without a Nessus status: Not Found"),
])
def test_anything_else_is_an_error_with_the_detail(status, body, content_type, http_status, detail):
    got = read_response(response(status, body, content_type))
    assert (got["state"], got["http_status"], got["detail"]) == ("error", http_status, detail)


@pytest.mark.parametrize("address, host", [
    ("10.190.12.34", "10.190.12.34"),
    (" 127.0.0.1 ", "127.0.0.1"),
    ("fd00::12", "[fd00::12]"),
    ("Prod-WDC06-infra-nessus-01.nessus.example", "prod-wdc06-infra-nessus-01.nessus.example"),
])
def test_an_address_is_an_ip_or_a_host_name(address, host):
    assert url_host(address) == host


@pytest.mark.parametrize("address", ["https://10.1.2.3", "10.1.2.3:8834", "10.1.2.3/server", "a b", "", None, 12,
                                     "-x.example", "x" * 64])
def test_anything_else_is_refused(address):
    with pytest.raises(ValueError, match="is not an IP address or a host name"):
        url_host(address)


def test_scanner_targets_keep_name_and_ip_and_ignore_the_rest():
    records = [{"id": 7, "name": "prod-wdc06-infra-nessus-01", "ip": "10.0.0.1", "status": "2", "port": "8834"},
               {"ip": " 10.0.0.2 "}]
    assert scanner_targets(records) == [{"name": "prod-wdc06-infra-nessus-01", "ip": "10.0.0.1"},
                                        {"name": "10.0.0.2", "ip": "10.0.0.2"}]
    assert not scanner_targets([])


@pytest.mark.parametrize("scanners, message", [
    (["10.0.0.1"], r"scanners\[0\]: each scanner is a dict with ip and name"),
    ([{"ip": "10.0.0.1"}, {"name": "nessus-02"}], r"scanners\[1\]: ip is missing \('nessus-02'\)"),
    ([{"name": "n", "ip": "https://10.0.0.1:8834"}], r"scanners\[0\]: Nessus: 'https://10.0.0.1:8834' is not an IP"),
    ([{"name": 5, "ip": "10.0.0.1"}], r"scanners\[0\]: name must be a string"),
])
def test_a_bad_scanner_is_named(scanners, message):
    with pytest.raises(ValueError, match=message):
        scanner_targets(scanners)


@pytest.mark.parametrize("kwargs, message", [
    ({"port": 0}, r"port \(NESSUS_PORT\) must be a TCP port"),
    ({"port": 65536}, "must be a TCP port"),
    ({"port": True}, "must be a TCP port"),
    ({"timeout": 0}, "timeout must be a positive number"),
    ({"retries": -1}, "retries must be 0 or more"),
    ({"ca_path": "/nonexistent/nessus-ca.pem"}, r"ca_path \(NESSUS_CA_PATH\) does not exist"),
])
def test_bad_settings_fail_before_any_request(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NessusClient(**kwargs)


# -- against the lab's scanners ------------------------------------------------------------------------------------

def scanners(lab, *names, timeout=60):
    """The machines named, once the lab's Nessus listens on each one that runs nessusd."""
    machines = [lab.world.classic.by_name(name) for name in names]
    deadline = time.monotonic() + timeout
    wanted = {m.hostname for m in machines if m.nessusd(lab.world.clock.now()) != "stopped"}
    while not wanted <= set(lab.lab.nessus_servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return machines


def client(lab, **overrides):
    kwargs = dict(ca_path=lab.settings["NESSUS_CA_PATH"], timeout=5, retries=0)
    kwargs.update(overrides)
    return NessusClient(**kwargs)


def test_ready_and_a_stopped_nessusd_against_the_lab(lab):
    stopped, ready = scanners(lab, OTHER, READY)
    with client(lab, retries=1) as nessus:
        down = nessus.server_status(stopped.address)
        up = nessus.server_status(ready.address)
    assert (down["state"], down["http_status"], down["status"]) == ("down", None, None)
    assert down["detail"].startswith("no answer: cannot connect:") and "Connection refused" in down["detail"]
    assert up == {"state": "ready", "http_status": 200, "status": "ready", "progress": None,
                  "detail": "Nessus is ready"}
    assert lab.calls("nessus") == ["GET /server/status"]  # the refused connection never reached a server


def test_loading_is_one_answer_never_retried(lab_factory):
    lab = lab_factory("scanner_loading")
    loading, = scanners(lab, OTHER)
    with client(lab, retries=3) as nessus:
        got = nessus.server_status(loading.address)
        assert nessus.retry_log == []
    assert (got["state"], got["http_status"], got["status"]) == ("loading", 503, "loading")
    assert isinstance(got["progress"], int) and 0 <= got["progress"] < 100
    assert [e["status"] for e in lab.requests("nessus")] == [503]


def test_an_html_error_page_and_unexpected_json_are_errors(lab):
    dummy, ready = scanners(lab, OTHER, READY)
    lab.world.faults.add({"system": "nessus", "path": "^/server/status$", "times": 1,
                          "action": {"status": 500, "body": "html"}})
    lab.world.faults.add({"system": "nessus", "path": "^/server/status$", "times": 1,
                          "action": {"status": 200, "json": {"license": {"type": "home"}}}})
    with client(lab) as nessus:
        page = nessus.server_status(ready.address)
        odd = nessus.server_status(ready.address)
    assert (page["state"], page["http_status"]) == ("error", 500)
    assert page["detail"].startswith("HTTP 500: answered with a non-JSON body (text/html")
    assert (odd["state"], odd["http_status"], odd["detail"]) == ("error", 200, "HTTP 200 without a Nessus status")


def test_a_500_is_retried_and_the_retry_is_logged(lab):
    dummy, ready = scanners(lab, OTHER, READY)
    lab.world.faults.add({"system": "nessus", "times": 1, "action": {"status": 500, "body": "html"}})
    with client(lab, retries=1, backoff=0.01) as nessus:
        got = nessus.server_status(ready.address)
        log = nessus.retry_log
    assert got["state"] == "ready"
    assert [(e["system"], e["path"], e["status"]) for e in log] == [("Nessus", "/server/status", 500)]


def test_no_answer_in_time_is_down(lab):
    dummy, ready = scanners(lab, OTHER, READY)
    lab.world.faults.add({"system": "nessus", "action": {"delay": 1.5, "pass_through": True}})
    with client(lab, timeout=0.3) as nessus:
        got = nessus.server_status(ready.address)
    assert got["state"] == "down" and got["http_status"] is None
    assert "timed out" in got["detail"]


def test_a_certificate_that_does_not_verify_is_an_error_not_down(lab):
    dummy, ready = scanners(lab, OTHER, READY)
    with client(lab, ca_path=None) as nessus:
        got = nessus.server_status(ready.address)
    assert (got["state"], got["http_status"]) == ("error", None)
    assert got["detail"].startswith("TLS verification failed") and "ca_path" in got["detail"]
    assert lab.calls("nessus") == []  # refused in the handshake


# -- the wait, with a fake clock -----------------------------------------------------------------------------------

class FakeTime:
    """Time that passes only by the wait's sleeps and by its requests (``request_seconds`` each)."""

    def __init__(self, request_seconds=0.0):
        self.request_seconds = request_seconds
        self.requests = 0
        self.sleeps = []
        self.sleep = self.sleeps.append

    def clock(self):
        return 100.0 + sum(self.sleeps) + self.requests * self.request_seconds


def scripted(monkeypatch, fake, states):
    """A client whose scanners answer ``states[ip]`` in turn (the last one again once the script runs out)."""
    nessus = NessusClient()
    asked = []

    def server_status(ip):
        asked.append(ip)
        fake.requests += 1
        script = states[ip]
        state = script.pop(0) if len(script) > 1 else script[0]
        return {"state": state, "http_status": None, "status": None, "progress": None, "detail": state}

    monkeypatch.setattr(nessus, "server_status", server_status)
    return nessus, asked


def wait(nessus, fake, ips, until, timeout=60.0, interval=2.0):
    return nessus.wait_for(ips, until=until, timeout=timeout, interval=interval, clock=fake.clock, sleep=fake.sleep)


def test_ready_after_three_polls(monkeypatch):
    fake = FakeTime()
    nessus, asked = scripted(monkeypatch, fake, {"10.0.0.1": ["down", "loading", "ready"]})
    got = wait(nessus, fake, ["10.0.0.1"], "ready")["10.0.0.1"]
    assert (got["answer"]["state"], got["polls"], got["seconds"], got["timed_out"]) == ("ready", 3, 4.0, False)
    assert fake.sleeps == [2.0, 2.0] and asked == ["10.0.0.1"] * 3


def test_timeout_asks_once_more_at_the_end_and_says_so(monkeypatch):
    fake = FakeTime()
    nessus, asked = scripted(monkeypatch, fake, {"10.0.0.1": ["loading"]})
    got = wait(nessus, fake, ["10.0.0.1"], "ready", timeout=5.0)["10.0.0.1"]
    assert (got["answer"]["state"], got["polls"], got["seconds"], got["timed_out"]) == ("loading", 4, 5.0, True)
    assert fake.sleeps == [2.0, 2.0, 1.0] and len(asked) == 4


def test_a_zero_timeout_is_one_question(monkeypatch):
    fake = FakeTime()
    nessus, dummy = scripted(monkeypatch, fake, {"10.0.0.1": ["loading"]})
    got = wait(nessus, fake, ["10.0.0.1"], "ready", timeout=0)["10.0.0.1"]
    assert (got["polls"], got["timed_out"]) == (1, True) and fake.sleeps == []


@pytest.mark.parametrize("script, polls, state", [
    (["down"], 1, "down"),                        # nothing listens: settled, nothing to wait for
    (["loading", "loading", "ready"], 3, "ready"),
    (["loading", "down"], 2, "down"),             # stopped while loading
    (["error"], 1, "error"),
])
def test_settled_waits_only_while_loading(monkeypatch, script, polls, state):
    fake = FakeTime()
    nessus, dummy = scripted(monkeypatch, fake, {"10.0.0.1": script})
    got = wait(nessus, fake, ["10.0.0.1"], "settled")["10.0.0.1"]
    assert (got["answer"]["state"], got["polls"], got["timed_out"]) == (state, polls, False)


def test_no_wait_is_one_question_each_and_no_sleep(monkeypatch):
    fake = FakeTime(request_seconds=0.25)
    nessus, asked = scripted(monkeypatch, fake, {"10.0.0.1": ["loading"], "10.0.0.2": ["down"]})
    got = wait(nessus, fake, ["10.0.0.1", "10.0.0.2", "10.0.0.1"], None)
    assert asked == ["10.0.0.1", "10.0.0.2"] and fake.sleeps == []  # a scanner listed twice is asked once
    assert {ip: (r["answer"]["state"], r["polls"], r["seconds"]) for ip, r in got.items()} == {
        "10.0.0.1": ("loading", 1, 0.25), "10.0.0.2": ("down", 1, 0.5)}


def test_a_scanner_that_is_ready_is_not_asked_again(monkeypatch):
    fake = FakeTime(request_seconds=0.5)
    nessus, asked = scripted(monkeypatch, fake, {"10.0.0.1": ["ready"], "10.0.0.2": ["down", "down", "ready"]})
    got = wait(nessus, fake, ["10.0.0.1", "10.0.0.2"], "ready")
    assert asked == ["10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.2"]
    assert (got["10.0.0.1"]["polls"], got["10.0.0.1"]["seconds"]) == (1, 0.5)
    assert (got["10.0.0.2"]["polls"], got["10.0.0.2"]["seconds"]) == (3, 6.0)  # 1.0, then 2 s sleep + 0.5, twice


@pytest.mark.parametrize("kwargs, message", [
    (dict(until="up"), "until must be one of ready, settled or None"),
    (dict(until="ready", timeout=-1), "timeout must be 0 or more"),
    (dict(until="ready", interval=0), "poll interval must be a positive number"),
    (dict(until="ready", ips=["10.0.0.1", "http://10.0.0.2"]), "is not an IP address or a host name"),
])
def test_bad_wait_arguments_ask_nothing(monkeypatch, kwargs, message):
    fake = FakeTime()
    nessus, asked = scripted(monkeypatch, fake, {"10.0.0.1": ["ready"]})
    kwargs = dict(dict(ips=["10.0.0.1"], timeout=60.0, interval=2.0), **kwargs)
    with pytest.raises(ValueError, match=message):
        nessus.wait_for(kwargs.pop("ips"), clock=fake.clock, sleep=fake.sleep, **kwargs)
    assert not asked
