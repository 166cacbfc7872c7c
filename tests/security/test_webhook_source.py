"""The webhook event source under hostile clients and hostile (but signed) payloads.

The source runs in a thread of the test, listening on loopback, exactly as ansible-rulebook starts it; each test
asserts the answer, what went on the queue (only validated scan names), and that the listener keeps serving.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from hypothesis import given, settings, strategies as st

from webhook_source import GH_SECRET, PD_SECRET, REPOSITORY, SERVICE, Source, sign, signed_webhook  # pylint: disable=import-error

ALERT_BODY = ("## Nessus scan compliance\n\nThe following scans are identified as failing and need investigation:\n\n"
              "~~~\n[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]\n~~~\n\n"
              "error_details: [Errno 111] Connection refused {{ lookup('pipe', 'id') }} @org/team [x](http://evil)\n")
SCANS = ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]


def issue_event(body=ALERT_BODY, repository=REPOSITORY, labels=("nessus-compliance",), sender="compliance-bot",
                title="Nessus scan compliance: failing scans on 2026-11-26", action="opened", issue_id=1001,
                created=None):
    created = created or datetime.now(timezone.utc)  # GitHub stamps the issue when it is opened
    return {"action": action, "repository": {"id": 42, "full_name": repository}, "sender": {"login": sender},
            "issue": {"id": issue_id, "title": title, "body": body, "labels": [{"name": n} for n in labels],
                      "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ")}}


def incident_event(title="SCANS FAILED - failed nessus scans require investigation: ALC_Prod_WDC06_private_import",
                   event_id="01DEN4HJ2RDAJ", occurred=None, service=SERVICE):
    occurred = occurred or datetime.now(timezone.utc)
    return {"event": {"id": event_id, "event_type": "incident.triggered", "resource_type": "incident",
                      "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                      "data": {"id": "Q1R2DLCB21K7NP", "type": "incident", "title": title, "status": "triggered",
                               "service": {"id": service, "summary": "Nessus scan compliance"}}}}


def github(source, event, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958", secret=GH_SECRET):
    body = json.dumps(event).encode()
    return requests.post(source.url, data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": "sha256=" + sign(body, secret)})


def pagerduty(source, event, secret=PD_SECRET):
    body = json.dumps(event).encode()
    return requests.post(source.url, data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-PagerDuty-Signature": "v1=" + sign(body, secret)})


@pytest.fixture
def source(tmp_path):
    running = Source(tmp_path / "deliveries.json").start()
    yield running
    running.stop()


def raw(source, data, pause=0.0, parts=1):
    """Send ``data`` over a plain socket in ``parts`` segments ``pause`` seconds apart; the answer's status line."""
    with socket.create_connection(("127.0.0.1", source.port), timeout=10) as sock:
        size = -(-len(data) // parts)
        for i in range(0, len(data), size):
            sock.sendall(data[i:i + size])
            time.sleep(pause)
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


def request_bytes(body, headers):
    lines = ["POST /hooks/nessus-compliance HTTP/1.1", "Host: 127.0.0.1", "Content-Length: %d" % len(body),
             "Content-Type: application/json"] + ["%s: %s" % kv for kv in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_signed_issue_puts_only_the_validated_scans_on_the_queue(source):
    answer = github(source, issue_event())
    assert answer.status_code == 202 and answer.json()["scans"] == SCANS
    (event,) = source.events
    assert event == {"nessus": {"scans": SCANS, "key": " ".join(sorted(SCANS)), "sender": "github",
                                "delivery": "42/1001", "incident": ""}}
    assert "lookup" not in json.dumps(event) and "Errno" not in json.dumps(event)  # no free text goes on


@pytest.mark.parametrize("event, reason", [
    (issue_event(repository="someone/else"), "repository"),
    (issue_event(labels=("bug",)), "not labelled nessus-compliance"),
    (issue_event(title="Please look at [ALC_Prod_WDC06_private_import]"), "title"),
    (issue_event(action="edited"), "not an opened issue"),
    (issue_event(body="any [ALC_Prod_LON02_private_import] text"), "lines"),
    (issue_event(body=ALERT_BODY.replace("[ALC_all_envs_public_import", "[{{ lookup('pipe','id') }}")), "not a scan name"),
])
def test_signed_events_that_are_not_the_alert_are_skipped_and_the_listener_goes_on(source, event, reason):
    answer = github(source, event)
    assert answer.status_code == 200 and answer.json()["accepted"] is False and reason in answer.json()["reason"]
    assert source.events == []
    assert github(source, issue_event(issue_id=2002)).status_code == 202  # still serving


def test_an_allow_list_of_senders(tmp_path):
    limited = Source(tmp_path / "d.json", github_senders=["compliance-bot"]).start()
    try:
        assert github(limited, issue_event(sender="mallory")).json()["reason"] == "sender 'mallory' is not allowed"
        assert github(limited, issue_event()).status_code == 202
    finally:
        limited.stop()


@pytest.mark.parametrize("title", [
    "SCANS FAILED - failed nessus scans require investigation",   # no ": " (it stopped ansible-rulebook for good)
    "SCANS FAILED - failed nessus scans require investigation: ",
    "Something else: ALC_Prod_WDC06_private_import",
    "SCANS FAILED - failed nessus scans require investigation: {{ lookup('pipe', 'id') }}",
])
def test_pagerduty_titles_that_are_not_the_alert_are_skipped(source, title):
    answer = pagerduty(source, incident_event(title=title, event_id="e-%d" % abs(hash(title))))
    assert answer.status_code == 200 and answer.json()["accepted"] is False
    assert pagerduty(source, incident_event(event_id="later")).status_code == 202 and len(source.events) == 1


def test_a_pagerduty_incident_goes_on_with_its_id_only_when_it_is_an_id(source):
    assert pagerduty(source, incident_event(event_id="first")).status_code == 202
    (event,) = source.events
    assert event["nessus"]["incident"] == "Q1R2DLCB21K7NP" and event["nessus"]["sender"] == "pagerduty"
    hostile = incident_event(event_id="second")
    hostile["event"]["data"]["id"] = "Q1 {{ lookup('pipe', 'id') }}"
    answer = pagerduty(source, hostile)
    assert answer.status_code == 200 and answer.json()["reason"] == "the incident has no usable id"
    assert len(source.events) == 1


def test_an_old_issue_or_a_payload_without_ids_is_skipped(source):
    old = github(source, issue_event(created=datetime.now(timezone.utc) - timedelta(days=400)))
    assert old.status_code == 200 and "the issue was opened" in old.json()["reason"]
    event = issue_event()
    del event["issue"]["id"]
    assert github(source, event).json()["reason"] == "no usable id in the signed body"
    event = issue_event()
    event["issue"]["labels"] = 5  # signed, but not GitHub's shape: skipped, never a 500
    assert github(source, event).status_code == 200
    assert source.events == []


def test_pagerduty_of_another_service_or_too_old_is_skipped(source):
    other = pagerduty(source, incident_event(service="POTHER1", event_id="a"))
    assert other.status_code == 200 and "service" in other.json()["reason"]
    stale = pagerduty(source, incident_event(occurred=datetime.now(timezone.utc) - timedelta(days=2), event_id="b"))
    assert stale.status_code == 200 and "outside the 86400 s window" in stale.json()["reason"]
    assert source.events == []


def test_a_replay_is_accepted_once_even_after_a_restart(tmp_path):
    state = tmp_path / "deliveries.json"
    first = Source(state).start()
    try:
        assert github(first, issue_event()).status_code == 202
        again = github(first, issue_event())
        assert again.status_code == 200 and "a replay" in again.json()["reason"]
        # X-GitHub-Delivery is not signed: a replay with a new one is still the same issue of the signed body
        renamed = github(first, issue_event(), delivery="0b8e6c2a-0000-11f0-8000-000000000000")
        assert renamed.status_code == 200 and "a replay" in renamed.json()["reason"]
        assert pagerduty(first, incident_event()).status_code == 202
        assert pagerduty(first, incident_event()).json()["accepted"] is False
    finally:
        first.stop()
    assert len(first.events) == 2
    restarted = Source(state).start()
    try:
        assert github(restarted, issue_event()).json()["accepted"] is False
        assert pagerduty(restarted, incident_event()).json()["accepted"] is False
        assert restarted.events == []
    finally:
        restarted.stop()


def test_a_body_in_several_segments_is_read_whole(source):
    body = json.dumps(issue_event()).encode()
    data = request_bytes(body, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "segmented",
                                "X-Hub-Signature-256": "sha256=" + sign(body, GH_SECRET)})
    assert raw(source, data, pause=0.1, parts=4) == "HTTP/1.1 202 Accepted"
    assert len(source.events) == 1


def test_thousands_of_offered_signatures_cost_nothing_and_are_refused(source, monkeypatch):
    body = json.dumps(incident_event()).encode()
    good = "v1=" + sign(body, PD_SECRET)
    calls = []
    real = signed_webhook.hmac.new
    monkeypatch.setattr(signed_webhook.hmac, "new", lambda *a, **k: calls.append(1) or real(*a, **k))
    header = ",".join(["v1=" + "0" * 64] * 100 + [good])
    answer = requests.post(source.url, data=body, headers={"X-PagerDuty-Signature": header}, timeout=10)
    assert answer.status_code == 401 and calls == []  # more than a handful offered: refused without an HMAC
    header = ",".join(["v1=" + "0" * 64] * 5000)
    answer = requests.post(source.url, data=body, headers={"X-PagerDuty-Signature": header}, timeout=10)
    assert answer.status_code == 400 and calls == []  # a header past the server's field limit never reaches us
    header = ",".join(["v1=" + "0" * 64] * 4 + [good])  # a handful, as in a rotation
    assert requests.post(source.url, data=body, headers={"X-PagerDuty-Signature": header}, timeout=10).status_code == 202
    assert len(calls) == 1  # one HMAC per secret, not per offered signature


def test_slow_clients_are_cut_off(source):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", source.port), timeout=10) as sock:
        sock.sendall(b"POST /hooks/nessus-compliance HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
        assert sock.recv(100) == b""  # closed by the source
    assert time.monotonic() - started < 5
    body = json.dumps(issue_event()).encode()
    head = request_bytes(body, {"X-Hub-Signature-256": "sha256=" + sign(body, GH_SECRET)})[:-len(body)]
    assert raw(source, head + body[:10], pause=3) == "HTTP/1.1 408 Request Timeout"  # the body never completes
    assert github(source, issue_event(issue_id=3003)).status_code == 202


@pytest.mark.parametrize("body, headers, status", [
    (b"{}", {"X-Hub-Signature-256": "sha256=\u00e9\u00e9"}, 401),
    (b"{}", {"X-PagerDuty-Signature": "v1=\u2603"}, 401),
    (b"[1, 2]", None, 400),
    (b'"text"', None, 400),
    (b"[" * 100000 + b"]" * 100000, None, 400),
    (b"\xff\xfe not utf-8", None, 400),
    (b"x" * 300000, None, 413),
])
def test_malformed_requests_get_4xx_never_500(source, body, headers, status):
    headers = headers or {"X-Hub-Signature-256": "sha256=" + sign(body, GH_SECRET)}
    encoded = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
    answer = requests.post(source.url, data=body, headers=encoded, timeout=10)
    assert answer.status_code == status
    assert github(source, issue_event(issue_id=status)).status_code == 202


def test_a_state_that_cannot_be_written_stops_it_at_start(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(RuntimeError, match="Not a directory|File exists"):
        Source(tmp_path / "file" / "deliveries.json").start()


@pytest.mark.parametrize("args, message", [
    ({"github_secrets": [""], "pagerduty_secrets": []}, "an empty github secret"),
    ({"github_secrets": [], "pagerduty_secrets": []}, "no signing secret"),
    ({"github_repository": ""}, "github_repository"),
    ({"pagerduty_service": ""}, "pagerduty_service"),
])
def test_it_refuses_to_start_without_what_makes_it_safe(tmp_path, monkeypatch, args, message):
    for name in ("EDA_GITHUB_SECRETS", "EDA_PAGERDUTY_SECRETS", "GITHUB_REPOSITORY", "EDA_GITHUB_REPOSITORY",
                 "EDA_PAGERDUTY_SERVICE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=message):
        Source(tmp_path / "d.json", **args).start()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["X-PagerDuty-Signature", "X-Hub-Signature-256", "X-Other"]),
                       st.text(max_size=300)), st.binary(max_size=300))
def test_verify_never_raises_and_never_accepts_without_the_secret(headers, body):
    assert signed_webhook.verify(headers, body, [b"pd"], [b"gh"]) is None


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=30))
def test_vetting_never_raises_but_ignored(payload):
    vetting = signed_webhook.Vetting({"github_repository": REPOSITORY, "pagerduty_service": SERVICE}, True, True)
    for check in (lambda: vetting.github({"X-GitHub-Event": "issues"}, payload if isinstance(payload, dict) else {},
                                         time.time()),
                  lambda: vetting.pagerduty(payload if isinstance(payload, dict) else {}, time.time())):
        try:
            scans = check()
        except signed_webhook.Ignored:
            continue
        assert all(signed_webhook.SCAN_NAME.match(s) for s in scans)
