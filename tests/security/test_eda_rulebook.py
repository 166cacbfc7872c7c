"""The alert starts the remediation: ansible-rulebook with the signed webhook source, against the lab."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import requests

from conftest import REPO_ROOT  # pylint: disable=import-error
from private_branch import FAST, power  # pylint: disable=import-error

RULEBOOK = os.path.join(REPO_ROOT, "extensions", "eda", "rulebooks", "remediate_from_alert.yml")
SOURCES = os.path.join(REPO_ROOT, "extensions", "eda", "plugins", "event_source")
BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(BIN, "ansible-rulebook")) or not shutil.which("java"),
                                reason="ansible-rulebook and Java 17 are needed")
SECRET = "pd-webhook-secret"
GITHUB_SECRET = "gh-webhook-secret"
TITLE = "SCANS FAILED - failed nessus scans require investigation: ALC_Prod_WDC06_private_import"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pagerduty_event(title=TITLE, event_id="01DEN4HJ2RDAJ"):
    # PagerDuty stamps the event when it happens: now, on the listener's clock
    occurred = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"event": {"id": event_id, "event_type": "incident.triggered", "resource_type": "incident",
                      "occurred_at": occurred,
                      "data": {"id": "Q1R2DLCB21K7NP", "type": "incident", "title": title, "status": "triggered",
                               "service": {"id": "PF9KMXH", "summary": "Nessus scan compliance"}}}}


def post(port, body, signature):
    headers = {"Content-Type": "application/json", "X-Webhook-Id": "whk-1"}
    if signature:
        headers["X-PagerDuty-Signature"] = signature
    return requests.post("http://127.0.0.1:%d/hooks/nessus-compliance" % port, data=body, headers=headers, timeout=10)


def sign(body, secret=SECRET):
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def rulebook(lab_factory, tmp_path):
    lab = lab_factory("default", speed=300)
    port = free_port()
    inventory = tmp_path / "inventory"  # as documented: the site's scan-zone table and the named localhost
    inventory.mkdir()
    shutil.copy(lab.settings["LAB_INVENTORY"], inventory / "lab.scan_zones.yml")
    shutil.copy(os.path.join(REPO_ROOT, "inventory", "localhost.yml"), inventory / "localhost.yml")
    # the lab's short timeouts for the remediation the rule starts (a job template's extra variables, in AWX)
    wrapper = tmp_path / "remediate_fast.yml"
    wrapper.write_text(json.dumps([{"import_playbook": os.path.join(REPO_ROOT, "playbooks", "remediate.yml"),
                                    "vars": dict(FAST, remediation_record_dir=str(tmp_path / "records"))}]))
    variables = tmp_path / "vars.yml"
    variables.write_text(json.dumps({"webhook_port": port, "remediate_playbook": str(wrapper)}))
    env = lab.env(EDA_PAGERDUTY_SECRETS="rotated-old-secret," + SECRET, EDA_PAGERDUTY_SERVICE="PF9KMXH",
                  EDA_GITHUB_SECRETS=GITHUB_SECRET, EDA_WEBHOOK_STATE=str(tmp_path / "deliveries.json"), ANSIBLE_NOCOLOR="1",
                  ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                  PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    log = open(tmp_path / "rulebook.log", "w", encoding="utf-8")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [os.path.join(BIN, "ansible-rulebook"), "-r", RULEBOOK, "-i", str(inventory), "-S", SOURCES,
         "--vars", str(variables), "-E", "EDA_PAGERDUTY_SECRETS,EDA_GITHUB_SECRETS"], cwd=REPO_ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.3)
    yield lab, port, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def records(tmp_path):
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "records").glob("remediation-*.json"))] \
        if (tmp_path / "records").is_dir() else []


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_signed_pagerduty_webhook_starts_the_remediation(rulebook):
    lab, port, tmp_path = rulebook
    body = json.dumps(pagerduty_event()).encode()
    # signed with the new secret while the old one is still accepted (rotation): both signatures are sent
    answer = post(port, body, "v1=%s,%s" % ("0" * 64, sign(body)))
    assert answer.status_code == 202
    assert wait_for(lambda: power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
                    and any(r["outcome"] for r in records(tmp_path) if r["subject"] == "ALC_Prod_WDC06_SZ"), 150), \
        (tmp_path / "rulebook.log").read_text()[-3000:]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]


def test_forged_unsigned_and_oversized_webhooks_start_nothing(rulebook):
    lab, port, tmp_path = rulebook
    body = json.dumps(pagerduty_event()).encode()
    assert post(port, body, None).status_code == 401
    assert post(port, body, sign(body, "not-the-secret")).status_code == 401
    assert post(port, body + b" ", sign(body)).status_code == 401  # the body was changed after signing
    big = json.dumps(pagerduty_event("x" * 300000)).encode()
    assert post(port, big, sign(big)).status_code == 413
    time.sleep(5)
    assert lab.calls() == [] and records(tmp_path) == []


def issue_event(lab, body):
    return {"action": "opened", "repository": {"id": 42, "full_name": lab.settings["GITHUB_REPOSITORY"]},
            "sender": {"login": "compliance-bot"},
            "issue": {"id": 1001, "title": "Nessus scan compliance: failing scans on 2026-11-26", "body": body,
                      "labels": [{"name": "nessus-compliance"}],
                      "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def post_issue(port, event, delivery):
    body = json.dumps(event).encode()
    return requests.post("http://127.0.0.1:%d/hooks/nessus-compliance" % port, data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": "sha256=" + hmac.new(GITHUB_SECRET.encode(), body, hashlib.sha256).hexdigest()})


def test_an_issue_body_is_never_templated_and_a_replay_or_a_burst_starts_one_run(rulebook):
    """The issue's text carries Jinja beside the list: only the validated names reach the playbook, nothing runs;
    the same delivery again, and the page of the same alert, start no second run."""
    lab, port, tmp_path = rulebook
    marker = tmp_path / "pwned"
    body = ("The following scans are identified as failing and need investigation:\n\n"
            "[ALC_Prod_WDC06_private_import]\n\nerror_details: {{ lookup('ansible.builtin.pipe', 'touch %s') }} "
            "{%% set _ = lookup('ansible.builtin.pipe', 'touch %s') %%} [ALC_Prod_LON02_private_import]"
            % (marker, marker))
    assert post_issue(port, issue_event(lab, body), "delivery-1").status_code == 202
    replay = post_issue(port, issue_event(lab, body), "delivery-1")
    assert replay.status_code == 200 and "a replay" in replay.json()["reason"]
    page = json.dumps(pagerduty_event(event_id="01BURST")).encode()
    assert post(port, page, sign(page)).status_code == 202  # the same alert's page: throttled by the rule
    assert wait_for(lambda: any(r["outcome"] for r in records(tmp_path) if r["subject"] == "ALC_Prod_WDC06_SZ"), 150), \
        (tmp_path / "rulebook.log").read_text()[-3000:]
    time.sleep(5)
    assert not marker.exists()
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]  # one run: one ladder
    assert sorted(r["subject"] for r in records(tmp_path)) == ["ALC_Prod_WDC06_SZ", "ALC_Prod_WDC06_private_import"]
