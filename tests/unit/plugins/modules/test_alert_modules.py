"""github_issue and pagerduty_event through main(), against the lab's GitHub and PagerDuty stand-ins."""

from __future__ import annotations

import json
import os


from ansible_collections.conductors.nessus_compliance.plugins.modules import github_issue, pagerduty_event

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "pagerduty")


ISSUE = {"title": "Nessus scan compliance: failing scans on 2026-11-26", "body": "body", "labels": ["nessus-compliance"]}


def test_issue_created_then_commented_never_duplicated(lab_env, run_module):
    first = run_module(github_issue, ISSUE)
    assert (first["changed"], first["action"], first["issue"]["number"]) == (True, "created", 1)
    second = run_module(github_issue, dict(ISSUE, comment="again"))
    assert (second["action"], second["issue"]["number"]) == ("commented", 1)
    issues = lab_env.world.github.repositories["alchemy-conductors/team"]["issues"]
    assert len(issues) == 1 and issues[1]["_comments"][0]["body"] == "again"


def test_issue_whose_answer_was_lost_is_found_not_opened_again(lab_env, run_module):
    lab_env.admin("faults", {"system": "github", "method": "POST", "times": 1,
                             "action": {"pass_through": True, "delay_after": 3}})
    result = run_module(github_issue, dict(ISSUE, timeout=1.5))
    assert (result["action"], result["answer_lost"], result["issue"]["number"]) == ("created", True, 1)
    assert len(lab_env.world.github.repositories["alchemy-conductors/team"]["issues"]) == 1
    assert [c.split()[0] for c in lab_env.calls("github")] == ["GET", "POST", "GET"]  # looked again, no second POST


def test_issue_refused_by_a_502_is_sent_once_more_and_a_second_failure_stops(lab_env, run_module):
    lab_env.admin("faults", {"system": "github", "method": "POST", "times": 1, "action": {"status": 502}})
    result = run_module(github_issue, ISSUE)
    assert (result["action"], result["answer_lost"]) == ("created", True)
    assert [c.split()[0] for c in lab_env.calls("github")] == ["GET", "POST", "GET", "POST"]
    lab_env.admin("faults", {"system": "github", "method": "POST", "action": {"status": 502}})
    failed = run_module(github_issue, dict(ISSUE, title="another day"), fails=True)
    assert failed["error"]["status"] == 502
    assert len(lab_env.world.github.repositories["alchemy-conductors/team"]["issues"]) == 1


def test_comment_whose_answer_was_lost_is_found_not_added_again(lab_env, run_module):
    run_module(github_issue, ISSUE)
    lab_env.admin("faults", {"system": "github", "method": "POST", "times": 1,
                             "action": {"pass_through": True, "delay_after": 3}})
    result = run_module(github_issue, dict(ISSUE, comment="again", timeout=1.5))
    assert (result["action"], result["answer_lost"]) == ("commented", True)
    assert [c["body"] for c in lab_env.world.github.repositories["alchemy-conductors/team"]["issues"][1]["_comments"]] == ["again"]


def test_issue_check_mode_changes_nothing(lab_env, run_module):
    assert run_module(github_issue, ISSUE, check_mode=True)["action"] == "would_create"
    run_module(github_issue, ISSUE)
    assert run_module(github_issue, ISSUE, check_mode=True)["action"] == "would_comment"
    assert lab_env.world.github.repositories["alchemy-conductors/team"]["issues"][1]["comments"] == 0
    assert [c.split()[0] for c in lab_env.calls()] == ["GET", "GET", "POST", "GET"]


def test_issue_bad_token_and_bad_repository(lab_env, run_module, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    failed = run_module(github_issue, ISSUE, fails=True)
    assert "GitHub: token refused (Bad credentials)" in failed["msg"] and failed["error"]["status"] == 401
    monkeypatch.setenv("GITHUB_REPOSITORY", "not a repo")
    assert "repository must be OWNER/NAME" in run_module(github_issue, ISSUE, fails=True)["msg"]


def test_trigger_with_dedup_key(lab_env, run_module):
    args = {"summary": "SCANS FAILED", "source": "security-center", "dedup_key": "k-1", "custom_details": {"failing": ["a"]}}
    result = run_module(pagerduty_event, args)
    assert (result["changed"], result["sent"], result["dedup_key"], result["status"]) == (True, True, "k-1", "success")
    reference = json.load(open(os.path.join(FIXTURES, "pagerduty_enqueue_202_response.json"), encoding="utf-8"))
    assert set(reference) <= set(result) | {"status", "message", "dedup_key"}
    assert lab_env.world.pagerduty.events[0]["custom_details"] == {"failing": ["a"]}


def test_trigger_without_dedup_key_is_not_retried(lab_env, run_module):
    lab_env.admin("faults", {"system": "pagerduty", "times": 1, "action": {"status": 503}})
    failed = run_module(pagerduty_event, {"summary": "x", "source": "y"}, fails=True)
    assert failed["error"]["status"] == 503
    assert [e["status"] for e in lab_env.requests("pagerduty")] == [503]


def test_bad_routing_key_is_a_clear_400(lab_env, run_module, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY", "0" * 32)
    failed = run_module(pagerduty_event, {"summary": "x", "source": "y", "dedup_key": "k"}, fails=True)
    assert "Event object is invalid" in failed["msg"] and "Invalid routing key" in failed["msg"]
    assert [e["status"] for e in lab_env.requests("pagerduty")] == [400]  # a 400 is never retried


def test_resolve_only_if_open(lab_env, run_module):
    nothing = run_module(pagerduty_event, {"event_action": "resolve", "dedup_key": "k-2", "only_if_open": True})
    assert (nothing["changed"], nothing["sent"], nothing["open_incidents"]) == (False, False, [])
    run_module(pagerduty_event, {"summary": "x", "source": "y", "dedup_key": "k-2"})
    resolved = run_module(pagerduty_event, {"event_action": "resolve", "dedup_key": "k-2", "only_if_open": True})
    assert resolved["sent"] is True and resolved["open_incidents"][0]["status"] == "triggered"
    assert lab_env.world.pagerduty.incidents[-1]["status"] == "resolved"


def test_only_if_open_needs_an_api_token(lab_env, run_module, monkeypatch):
    monkeypatch.delenv("PAGERDUTY_API_TOKEN")
    failed = run_module(pagerduty_event, {"event_action": "resolve", "dedup_key": "k", "only_if_open": True}, fails=True)
    assert "api_token" in failed["msg"]
    assert lab_env.calls() == []


def test_pagerduty_check_mode_sends_nothing(lab_env, run_module):
    result = run_module(pagerduty_event, {"summary": "x", "source": "y", "dedup_key": "k"}, check_mode=True)
    assert (result["changed"], result["sent"]) == (True, False)
    assert lab_env.calls() == []
