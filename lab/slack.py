"""Slack stand-in: an incoming webhook (``POST /services/T.../B.../<secret>``) and the Web API's ``chat.postMessage``.

Answers as Slack does:

- the webhook: ``200 ok`` as text/plain; a refusal is text too, with its HTTP status - ``400 invalid_payload`` (a body
  that is no JSON object, or a content type Slack does not read), ``400 no_text`` (neither ``text`` nor ``blocks``),
  ``400 invalid_blocks``, ``403 action_prohibited`` (``slack.webhook.prohibited``), ``404 no_service`` (no webhook at
  that URL: a wrong or revoked secret), ``404 channel_not_found``, ``410 channel_is_archived`` (the webhook's channel);
- ``POST /api/chat.postMessage``: always HTTP 200 with ``{"ok": true, "channel", "ts", "message"}`` or ``{"ok": false,
  "error": ...}`` - ``not_authed`` (no ``Authorization: Bearer``), ``invalid_auth``, ``channel_not_found``,
  ``not_in_channel`` (the app was not invited), ``is_archived``, ``no_text``, ``invalid_blocks`` (with Slack's
  ``response_metadata.messages``), ``invalid_json``, ``json_not_object``, ``invalid_post_type``; a JSON body without
  ``charset=utf-8`` is served with the ``missing_charset`` warning. Rate limits (429 with ``Retry-After``) come from
  the lab's fault rules.

Block Kit is held to its documented limits for the blocks the collection sends - ``section`` (text 1-3000 characters,
at most 10 fields of 2000), ``header`` (plain text, 150), ``context`` (1-10 elements), ``divider`` - and at most 50
blocks; a message text over 40,000 characters is truncated, as Slack does. A refused payload is a contract violation.

Each message posted is kept in ``messages``, with what Slack would make of its text: ``mentions`` (``<!channel>``,
``<!here>``, ``<@U...>``, ``<#C...>``, ``<!subteam^...>``), ``links`` (``<url|label>``, and bare URLs in mrkdwn that
is not ``verbatim`` or in a text without blocks) and ``rendered`` (the text as a person reads it, entities decoded), so that a test sees whether
outside text stayed inert.

The webhook's URL holds its secret: :class:`SlackApp` takes it out of the path before the request is logged or
matched against fault rules (they see ``/services/T.../B.../[secret]``).
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
from urllib.parse import parse_qs

from werkzeug.wrappers import Response

from .core import ContractViolation, LabApp, json_response

TEAM_ID = "T0LAB0001"
WEBHOOK_BOT_ID = "B0LAB0001"
APP_ID = "A0LAB0001"
BOT_ID = "B0LAB0002"
BOT_USER = "U0LAB0BOT"
MASK = "[secret]"
SECRET_KEY = "lab.slack.webhook_secret"
WEBHOOK_PATH = re.compile(r"^/services/(?P<team>[^/]+)/(?P<bot>[^/]+)/(?P<secret>[^/]+)/?$")
DEFAULT_CHANNELS = (
    {"id": "C0LAB00001", "name": "nessus-compliance", "member": True},
    {"id": "C0LAB00002", "name": "sre-general", "member": False},
    {"id": "C0LAB00003", "name": "old-nessus-alerts", "member": True, "archived": True},
)
MAX_TEXT = 40000
MAX_BLOCKS = 50
WEBHOOK_STATUS = {"invalid_payload": 400, "no_text": 400, "invalid_blocks": 400, "action_prohibited": 403,
                  "no_service": 404, "channel_not_found": 404, "channel_is_archived": 410}
TOKEN = re.compile(r"<([^<>\n]*)>")
BARE_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>|]+|\bmailto:[^\s<>|]+")


class SlackApp(LabApp):
    """``LabApp`` for Slack: the webhook's secret path segment never reaches the request log or the fault rules."""

    def __call__(self, environ, start_response):
        match = WEBHOOK_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            shown = "/services/%s/%s/%s" % (match.group("team"), match.group("bot"), MASK)
            environ = dict(environ, PATH_INFO=shown, REQUEST_URI=shown, RAW_URI=shown)
            environ[SECRET_KEY] = match.group("secret")
        return super().__call__(environ, start_response)


def text_answer(code, status):
    return Response(code, status=status, content_type="text/plain; charset=utf-8")


def render(text, parse_bare_urls):
    """(mentions, links, rendered) of a mrkdwn text as Slack reads it."""
    mentions, links = [], []

    def shown(match):
        inner = match.group(1)
        target, _bar, label = inner.partition("|")
        if target.startswith("!date^"):
            return html.unescape(label)
        if target.startswith(("!", "@", "#")):
            mentions.append("<%s>" % inner)
            return html.unescape(label) or target.replace("!", "@", 1)
        if "://" in target or target.startswith("mailto:"):
            links.append(html.unescape(target))
            return html.unescape(label or target)
        return match.group(0)  # not a token Slack knows: shown as typed

    rest = TOKEN.sub(shown, text)
    if parse_bare_urls:
        links += [html.unescape(u) for u in BARE_URL.findall(TOKEN.sub(" ", text))]
    return mentions, links, html.unescape(rest)


def read_message(payload):
    """(mentions, links, rendered) of a message as Slack reads it: the top-level ``text`` (with blocks, only the
    notification's fallback: its bare URLs are not linked), then each mrkdwn text object of the blocks (bare URLs
    linked unless ``verbatim``); plain_text objects are shown as typed."""
    blocks = payload.get("blocks") or []
    mentions, links, rendered = render(payload.get("text") or "", parse_bare_urls=not blocks)
    shown = [rendered]
    for block in blocks:
        for obj in [block.get("text")] + list(block.get("fields") or []) + list(block.get("elements") or []):
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                more = render(obj["text"], parse_bare_urls=not obj.get("verbatim", False))
                mentions += more[0]
                links += more[1]
                shown.append(more[2])
            elif isinstance(obj, dict) and obj.get("type") == "plain_text":
                shown.append(obj["text"])
    return mentions, links, "\n".join(shown)


class BlockChecker:
    """Block Kit's limits for the blocks the lab models; each problem as Slack words it, with its JSON pointer."""

    def __init__(self):
        self.problems = []

    def problem(self, message, pointer):
        self.problems.append("%s [json-pointer:%s]" % (message, pointer))

    def text_object(self, obj, pointer, limit, types=("plain_text", "mrkdwn")):
        if not isinstance(obj, dict):
            return self.problem("expected object", pointer)
        if obj.get("type") not in types:
            return self.problem("must be one of %s" % ", ".join(types), pointer + "/type")
        allowed = {"type", "text", "emoji"} if obj["type"] == "plain_text" else {"type", "text", "verbatim"}
        for key in sorted(set(obj) - allowed):
            self.problem("unsupported property", "%s/%s" % (pointer, key))
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            return self.problem("must be more than 0 characters", pointer + "/text")
        if len(text) > limit:
            return self.problem("must be less than %d characters" % (limit + 1), pointer + "/text")
        return None

    def block(self, block, pointer):
        if not isinstance(block, dict):
            return self.problem("expected object", pointer)
        kind = block.get("type")
        if len(str(block.get("block_id", ""))) > 255:
            self.problem("must be less than 256 characters", pointer + "/block_id")
        keys = set(block) - {"type", "block_id"}
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.problem("must provide either text or fields", pointer)
            if "text" in block:
                self.text_object(block["text"], pointer + "/text", 3000)
            fields = block.get("fields", [])
            if not isinstance(fields, list) or len(fields) > 10:
                self.problem("no more than 10 items allowed", pointer + "/fields")
            else:
                for n, field in enumerate(fields):
                    self.text_object(field, "%s/fields/%d" % (pointer, n), 2000)
            keys -= {"text", "fields", "expand"}
        elif kind == "header":
            self.text_object(block.get("text"), pointer + "/text", 150, types=("plain_text",))
            keys -= {"text"}
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                self.problem("must provide between 1 and 10 items", pointer + "/elements")
            else:
                for n, element in enumerate(elements):
                    self.text_object(element, "%s/elements/%d" % (pointer, n), 3000)
            keys -= {"elements"}
        elif kind != "divider":
            return self.problem("unsupported type: %s" % kind, pointer + "/type")
        for key in sorted(keys):
            self.problem("unsupported property", "%s/%s" % (pointer, key))
        return None

    def check(self, blocks):
        if not isinstance(blocks, list):
            self.problem("expected array", "/blocks")
        elif len(blocks) > MAX_BLOCKS:
            self.problem("no more than %d items allowed" % MAX_BLOCKS, "/blocks")
        else:
            for n, block in enumerate(blocks):
                self.block(block, "/blocks/%d" % n)
        return self.problems


class Slack:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.webhook_secret = spec.get("webhook_secret") or secrets_store.new("SLACK_WEBHOOK_SECRET", 12)
        self.bot_token = spec.get("bot_token") or "xoxb-1000000001-2000000002-%s" % secrets_store.new("SLACK_BOT_TOKEN", 12)
        self.channels = [dict(c) for c in spec.get("channels") or DEFAULT_CHANNELS]
        webhook = spec.get("webhook") or {}
        self.webhook_channel = webhook.get("channel", self.channels[0]["name"])
        self.webhook_prohibited = bool(webhook.get("prohibited"))
        self.default_channel = spec.get("default_channel") or self.channels[0]["id"]
        self.messages = []  # {via, channel, ts, text, blocks, mentions, links, rendered, truncated}
        self._seq = 0
        self.base_url = None

    @property
    def webhook_path(self):
        return "/services/%s/%s/%s" % (TEAM_ID, WEBHOOK_BOT_ID, self.webhook_secret)

    def error_body(self, status, message, action=None):
        return {"ok": False, "error": message}

    def channel(self, name):
        """A channel by ID, ``#name`` or name, as chat.postMessage and the webhook's configuration name it."""
        name = (name or "").lstrip("#")
        return next((c for c in self.channels if name in (c["id"], c["name"])), None)

    def __call__(self, request):
        if request.path.startswith("/services/"):
            return self.webhook(request)
        if request.path == "/api/chat.postMessage":
            return self.post_message(request)
        if request.path.startswith("/api/"):
            raise ContractViolation(json_response({"ok": False, "error": "unknown_method"}, status=404),
                                    "%s is no Web API method the lab serves" % request.path)
        raise ContractViolation(Response("Not Found", status=404, content_type="text/html"), "no such path")

    # --- what both routes share -------------------------------------------------------------------------------------

    def _read(self, request, form_field):
        """(payload, refusal code): the JSON body, or the JSON of a form field (``payload`` for the webhook)."""
        kind = request.mimetype
        raw = request.get_data(as_text=True)
        if kind == "application/x-www-form-urlencoded":
            form = {k: v[-1] for k, v in parse_qs(raw).items()}
            if form_field is None:
                return form, None
            raw = form.get(form_field, "")
        elif kind != "application/json":
            return None, "invalid_post_type" if kind else "missing_post_type"
        try:
            payload = json.loads(raw)
        except ValueError:
            return None, "invalid_json"
        if not isinstance(payload, dict):
            return None, "json_not_object"
        return payload, None

    def _message_problems(self, payload):
        """(code, problems) of a message Slack refuses, or (None, [])."""
        blocks = payload.get("blocks")
        if isinstance(blocks, str):  # a form post carries blocks as JSON text
            try:
                blocks = payload["blocks"] = json.loads(blocks)
            except ValueError:
                return "invalid_blocks_format", ["blocks is not JSON"]
        text = payload.get("text")
        if not (isinstance(text, str) and text.strip()) and not blocks and not payload.get("attachments"):
            return "no_text", ["neither text nor blocks"]
        if text is not None and not isinstance(text, str):
            return "invalid_arguments", ["text must be a string"]
        if blocks is not None:
            problems = BlockChecker().check(blocks)
            if problems:
                return "invalid_blocks", problems
        return None, []

    def _record(self, via, channel, payload):
        text = payload.get("text") or ""
        truncated = len(text) > MAX_TEXT
        mentions, links, rendered = read_message(dict(payload, text=text[:MAX_TEXT]))
        with self.lock:
            self._seq += 1
            ts = "%d.%06d" % (int(self.clock.now()), self._seq)
            message = {"via": via, "channel": channel["id"], "ts": ts, "text": text[:MAX_TEXT],
                       "blocks": payload.get("blocks") or [], "mentions": mentions, "links": links, "rendered": rendered,
                       "truncated": truncated}
            self.messages.append(message)
        return message

    # --- incoming webhook -------------------------------------------------------------------------------------------

    def webhook(self, request):
        secret = request.environ.get(SECRET_KEY, "")
        known = request.path == "/services/%s/%s/%s" % (TEAM_ID, WEBHOOK_BOT_ID, MASK)
        if not known or not secrets.compare_digest(secret, self.webhook_secret):
            return text_answer("no_service", 404)  # a wrong or revoked URL: refused, but no breach of the contract
        if request.method != "POST":
            raise ContractViolation(text_answer("invalid_payload", 400), "%s on an incoming webhook" % request.method)
        payload, code = self._read(request, "payload")
        if code is not None:
            raise ContractViolation(text_answer("invalid_payload", 400), "webhook body: %s" % code)
        code, problems = self._message_problems(payload)
        if code is not None:
            code = code if code in WEBHOOK_STATUS else "invalid_payload"
            raise ContractViolation(text_answer(code, WEBHOOK_STATUS[code]), "; ".join(problems))
        if self.webhook_prohibited:
            return text_answer("action_prohibited", 403)
        channel = self.channel(self.webhook_channel)
        if channel is None:
            return text_answer("channel_not_found", 404)
        if channel.get("archived"):
            return text_answer("channel_is_archived", 410)
        self._record("webhook", channel, payload)
        return text_answer("ok", 200)

    # --- Web API ----------------------------------------------------------------------------------------------------

    def api_error(self, error, **extra):
        return json_response(dict({"ok": False, "error": error}, **extra))

    def post_message(self, request):
        if request.method != "POST":
            raise ContractViolation(self.api_error("invalid_post_type"), "chat.postMessage with %s" % request.method)
        payload, code = self._read(request, None)
        if code is not None:
            raise ContractViolation(self.api_error(code), "chat.postMessage body: %s" % code)
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        if token is None and request.mimetype == "application/x-www-form-urlencoded":
            token = payload.pop("token", None)  # a form post may carry the token; a JSON body may not
        if not token:
            return self.api_error("not_authed")
        if not secrets.compare_digest(token, self.bot_token):
            return self.api_error("invalid_auth")
        channel = self.channel(payload.get("channel"))
        if channel is None:
            return self.api_error("channel_not_found")
        code, problems = self._message_problems(payload)
        if code is not None:
            extra = {"errors": problems, "response_metadata": {"messages": ["[ERROR] %s" % p for p in problems]}}
            raise ContractViolation(self.api_error(code, **(extra if code == "invalid_blocks" else {})), "; ".join(problems))
        if channel.get("archived"):
            return self.api_error("is_archived")
        if not channel.get("member"):
            return self.api_error("not_in_channel")
        message = self._record("api", channel, payload)
        answer = {"ok": True, "channel": channel["id"], "ts": message["ts"],
                  "message": {"type": "message", "subtype": "bot_message", "text": message["text"], "ts": message["ts"],
                              "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
                              "blocks": message["blocks"]}}
        if request.mimetype == "application/json" and "charset" not in request.mimetype_params:
            answer["warning"] = "missing_charset"
            answer["response_metadata"] = {"warnings": ["missing_charset"]}
        return json_response(answer)

    # --- the lab's own answers, held to Slack's shapes --------------------------------------------------------------

    def check_answer(self, request, response):
        if request.path.startswith("/services/"):
            body = response.get_data(as_text=True)
            if not response.mimetype.startswith("text/"):
                return ["webhook answer is %s, not text" % response.mimetype]
            if response.status_code == 200 and body != "ok":
                return ["webhook 200 answer is %r, not ok" % body[:40]]
            return []
        if request.path != "/api/chat.postMessage" or response.status_code == 429:
            return []
        try:
            data = json.loads(response.get_data(as_text=True))
        except ValueError:
            return ["chat.postMessage answered with no JSON"]
        if response.status_code != 200 or not isinstance(data.get("ok"), bool):
            return ["chat.postMessage answers HTTP 200 with a boolean ok"]
        if data["ok"] and not all(isinstance(data.get(k), str) for k in ("channel", "ts")):
            return ["chat.postMessage ok answer without channel and ts"]
        if not data["ok"] and not isinstance(data.get("error"), str):
            return ["chat.postMessage refusal without error"]
        return []
