"""The EDA event source's signature check: PagerDuty v3 (several signatures during rotation) and GitHub."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location(
    "signed_webhook", os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "signed_webhook.py"))
signed_webhook = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(signed_webhook)
BODY = b'{"action": "opened", "issue": {"title": "Nessus scan compliance: failing scans on 2026-11-26"}}'


def digest(secret, body=BODY):
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_github_signature():
    assert signed_webhook.verify({"X-Hub-Signature-256": "sha256=" + digest(b"gh")}, BODY, [], [b"gh"]) == "github"
    assert signed_webhook.verify({"X-Hub-Signature-256": "sha256=" + digest(b"other")}, BODY, [], [b"gh"]) is None
    assert signed_webhook.verify({"X-Hub-Signature-256": digest(b"gh")}, BODY, [], [b"gh"]) is None  # no sha256= prefix
    assert signed_webhook.verify({"X-Hub-Signature-256": "sha256=" + digest(b"gh")}, BODY + b" ", [], [b"gh"]) is None


def test_pagerduty_signatures_during_a_secret_rotation():
    header = "v1=%s, v1=%s" % (digest(b"old"), digest(b"new"))
    assert signed_webhook.verify({"X-PagerDuty-Signature": header}, BODY, [b"new"], []) == "pagerduty"
    assert signed_webhook.verify({"X-PagerDuty-Signature": header}, BODY, [b"old", b"newer"], []) == "pagerduty"
    assert signed_webhook.verify({"X-PagerDuty-Signature": header}, BODY, [b"unrelated"], []) is None
    assert signed_webhook.verify({"X-PagerDuty-Signature": "v0=" + digest(b"new")}, BODY, [b"new"], []) is None


def test_a_sender_is_only_trusted_with_its_own_secrets():
    # a GitHub signature made with the PagerDuty secret is not accepted, and no header at all is refused
    assert signed_webhook.verify({"X-Hub-Signature-256": "sha256=" + digest(b"pd")}, BODY, [b"pd"], [b"gh"]) is None
    assert signed_webhook.verify({}, BODY, [b"pd"], [b"gh"]) is None
