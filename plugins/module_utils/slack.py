# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Slack: one message at the end of a run, through an incoming webhook or the Web API's ``chat.postMessage``.

``build_message`` (pure, no I/O) turns a run's summary into Block Kit within Slack's limits - section text at most
3000 characters, at most 50 blocks, a top-level ``text`` as the notification's fallback - with every outside text
inert: ``&``, ``<`` and ``>`` escaped as ``&amp;``, ``&lt;``, ``&gt;`` (so no ``<!channel>``, ``<@U...>`` or
``<https://...|label>`` from a scan name becomes a mention or a disguised link) and ``verbatim`` set, so that Slack
does not turn bare URLs or channel names into links either.

A post is never sent twice blind: Slack does not de-duplicate messages, and a lost answer, a timeout or a 5xx may
come after the message was posted. Only a 429 with ``Retry-After`` - Slack refused it, nothing was posted - is
waited out and sent again, within the task's timeout and ``retries``.

The webhook's URL is a credential (its last path segment is the secret) and so is the bot token: neither appears in
an error, a retry entry or a result; the webhook's path is shown as ``/services/T.../B.../***``.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from .transport import (
    ApiClient,
    ApiError,
    AuthError,
    HttpClient,
    NotFoundError,
    TransportError,
    UnexpectedResponseError,
    allowed_http_hosts,
    decode_json,
    html_title,
    http_argument_spec,
)

SYSTEM = "Slack"
API_URL = "https://slack.com/api"
POST_MESSAGE = "chat.postMessage"

# Block Kit and message limits (Slack's reference: section text 1-3000 characters, 50 blocks per message)
MAX_SECTION_TEXT = 3000
MAX_BLOCKS = 50
# What this collection allows itself: the notification text and the lines' total stay short (Slack refuses messages
# whose blocks hold much more than 12,000 characters with msg_blocks_too_long, though it documents no number)
MAX_FALLBACK_TEXT = 3000
MAX_LINES_TEXT = 12000
MAX_TITLE = 150
MORE = u"\u2026"  # an ellipsis: one character where text was cut

OUTCOMES = {
    "changed": ":white_check_mark:",
    "escalated": ":rotating_light:",
    "failed": ":x:",
    "unchanged": ":information_source:",
}
ROUTES = ("auto", "webhook", "api")

SLACK_ARGUMENT_SPEC = dict(
    webhook_url=dict(type="str", no_log=True, fallback=(env_fallback, ["SLACK_WEBHOOK_URL"])),
    bot_token=dict(type="str", no_log=True, fallback=(env_fallback, ["SLACK_BOT_TOKEN"])),
    channel=dict(type="str", fallback=(env_fallback, ["SLACK_CHANNEL"])),
    api_url=dict(type="str", default=API_URL, fallback=(env_fallback, ["SLACK_API_URL"])),
    **http_argument_spec("SLACK"),
)

# Each error code's meaning (Slack's own words, shortened) and what kind of failure it is
ERRORS = {
    "invalid_payload": "the body is not a message Slack can read",
    "invalid_blocks": "a block is not valid Block Kit",
    "no_text": "the message has neither text nor blocks",
    "action_prohibited": "the workspace does not allow this webhook to post here",
    "no_service": "there is no webhook at this URL (removed, or the URL is wrong)",
    "channel_not_found": "the channel does not exist",
    "channel_is_archived": "the channel is archived",
    "is_archived": "the channel is archived",
    "not_in_channel": "the app is not a member of the channel",
    "not_authed": "no token was sent",
    "invalid_auth": "the token is not valid",
    "account_inactive": "the token belongs to a deleted user or workspace",
    "token_revoked": "the token was revoked",
    "token_expired": "the token expired",
    "missing_scope": "the token lacks the chat:write scope",
    "ratelimited": "too many messages",
    "rate_limited": "too many messages",
    "msg_too_long": "the message text is too long",
}
KINDS = {"no_service": AuthError, "not_authed": AuthError, "invalid_auth": AuthError, "account_inactive": AuthError,
         "token_revoked": AuthError, "token_expired": AuthError, "missing_scope": AuthError,
         "channel_not_found": NotFoundError}
HINTS = {
    "no_service": "check webhook_url (SLACK_WEBHOOK_URL): the webhook may have been removed from the Slack app",
    "not_in_channel": "invite the app to the channel (/invite @app) or use a channel it is in",
    "channel_not_found": "check channel (SLACK_CHANNEL): a channel ID such as C0123456789 is the safest",
    "action_prohibited": "a workspace admin restricts this webhook",
}
AUTH_HINT = "check bot_token (SLACK_BOT_TOKEN): a bot token (xoxb-...) with the chat:write scope"
UNCERTAIN = "Slack may have posted it all the same: look in the channel before sending it again"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")
_WEBHOOK_PATH = re.compile(r"^/services/([A-Za-z0-9]+)/([A-Za-z0-9]+)/([A-Za-z0-9]+)$")
_CODE = re.compile(r"^[a-z][a-z_]{1,60}$")


# --- the message (pure) ----------------------------------------------------------------------------------------------

def escape(value):
    """Outside text made inert for Slack's mrkdwn: one line, no control characters, ``& < >`` escaped."""
    text = " ".join(_CONTROL.sub("", "" if value is None else str(value)).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text, limit):
    """``text`` (already escaped) in at most ``limit`` characters, ending in an ellipsis when cut, never inside an
    ``&amp;``/``&lt;``/``&gt;`` entity."""
    if len(text) <= limit:
        return text
    head = _ENTITY_TAIL.sub("", text[:max(limit - len(MORE), 0)])
    return head + MORE


def record_link(link):
    """Slack's ``<url|label>`` for an http(s) URL that can be one; None for anything else (shown as text)."""
    if not link:
        return None
    link = str(link)
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or re.search(r"[\s<>|\x00-\x1f\x7f]", link):
        return None
    return "<%s|Remediation record>" % link.replace("&", "&amp;")


def _mrkdwn(text):
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(items):
    return {"type": "section", "text": _mrkdwn("\n".join(items))}


def _sections(lines, budget_blocks):
    """The lines as bullets packed into sections of at most MAX_SECTION_TEXT characters, in at most ``budget_blocks``
    blocks and MAX_LINES_TEXT characters; (blocks, how many lines were left out)."""
    blocks, current, used, shown = [], [], 0, 0
    for line in lines:
        item = u"\u2022 " + cut(escape(line), MAX_SECTION_TEXT - 2)
        if used + len(item) > MAX_LINES_TEXT:
            break
        if current and len("\n".join(current)) + 1 + len(item) > MAX_SECTION_TEXT:
            if len(blocks) + 2 > budget_blocks:
                break
            blocks.append(_section(current))
            current = []
        current.append(item)
        used += len(item)
        shown += 1
    if current:
        blocks.append(_section(current))
    return blocks, len(lines) - shown


def build_message(title, summary_lines, link=None, outcome="changed"):
    """``{"text": fallback, "blocks": [...]}``: a run's summary as one Slack message.

    ``title`` and ``summary_lines`` are outside text (scan names, error details): escaped, each line on one line,
    cut to Slack's limits; lines that do not fit are counted in a last note. ``link`` (the run's record) becomes a
    link when it is an http(s) URL, else it is shown as text. ``outcome`` (``changed``, ``escalated``, ``failed``,
    ``unchanged``) sets the leading emoji.
    """
    if outcome not in OUTCOMES:
        raise ValueError("%s: outcome must be one of %s, got %r" % (SYSTEM, ", ".join(OUTCOMES), outcome))
    if isinstance(summary_lines, str):
        summary_lines = summary_lines.splitlines()
    head = cut(escape(title), MAX_TITLE)
    if not head:
        raise ValueError("%s: the message needs a title" % SYSTEM)
    head = "%s *%s*" % (OUTCOMES[outcome], head)
    anchor = record_link(link)
    shown_link = anchor or (("Record: " + cut(escape(link), MAX_SECTION_TEXT - 8)) if link else None)
    footer = 1 if shown_link else 0
    lines = [line for line in (summary_lines or []) if escape(line)]
    blocks, left_out = _sections(lines, MAX_BLOCKS - 2 - footer)  # the title and the note of lines left out
    blocks.insert(0, {"type": "section", "text": _mrkdwn(head)})
    if left_out:
        blocks.append({"type": "context", "elements": [_mrkdwn("%d more line(s) not shown: see the record" % left_out)]})
    if shown_link:
        blocks.append({"type": "context", "elements": [_mrkdwn(shown_link)]})
    tail = ("\n" + shown_link) if shown_link else ""
    body = "\n".join([head] + [cut(escape(line), MAX_FALLBACK_TEXT) for line in lines])
    return {"text": cut(body, MAX_FALLBACK_TEXT - len(tail)) + tail, "blocks": blocks}


def route(via, webhook_url, bot_token):
    """Which way the message goes: ``api`` with a bot token (unless told ``webhook``), else the webhook."""
    via = via or "auto"
    if via not in ROUTES:
        raise ValueError("%s: via must be one of %s, got %r" % (SYSTEM, ", ".join(ROUTES), via))
    if via == "auto":
        via = "api" if bot_token else "webhook"
    if via == "api" and not bot_token:
        raise ValueError("%s: chat.postMessage needs bot_token (SLACK_BOT_TOKEN)" % SYSTEM)
    if via == "webhook" and not webhook_url:
        raise ValueError("%s: no webhook_url (SLACK_WEBHOOK_URL) and no bot_token (SLACK_BOT_TOKEN): set one" % SYSTEM)
    return via


def split_webhook_url(url):
    """(origin, path, path as shown) of an incoming webhook URL; ValueError that does not repeat the URL."""
    parts = urlsplit(url)
    match = _WEBHOOK_PATH.match(parts.path)
    plain_ok = parts.scheme == "http" and (parts.hostname or "").lower() in allowed_http_hosts()
    if not parts.netloc or not match or parts.query or parts.fragment or not (parts.scheme == "https" or plain_ok):
        raise ValueError("%s: webhook_url (SLACK_WEBHOOK_URL) is not an incoming webhook URL such as "
                         "https://hooks.slack.com/services/T.../B.../... (value not shown: it is a secret)" % SYSTEM)
    shown = "/services/%s/%s/***" % (match.group(1), match.group(2))
    return "%s://%s" % (parts.scheme, parts.netloc), parts.path, shown


def retry_after(response):
    """Seconds Slack asks to wait (``Retry-After``), or None when it does not say."""
    try:
        return max(0.0, float(response.headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None


# --- the client ------------------------------------------------------------------------------------------------------

class SlackClient(ApiClient):
    MODULE_PARAMS = ("webhook_url", "bot_token", "channel", "api_url", "ca_path", "validate_certs", "timeout",
                     "retries", "via")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = SLACK_ARGUMENT_SPEC
    AUTH_HINT = AUTH_HINT

    def __init__(self, webhook_url=None, bot_token=None, channel=None, api_url=API_URL, ca_path=None,
                 validate_certs=True, timeout=30.0, retries=3, via="auto", backoff=0.5):
        self.via = route(via, webhook_url, bot_token)
        options = dict(timeout=timeout, validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff)
        self._secrets = [s for s in (bot_token, webhook_url) if s]
        if self.via == "webhook":
            origin, self.path, self.shown_path = split_webhook_url(webhook_url)
            self._secrets += [self.path, self.path.rsplit("/", 1)[-1]]
            self.http = HttpClient(origin, SYSTEM, setting="webhook_url (SLACK_WEBHOOK_URL)", **options)
        else:
            if not channel:
                raise ValueError("%s: chat.postMessage needs channel (SLACK_CHANNEL)" % SYSTEM)
            self.http = HttpClient(api_url or API_URL, SYSTEM, setting="api_url (SLACK_API_URL)", **options)
            self.http.session.headers["Authorization"] = "Bearer %s" % bot_token
            self.path = POST_MESSAGE
            self.shown_path = urlsplit(self.http.url(POST_MESSAGE)).path
        self.channel = channel
        self.retries = retries or 0
        self.rate_limit_budget = self.http.timeout  # seconds this client may spend waiting out rate limits
        self.rate_limit_waits = []
        self.sleep = time.sleep

    def auth_hint(self):
        return HINTS["no_service"] if self.via == "webhook" else AUTH_HINT

    def _clean(self, text):
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    @property
    def retry_log(self):
        return [dict(entry, path=self.shown_path) for entry in self.http.retry_log]

    def _send(self, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            return self.http.request("POST", self.path, data=data,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        except ApiError as exc:  # a transport error names the path: the webhook's holds its secret
            exc.path = self.shown_path
            for name in ("message", "detail", "hint"):
                if getattr(exc, name, None):
                    setattr(exc, name, self._clean(getattr(exc, name)))
            if isinstance(exc, TransportError) and exc.may_have_arrived:
                exc.hint = UNCERTAIN
            raise exc

    def body(self, message):
        """The JSON body that posts ``message``: the Web API's names its channel, a webhook's channel is its own."""
        return dict(message, channel=self.channel) if self.via == "api" else dict(message)

    def post(self, message):
        """Post ``message`` (``text``, ``blocks``); returns ``{"via", "channel", "ts", "warning"}`` (channel and ts
        from the Web API only). Raises ApiError naming Slack's error code."""
        body = self.body(message)
        waits = 0
        while True:
            response = self._send(body)
            if response.status_code != 429:
                break
            seconds = retry_after(response)
            if seconds is None or seconds > self.rate_limit_budget or waits >= self.retries:
                why = ("Slack asks to wait %ss, more than this task allows (timeout %ss, retries %s)" % (
                    seconds, self.http.timeout, self.retries)) if seconds is not None else "no Retry-After given"
                raise ApiError("rate limited: message not posted", SYSTEM, "POST", self.shown_path, status=429,
                               code=self._code(response), detail=ERRORS["ratelimited"], hint=why)
            waits += 1
            self.rate_limit_waits.append({"method": "POST", "path": self.shown_path, "status": 429, "seconds": seconds})
            self.rate_limit_budget -= seconds
            self.sleep(seconds)
        if self.via == "webhook":
            return self._webhook_answer(response)
        return self._api_answer(response)

    def _code(self, response):
        """Slack's error code in an answer: the webhook's text, or the Web API's ``error``."""
        text = (response.text or "").strip()
        if _CODE.match(text):
            return text
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data.get("error") if isinstance(data, dict) else None

    def _refused(self, status, code, extra=None):
        hint = HINTS.get(code)
        if status >= 500:
            hint = UNCERTAIN
        detail = "; ".join(p for p in [ERRORS.get(code)] + list(extra or []) if p) or None
        kind = KINDS.get(code, ApiError)
        return self.error(status, "POST", self.shown_path, "message not posted", kind=kind, code=code, detail=detail,
                          **({"hint": hint} if hint else {}))

    def _webhook_answer(self, response):
        if response.status_code == 200:
            return {"via": "webhook"}
        code = self._code(response)
        if code is None:
            seen = self._clean(html_title(response.text or ""))
            raise UnexpectedResponseError(
                "answered HTTP %d without an error code%s" % (response.status_code, ": " + seen if seen else ""),
                SYSTEM, "POST", self.shown_path, status=response.status_code,
                hint=UNCERTAIN if response.status_code >= 500 else None)
        raise self._refused(response.status_code, code)

    def _api_answer(self, response):
        try:
            data = decode_json(response, SYSTEM, "POST", self.shown_path)
        except UnexpectedResponseError as exc:  # a proxy's page, a truncated body: whether it was posted is unknown
            exc.hint = UNCERTAIN
            raise
        if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
            raise UnexpectedResponseError("answered without ok", SYSTEM, "POST", self.shown_path,
                                          status=response.status_code, hint=UNCERTAIN)
        if response.status_code == 200 and data["ok"]:
            return {"via": "api", "channel": data.get("channel"), "ts": data.get("ts"), "warning": data.get("warning")}
        messages = (data.get("response_metadata") or {}).get("messages") or []
        raise self._refused(response.status_code, data.get("error"), [str(m) for m in messages][:5])
