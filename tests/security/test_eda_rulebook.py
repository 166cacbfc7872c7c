"""The alert starts the remediation: ansible-rulebook with the signed webhook source, against the lab."""

from __future__ import annotations

import glob
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import requests
import yaml

from conftest import REPO_ROOT  # pylint: disable=import-error
from private_branch import FAST, power  # pylint: disable=import-error

RULEBOOK = os.path.join(REPO_ROOT, "extensions", "eda", "rulebooks", "remediate_from_alert.yml")
SOURCES = os.path.join(REPO_ROOT, "extensions", "eda", "plugins", "event_source")
BIN = os.path.dirname(sys.executable)
needs_rulebook = pytest.mark.skipif(not os.path.exists(os.path.join(BIN, "ansible-rulebook")) or not shutil.which("java"),
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
    # the rulebook's variables, as a site gives them: the record directory and the waits (the lab's short ones), in
    # --vars; one of them from the environment with -E (a string there: it reaches the playbook as a number)
    timings = dict(FAST, remediate_public_scan_poll_interval=0.5, remediate_public_scan_poll_max_interval=1)
    from_env = {"remediate_private_scan_poll_interval": str(timings.pop("remediate_private_scan_poll_interval"))}
    variables = tmp_path / "vars.yml"
    variables.write_text(json.dumps(dict(timings, webhook_port=port, remediation_record_dir=str(tmp_path / "records"))))
    env = lab.env(EDA_PAGERDUTY_SECRETS="rotated-old-secret," + SECRET, EDA_PAGERDUTY_SERVICE="PF9KMXH",
                  EDA_GITHUB_SECRETS=GITHUB_SECRET, EDA_WEBHOOK_STATE=str(tmp_path / "deliveries.json"), ANSIBLE_NOCOLOR="1",
                  ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                  ANSIBLE_VERBOSITY="3", PATH=BIN + os.pathsep + os.environ.get("PATH", ""), **from_env)
    log = open(tmp_path / "rulebook.log", "w", encoding="utf-8")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [os.path.join(BIN, "ansible-rulebook"), "-r", RULEBOOK, "-i", str(inventory), "-S", SOURCES,
         "--vars", str(variables), "-E", ",".join(["EDA_PAGERDUTY_SECRETS", "EDA_GITHUB_SECRETS"] + list(from_env))],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


@needs_rulebook
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
    # the rulebook's variables reached the playbook: the records are in the directory --vars gives (not in the
    # rulebook's working directory), and the resubmission followed the scan with the waits --vars and -E give
    # (the roles' defaults: 3600 s and 5 s)
    run_ids = {r["run_id"] for r in records(tmp_path)}
    # the run notes its steps on the incident that started it
    assert {r.get("incident") for r in records(tmp_path)} == {"Q1R2DLCB21K7NP"}
    elsewhere = os.path.join(REPO_ROOT, "reports")
    assert not [n for n in (os.listdir(elsewhere) if os.path.isdir(elsewhere) else []) if any(i in n for i in run_ids)]
    output = (tmp_path / "rulebook.log").read_text()
    launches = re.findall(r"^ +module_args:\n((?: {12}.*\n)+)", output, re.M)
    launches = [args for args in launches if re.search(r"^ +wait: scanning$", args, re.M)]
    assert launches and all(re.search(r"^ +wait_timeout: 6\.0$", args, re.M)
                            and re.search(r"^ +poll_interval: 0\.5$", args, re.M) for args in launches), launches


@needs_rulebook
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


@needs_rulebook
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


def test_the_playbook_gets_the_validated_scans_and_the_vetted_variables_with_the_roles_defaults():
    """Of the event only `scans` and the incident id; of the rulebook's variables (which hold the webhook secrets -E passes) only the
    documented ones, each defaulting to its role's default - or, for the record directory, to a place that outlives
    the run (the playbook runs in ansible-runner's private data directory, which is deleted after it)."""
    with open(RULEBOOK, encoding="utf-8") as handle:
        text = handle.read()
    ((rule,),) = [ruleset["rules"] for ruleset in yaml.safe_load(text)]
    extra_vars = dict(rule["action"]["run_playbook"]["extra_vars"])
    assert extra_vars.pop("scans") == "{{ event.nessus.scans }}"
    assert extra_vars.pop("pagerduty_incident") == "{{ event.nessus.incident }}"  # validated by the source
    record_dir = extra_vars.pop("remediation_record_dir")
    assert re.fullmatch(r"\{\{ remediation_record_dir \| default\('~/[^']+'\) \}\}", record_dir), record_dir
    defaults = {}
    for path in glob.glob(os.path.join(REPO_ROOT, "roles", "*", "defaults", "main.yml")):
        with open(path, encoding="utf-8") as handle:
            defaults.update(yaml.safe_load(handle) or {})
    for name, value in extra_vars.items():
        match = re.fullmatch(r"\{\{ (\w+) \| default\(([^()]+)\) \}\}", value)
        assert match and match.group(1) == name, value
        assert yaml.safe_load(match.group(2)) == defaults[name], (name, match.group(2), defaults.get(name))
    # the header names each: prefix_{a,b,c}
    header = text.split("\n- name:")[0]
    documented = {"%s_%s" % (prefix, suffix) for prefix, suffixes in re.findall(r"(\w+)_\{([\w,]+)\}", header)
                  for suffix in suffixes.split(",")}
    assert documented == set(extra_vars) and "remediation_record_dir" in header
