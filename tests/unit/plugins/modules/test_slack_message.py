"""slack_message against the lab's Slack: one POST per call through the webhook or chat.postMessage, each of Slack's
refusals named with its code, a 429 with Retry-After waited out, nothing sent twice blind, and no secret (the bot
token, the webhook URL or its secret) in any result or failure."""

from __future__ import annotations

import json
import time

import pytest
import requests
import yaml

from ansible_collections.conductors.nessus_compliance.plugins.modules import slack_message

TITLE = "Nessus remediation: 1 scan resubmitted, 1 escalated"
LINES = ["ALC_Prod_WDC06_private_import: resubmitted after a soft reboot", "<!channel> ALC_<@U123>_import & <https://x|y>"]
RECORD = "https://ghe.example.com/conductors/records/blob/main/2026-11-26.md"
ARGS = {"title": TITLE, "lines": LINES, "link": RECORD, "outcome": "escalated"}
WEBHOOK = "POST /services/T0LAB0001/B0LAB0001/[secret]"
API = "POST /api/chat.postMessage"


def no_secret(lab, result, *more):
    """Nothing the lab handed out (nor ``more``) in ``result``."""
    text = json.dumps(result)
    for secret in lab.secrets() + [lab.settings["SLACK_WEBHOOK_URL"], lab.settings["SLACK_BOT_TOKEN"]] + list(more):
        assert secret not in text
    return result


def calls(lab):
    return ["%s %s %s" % (e["method"], e["path"], e["status"]) for e in lab.requests("slack")]


def fault(lab, path, action, times=1):
    lab.admin("faults", {"system": "slack", "method": "POST", "path": path, "times": times, "action": action})


def test_the_webhook_posts_one_inert_message(lab_env, run_module):
    result = no_secret(lab_env, run_module(slack_message, dict(ARGS, via="webhook")))
    assert (result["changed"], result["sent"], result["via"]) == (True, True, "webhook")
    assert calls(lab_env) == [WEBHOOK + " 200"]
    (posted,) = lab_env.world.slack.messages
    assert (posted["via"], posted["channel"], posted["text"], posted["blocks"]) == (
        "webhook", "C0LAB00001", result["message"]["text"], result["message"]["blocks"])
    assert posted["mentions"] == [] and posted["links"] == [RECORD, RECORD]
    assert LINES[1] in posted["rendered"]  # shown as typed, mentioning and linking nothing
    assert "ts" not in result and "channel" not in result["message"]


def test_the_web_api_posts_to_the_channel_and_returns_its_ts(lab_env, run_module):
    result = no_secret(lab_env, run_module(slack_message, ARGS))  # bot token set: the Web API
    assert calls(lab_env) == [API + " 200"]
    (posted,) = lab_env.world.slack.messages
    assert (result["via"], result["channel"], result["ts"]) == ("api", "C0LAB00001", posted["ts"])
    assert result["message"]["channel"] == "C0LAB00001" and "warning" not in result  # JSON sent with its charset
    assert posted["mentions"] == [] and posted["links"] == [RECORD, RECORD]


def test_a_channel_by_name_is_answered_with_its_id(lab_env, run_module):
    result = run_module(slack_message, dict(ARGS, channel="#nessus-compliance"))
    assert (result["channel"], result["message"]["channel"]) == ("C0LAB00001", "#nessus-compliance")


@pytest.mark.parametrize("via", ["webhook", "api"])
def test_check_mode_sends_nothing_and_returns_the_message(lab_env, run_module, via):
    result = no_secret(lab_env, run_module(slack_message, dict(ARGS, via=via), check_mode=True))
    assert (result["changed"], result["sent"], result["via"]) == (True, False, via)
    assert result["message"]["blocks"][0]["text"]["text"] == ":rotating_light: *%s*" % TITLE
    assert calls(lab_env) == [] and lab_env.world.slack.messages == []


@pytest.fixture
def slack_env(lab_factory, tmp_path, monkeypatch):
    """A lab of the default scenario with ``slack`` settings of its own, its settings in the environment."""
    def start(slack):
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump({"extends": "default", "slack": slack}), encoding="utf-8")
        run = lab_factory(str(path))
        for key, value in run.settings.items():
            monkeypatch.setenv(key, value)
        return run
    return start


@pytest.mark.parametrize("slack, status, code", [
    (None, 400, "invalid_payload"),  # the client sends none: a fault stands for it
    ({"webhook": {"prohibited": True}}, 403, "action_prohibited"),
    ({"webhook": {"channel": "old-nessus-alerts"}}, 410, "channel_is_archived"),
    ({"webhook": {"channel": "deleted-channel"}}, 404, "channel_not_found"),
])
def test_a_webhook_refusal_names_slack_and_its_code(slack_env, run_module, slack, status, code):
    lab = slack_env(slack or {})
    if slack is None:
        fault(lab, "^/services/", {"status": status, "body": "text", "text": code})
    failed = no_secret(lab, run_module(slack_message, dict(ARGS, via="webhook"), fails=True))
    assert failed["msg"].startswith("Slack: message not posted (POST /services/T0LAB0001/B0LAB0001/***, HTTP %d) "
                                    "error_code=%s" % (status, code))
    kind = "NotFoundError" if code == "channel_not_found" else "ApiError"
    assert (failed["error"]["code"], failed["error"]["kind"], failed["error"]["status"]) == (code, kind, status)
    assert calls(lab) == ["%s %d" % (WEBHOOK, status)]  # once, never again
    assert lab.world.slack.messages == []


def test_a_revoked_webhook_is_no_service_and_its_secret_is_not_repeated(lab_env, run_module):
    url = lab_env.settings["SLACK_WEBHOOK_URL"].rsplit("/", 1)[0] + "/0123456789abcdef01234567"
    failed = no_secret(lab_env, run_module(slack_message, dict(ARGS, webhook_url=url, via="webhook"), fails=True),
                       url, "0123456789abcdef01234567")
    assert "error_code=no_service" in failed["msg"] and "check webhook_url (SLACK_WEBHOOK_URL)" in failed["msg"]
    assert (failed["error"]["kind"], failed["error"]["path"]) == ("AuthError", "/services/T0LAB0001/B0LAB0001/***")
    assert calls(lab_env) == [WEBHOOK + " 404"]


@pytest.mark.parametrize("args, code, kind, hint", [
    ({"channel": "C0NOSUCH1"}, "channel_not_found", "NotFoundError", "check channel (SLACK_CHANNEL)"),
    ({"channel": "sre-general"}, "not_in_channel", "ApiError", "invite the app to the channel"),
    ({"channel": "old-nessus-alerts"}, "is_archived", "ApiError", None),
    ({"bot_token": "xoxb-1000000001-2000000002-notthetoken"}, "invalid_auth", "AuthError", "check bot_token (SLACK_BOT_TOKEN)"),
])
def test_a_web_api_refusal_names_slack_and_its_code(lab_env, run_module, args, code, kind, hint):
    failed = no_secret(lab_env, run_module(slack_message, dict(ARGS, **args), fails=True), "notthetoken")
    assert failed["msg"].startswith("Slack: message not posted (POST /api/chat.postMessage, HTTP 200) error_code=%s"
                                    % code)
    assert (failed["error"]["code"], failed["error"]["kind"]) == (code, kind)
    assert hint is None or hint in failed["msg"]
    assert calls(lab_env) == [API + " 200"]
    assert lab_env.world.slack.messages == []


@pytest.mark.parametrize("via, path, action, route", [
    ("api", "^/api/", {"status": 429, "json": {"ok": False, "error": "ratelimited"}, "headers": {"Retry-After": "1"}}, API),
    ("webhook", "^/services/", {"status": 429, "body": "text", "text": "rate_limited", "headers": {"Retry-After": "1"}},
     WEBHOOK),
])
def test_a_429_with_retry_after_is_waited_out_and_the_message_posted_once(lab_env, run_module, via, path, action, route):
    fault(lab_env, path, action)
    started = time.monotonic()
    result = no_secret(lab_env, run_module(slack_message, dict(ARGS, via=via)))
    assert time.monotonic() - started >= 1
    assert result["sent"] and [w["seconds"] for w in result["rate_limit_waits"]] == [1.0]
    assert calls(lab_env) == [route + " 429", route + " 200"]
    assert len(lab_env.world.slack.messages) == 1


def test_a_429_longer_than_the_timeout_fails_without_sending_again(lab_env, run_module):
    fault(lab_env, "^/api/", {"status": 429, "json": {"ok": False, "error": "ratelimited"}, "headers": {"Retry-After": "120"}})
    failed = no_secret(lab_env, run_module(slack_message, ARGS, fails=True))
    assert failed["msg"].startswith("Slack: rate limited: message not posted (POST /api/chat.postMessage, HTTP 429) "
                                    "error_code=ratelimited")
    assert "asks to wait 120.0s" in failed["msg"] and calls(lab_env) == [API + " 429"]


def test_a_429_without_retry_after_is_not_sent_again(lab_env, run_module):
    fault(lab_env, "^/services/", {"status": 429, "body": "text", "text": "rate_limited"})
    failed = run_module(slack_message, dict(ARGS, via="webhook"), fails=True)
    assert "error_code=rate_limited" in failed["msg"] and "no Retry-After given" in failed["msg"]
    assert calls(lab_env) == [WEBHOOK + " 429"]


@pytest.mark.parametrize("via, path, action, route", [
    ("webhook", "^/services/", {"status": 500, "body": "text", "text": "rollup_error"}, WEBHOOK),
    ("api", "^/api/", {"status": 503, "body": "html"}, API),
])
def test_a_server_error_is_not_retried_as_the_message_may_be_posted(lab_env, run_module, via, path, action, route):
    fault(lab_env, path, action, times=None)
    failed = no_secret(lab_env, run_module(slack_message, dict(ARGS, via=via), fails=True))
    assert failed["msg"].startswith("Slack: ") and "look in the channel before sending it again" in failed["msg"]
    assert calls(lab_env) == [route + " %d" % action["status"]]


@pytest.mark.parametrize("via, path, route", [("webhook", "^/services/", WEBHOOK), ("api", "^/api/", API)])
def test_a_lost_answer_is_not_sent_again(lab_env, run_module, via, path, route):
    fault(lab_env, path, {"pass_through": True, "delay_after": 2.5})
    failed = no_secret(lab_env, run_module(slack_message, dict(ARGS, via=via, timeout=1), fails=True))
    assert failed["msg"].startswith("Slack: no answer within 1.0s") and failed["error"]["kind"] == "TransportError"
    assert "look in the channel before sending it again" in failed["msg"]
    assert calls(lab_env) == [route + " 200"] and len(lab_env.world.slack.messages) == 1  # posted once, not twice


@pytest.mark.parametrize("args, message", [
    ({"via": "api", "bot_token": ""}, "Slack: chat.postMessage needs bot_token (SLACK_BOT_TOKEN)"),
    ({"channel": ""}, "Slack: chat.postMessage needs channel (SLACK_CHANNEL)"),
    ({"via": "webhook", "webhook_url": "https://hooks.example.com/hooks/s3cr3tvalue"},
     "Slack: webhook_url (SLACK_WEBHOOK_URL) is not an incoming webhook URL"),
    ({"title": "  "}, "Slack: the message needs a title"),
])
def test_bad_settings_fail_before_any_request(lab_env, run_module, args, message):
    failed = no_secret(lab_env, run_module(slack_message, dict(ARGS, **args), fails=True), "s3cr3tvalue")
    assert failed["msg"].startswith(message) and calls(lab_env) == []


# --- the stand-in itself: what it refuses, as Slack does ---------------------------------------------------------------

def post(lab, route, body, content_type="application/json; charset=utf-8", token=True):
    url = lab.settings["SLACK_WEBHOOK_URL"] if route == "webhook" else lab.settings["SLACK_API_URL"] + "/chat.postMessage"
    headers = {"Content-Type": content_type}
    if token and route == "api":
        headers["Authorization"] = "Bearer " + lab.settings["SLACK_BOT_TOKEN"]
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(url, data=data, headers=headers, verify=lab.settings["SLACK_CA_PATH"], timeout=10)


@pytest.mark.parametrize("body, content_type, code, status", [
    ("{not json", "application/json", "invalid_payload", 400),
    ({"text": "x"}, "text/plain", "invalid_payload", 400),
    ({"blocks": []}, "application/json", "no_text", 400),
    ({"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]}, "application/json",
     "invalid_blocks", 400),
    ({"text": "x", "blocks": [{"type": "divider"}] * 51}, "application/json", "invalid_blocks", 400),
])
def test_the_webhook_refuses_what_slack_refuses(lab, body, content_type, code, status):
    answer = post(lab, "webhook", body, content_type)
    assert (answer.status_code, answer.text, answer.headers["Content-Type"].split(";")[0]) == (status, code, "text/plain")
    assert len(lab.take_violations()) == 1 and lab.world.slack.messages == []


@pytest.mark.parametrize("body, content_type, token, error, violations", [
    ({"channel": "C0LAB00001", "text": "x"}, "application/json; charset=utf-8", False, "not_authed", 0),
    ("[1]", "application/json; charset=utf-8", True, "json_not_object", 1),
    ({"channel": "C0LAB00001", "text": "x"}, "text/plain", True, "invalid_post_type", 1),
    ({"channel": "C0LAB00001"}, "application/json; charset=utf-8", True, "no_text", 1),
    ({"channel": "C0LAB00001", "text": "x", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]},
     "application/json; charset=utf-8", True, "invalid_blocks", 1),
])
def test_chat_post_message_refuses_what_slack_refuses(lab, body, content_type, token, error, violations):
    answer = post(lab, "api", body, content_type, token)
    assert answer.status_code == 200 and answer.json()["ok"] is False and answer.json()["error"] == error
    if error == "invalid_blocks":
        assert answer.json()["response_metadata"]["messages"] == [
            "[ERROR] must be one of plain_text [json-pointer:/blocks/0/text/type]"]
    assert lab.world.slack.messages == [] and len(lab.take_violations()) == violations


def test_chat_post_message_warns_of_a_missing_charset_and_reads_a_form_post(lab):
    answer = post(lab, "api", {"channel": "C0LAB00001", "text": "x"}, "application/json").json()
    assert (answer["ok"], answer["warning"], answer["message"]["text"]) == (True, "missing_charset", "x")
    form = "token=%s&channel=nessus-compliance&text=%s" % (lab.settings["SLACK_BOT_TOKEN"], "y")
    answer = post(lab, "api", form, "application/x-www-form-urlencoded", token=False).json()
    assert (answer["ok"], answer["channel"]) == (True, "C0LAB00001") and "warning" not in answer
    assert [m["text"] for m in lab.world.slack.messages] == ["x", "y"] and lab.violations() == []


def test_the_request_log_never_holds_the_webhook_secret(lab):
    assert post(lab, "webhook", {"text": "hello"}).text == "ok"
    assert lab.calls("slack") == [WEBHOOK] and lab.leaked() == []
