"""Event source: the compliance alert's webhooks from PagerDuty (v3) and GitHub, signed, vetted, once each.

Arguments (each also from the environment, as named):
  host, port, path:   where to listen (default 127.0.0.1, 5000, /)
  pagerduty_secrets / github_secrets (EDA_PAGERDUTY_SECRETS, EDA_GITHUB_SECRETS, comma separated): signing
                      secrets; several at once so that a secret can be rotated. No secret, or an empty one: the
                      source refuses to start.
  github_repository (EDA_GITHUB_REPOSITORY, else GITHUB_REPOSITORY): the only repository whose issues count
  github_label (EDA_GITHUB_LABEL, default nessus-compliance) and github_title (default "Nessus scan compliance:
                      failing scans on"): the label and title the compliance check gives its issue
  github_senders (EDA_GITHUB_SENDERS, comma separated): if set, only issues opened by these logins count
  pagerduty_service (EDA_PAGERDUTY_SERVICE): the only PagerDuty service whose incidents count (required with
                      PagerDuty secrets)
  state_file (EDA_WEBHOOK_STATE): where the events seen are kept, so that a replay is refused after a restart too
                      (default ~/.local/state/conductors.nessus_compliance/webhook_deliveries.json)
  replay_window:      seconds an event is remembered, and the oldest one accepted: a GitHub issue's created_at, a
                      PagerDuty event's occurred_at (default 86400)
  max_body:           largest body accepted, in bytes (default 262144)
  header_timeout / body_timeout: seconds a client may take to send its headers / its body (default 10 / 10)

A request is read whole (up to max_body) before its signature is checked: one HMAC per secret, at most
MAX_SIGNATURES offered signatures looked at. Unsigned or badly signed: 401; too large: 413; not a JSON object:
400; too slow: 408 or the connection closed; never 500. A signed event is then vetted: a GitHub "issues/opened"
event of the configured repository, label, title (and sender), or a PagerDuty "incident.triggered" of the
configured service no older than the window, whose text names the failing scans in the runbook's format. Only
``{"nessus": {"scans": [...], "key": "...", "sender": ..., "delivery": ..., "incident": ...}}`` goes on the queue -
validated scan names and, for PagerDuty, the incident's id (letters and digits), never free text. Anything else is
logged and answered 200 with the reason, and the listener goes on.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import time
from datetime import datetime, timezone

LOG = logging.getLogger(__name__)
MAX_SIGNATURES = 5
ALERT_HEADER = "The following scans are identified as failing and need investigation:"
PAGERDUTY_SUMMARY = "SCANS FAILED - failed nessus scans require investigation:"
# a PagerDuty incident id, the only other thing of a PagerDuty event that goes on (its run notes its steps there)
INCIDENT = re.compile(r"^[A-Z0-9]{2,32}$")
# the shape of a scan name, as conductors.nessus_compliance's alert reader checks it (this file runs inside
# ansible-rulebook, where the collection's module_utils are not importable)
SCAN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~+-]{0,127}$")
MAX_SCANS = 100
_BRACKETED = re.compile(r"^\[([^\[\]]*)\]$")
_FENCE = re.compile(r"^(~{3,}|`{3,})[\w-]*$")
_DELIVERY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class Ignored(Exception):
    """A correctly signed event that is not the compliance alert: logged, answered 200, nothing queued."""


def _list(args, name, env, default=None):
    value = args.get(name)
    if value is None:
        value = os.environ.get(env)
        if value is None:
            return default
        value = value.split(",")
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _secrets(args, name):
    given = _list(args, "%s_secrets" % name, "EDA_%s_SECRETS" % name.upper(), [])
    if any(not isinstance(s, (str, bytes)) or not s.strip() for s in given):
        raise ValueError("signed_webhook: an empty %s secret would let anyone sign: refusing to start" % name)
    return [s.encode() if isinstance(s, str) else s for s in given]


def _ascii(value):
    try:
        return value.encode("ascii").decode("ascii") if isinstance(value, str) else None
    except UnicodeError:
        return None


def verify(headers, body, pagerduty_secrets, github_secrets):
    """The source that signed the request ("pagerduty" or "github"), or None. One HMAC per secret."""
    signed = _ascii(headers.get("X-PagerDuty-Signature"))
    if signed and pagerduty_secrets:
        offered = [part.strip()[3:] for part in signed.split(",") if part.strip().startswith("v1=")]
        if 0 < len(offered) <= MAX_SIGNATURES:
            digests = [hmac.new(s, body, hashlib.sha256).hexdigest() for s in pagerduty_secrets]
            if any(hmac.compare_digest(d, o) for d in digests for o in offered):
                return "pagerduty"
    signed = _ascii(headers.get("X-Hub-Signature-256"))
    if signed and github_secrets and signed.startswith("sha256="):
        if any(hmac.compare_digest(hmac.new(s, body, hashlib.sha256).hexdigest(), signed[7:]) for s in github_secrets):
            return "github"
    return None


def scan_names(words):
    names = []
    for word in words:
        if not SCAN_NAME.match(word):
            raise Ignored("%r is not a scan name" % word[:80])
        if word not in names:
            names.append(word)
    if not names or len(names) > MAX_SCANS:
        raise Ignored("the alert names %d scans" % len(names))
    return names


def issue_scans(body):
    """The scans of the compliance check's issue body: only the bracketed line right under the runbook's header."""
    lines = (body if isinstance(body, str) else "").splitlines()
    headers = [i for i, line in enumerate(lines) if line.strip() == ALERT_HEADER]
    if len(headers) != 1:
        raise Ignored("the issue body has %d lines %r" % (len(headers), ALERT_HEADER))
    for line in lines[headers[0] + 1:]:
        line = line.strip()
        if not line or _FENCE.match(line):
            continue
        match = _BRACKETED.match(line)
        if not match:
            raise Ignored("the line under the header is not a bracketed list of scans")
        return scan_names(re.split(r"[\s,]+", match.group(1).strip()) if match.group(1).strip() else [])
    raise Ignored("nothing under the header")


def _get(obj, *keys):
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


class Vetting:
    """What makes a signed event the compliance alert, from the source's arguments."""

    def __init__(self, args, pagerduty, github):
        self.repository = (args.get("github_repository") or os.environ.get("EDA_GITHUB_REPOSITORY")
                           or os.environ.get("GITHUB_REPOSITORY") or "")
        self.label = args.get("github_label") or os.environ.get("EDA_GITHUB_LABEL") or "nessus-compliance"
        self.title = args.get("github_title") or "Nessus scan compliance: failing scans on"
        self.senders = [s.strip().lower() for s in _list(args, "github_senders", "EDA_GITHUB_SENDERS", []) if s.strip()]
        self.service = args.get("pagerduty_service") or os.environ.get("EDA_PAGERDUTY_SERVICE") or ""
        self.window = float(args.get("replay_window", 86400))
        if github and "/" not in self.repository:
            raise ValueError("signed_webhook: github_repository (owner/name) is needed with GitHub secrets")
        if pagerduty and not self.service:
            raise ValueError("signed_webhook: pagerduty_service (the service id) is needed with PagerDuty secrets")

    def github(self, headers, payload, now):
        event, action = headers.get("X-GitHub-Event"), payload.get("action")
        if event != "issues" or action != "opened":
            raise Ignored("GitHub event %r/%r is not an opened issue" % (str(event)[:40], str(action)[:40]))
        repository = _get(payload, "repository", "full_name")
        if not isinstance(repository, str) or repository.lower() != self.repository.lower():
            raise Ignored("repository %r is not %s" % (str(repository)[:100], self.repository))
        issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
        labels = issue.get("labels") if isinstance(issue.get("labels"), list) else []
        labels = [label.get("name") for label in labels if isinstance(label, dict)]
        if self.label not in labels:
            raise Ignored("the issue is not labelled %s" % self.label)
        if not isinstance(issue.get("title"), str) or not issue["title"].startswith(self.title):
            raise Ignored("the issue's title does not start with %r" % self.title)
        sender = _get(payload, "sender", "login")
        if self.senders and (not isinstance(sender, str) or sender.lower() not in self.senders):
            raise Ignored("sender %r is not allowed" % str(sender)[:40])
        self.recent(issue.get("created_at"), "the issue was opened", now)
        return issue_scans(issue.get("body"))

    @staticmethod
    def delivery(source, payload):
        """What makes an event unique, from inside the signed body (a header such as X-GitHub-Delivery is not signed,
        so a replay could carry a new one): the repository and issue ids, the PagerDuty event id."""
        if source == "github":
            ids = (_get(payload, "repository", "id"), _get(payload, "issue", "id"))
            return "%s/%s" % ids if all(isinstance(i, int) and not isinstance(i, bool) for i in ids) else None
        event_id = _get(payload, "event", "id")
        return event_id if isinstance(event_id, str) and _DELIVERY.match(event_id) else None

    def recent(self, stamp, what, now):
        """Refuse an event whose signed time stamp is older than the window (or well in the future)."""
        try:
            moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
            age = now - moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp()
        except ValueError:
            raise Ignored("%s at %r, which is not a date" % (what, str(stamp)[:40])) from None
        if age > self.window or age < -300:
            raise Ignored("%s %.0f s ago, outside the %.0f s window" % (what, age, self.window))

    def pagerduty(self, payload, now):
        event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
        if event.get("event_type") != "incident.triggered":
            raise Ignored("PagerDuty event %r is not incident.triggered" % str(event.get("event_type"))[:40])
        if _get(event, "data", "service", "id") != self.service:
            raise Ignored("the incident is not of service %s" % self.service)
        self.recent(event.get("occurred_at"), "the event occurred", now)
        title = _get(event, "data", "title")
        if not isinstance(title, str) or not title.startswith(PAGERDUTY_SUMMARY) or "\n" in title:
            raise Ignored("the incident's title is not the compliance alert's")
        incident = _get(event, "data", "id")
        if not isinstance(incident, str) or not INCIDENT.match(incident):
            raise Ignored("the incident has no usable id")
        return scan_names(title[len(PAGERDUTY_SUMMARY):].split()), incident


class Deliveries:
    """Delivery ids seen in the window, kept in a file so that a replay is refused after a restart too."""

    def __init__(self, path, window):
        self.path, self.window = path, window
        try:
            with open(path, encoding="utf-8") as handle:
                seen = json.load(handle)
            self.seen = {str(k): float(v) for k, v in seen.items()} if isinstance(seen, dict) else {}
        except FileNotFoundError:
            self.seen = {}
        except (OSError, ValueError) as exc:
            LOG.warning("signed_webhook: the delivery state %s could not be read (%s): starting empty", path, exc)
            self.seen = {}
        self.save(self.seen)  # fails at start, not at the first delivery, when the state cannot be written

    def first(self, delivery, now):
        """True the first time ``delivery`` is seen in the window (and remembered); False for a replay."""
        self.seen = {k: v for k, v in self.seen.items() if now - v <= self.window}
        if delivery in self.seen:
            return False
        self.save(dict(self.seen, **{delivery: now}))  # kept on disk first: a delivery is never lost half-way
        self.seen[delivery] = now
        return True

    def save(self, seen):
        os.makedirs(os.path.dirname(self.path) or ".", mode=0o700, exist_ok=True)
        fd = os.open(self.path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(seen, handle)
        os.replace(self.path + ".tmp", self.path)


def _payload(body):
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


async def main(queue, args):
    # aiohttp comes with ansible-rulebook; the functions above need none of it
    from aiohttp import web  # pylint: disable=import-outside-toplevel

    pagerduty_secrets, github_secrets = _secrets(args, "pagerduty"), _secrets(args, "github")
    if not pagerduty_secrets and not github_secrets:
        raise ValueError("signed_webhook: no signing secret (pagerduty_secrets, github_secrets): refusing to start")
    vetting = Vetting(args, bool(pagerduty_secrets), bool(github_secrets))
    state = args.get("state_file") or os.environ.get("EDA_WEBHOOK_STATE") or os.path.join(
        os.path.expanduser("~"), ".local", "state", "conductors.nessus_compliance", "webhook_deliveries.json")
    deliveries = Deliveries(state, vetting.window)
    path = args.get("path", "/")
    max_body = int(args.get("max_body", 262144))
    header_timeout, body_timeout = float(args.get("header_timeout", 10)), float(args.get("body_timeout", 10))
    loop = asyncio.get_running_loop()
    waiting = {}  # protocol -> the timer that closes a connection whose headers do not arrive in time

    def answer(status, **body):
        response = web.json_response(body, status=status)
        response.force_close()  # one request per connection: a slow second request cannot hold it open
        return response

    async def read_body(request):
        chunks, size = [], 0
        while True:  # to the end of the body, however many segments it came in
            chunk = await request.content.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > max_body:
                return None
            chunks.append(chunk)

    async def receive(request):
        timer = waiting.pop(request.protocol, None)
        if timer is not None:
            timer.cancel()
        if request.path != path:
            return answer(404, error="not found")
        if request.method != "POST":
            return answer(405, error="method not allowed")
        if request.content_length is not None and request.content_length > max_body:
            return answer(413, error="body too large")
        try:
            body = await asyncio.wait_for(read_body(request), body_timeout)
        except asyncio.TimeoutError:
            return answer(408, error="body not received in time")
        if body is None:
            return answer(413, error="body too large")
        source = verify(request.headers, body, pagerduty_secrets, github_secrets)
        if source is None:
            LOG.warning("signed_webhook: refused a request from %s without a valid signature", request.remote)
            return answer(401, error="invalid or missing signature")
        payload = _payload(body)
        if payload is None:
            return answer(400, error="body is not a JSON object")
        now = time.time()
        try:
            incident = None
            if source == "github":
                scans = vetting.github(request.headers, payload, now)
            else:
                scans, incident = vetting.pagerduty(payload, now)
            delivery = vetting.delivery(source, payload)
            if delivery is None:
                raise Ignored("no usable id in the signed body")
            if not deliveries.first("%s:%s" % (source, delivery), now):
                raise Ignored("delivery %s was already accepted (a replay)" % delivery)
        except Ignored as why:
            LOG.warning("signed_webhook: ignored a signed %s event: %s", source, why)
            return answer(200, accepted=False, reason=str(why))
        await queue.put({"nessus": {"scans": scans, "key": " ".join(sorted(scans)), "sender": source,
                                    "delivery": delivery, "incident": incident or ""}})
        return answer(202, accepted=True, scans=scans)

    # aiohttp has no limit on how long a client may take to send its headers: each connection gets a timer that
    # closes it unless a request has arrived by then (receive() stops the timer)
    from aiohttp.web_protocol import RequestHandler  # pylint: disable=import-outside-toplevel

    class Guarded(RequestHandler):
        __slots__ = ()

        def connection_made(self, transport):
            super().connection_made(transport)
            waiting[self] = loop.call_later(header_timeout, lambda: (waiting.pop(self, None), transport.close()))

        def connection_lost(self, exc):
            timer = waiting.pop(self, None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

    server = web.Server(receive, keepalive_timeout=header_timeout)

    def protocol():
        return Guarded(server, loop=loop, keepalive_timeout=header_timeout)

    listener = await loop.create_server(protocol, args.get("host", "127.0.0.1"), int(args.get("port", 5000)))
    try:
        await asyncio.Future()
    finally:
        listener.close()
        await server.shutdown()


if __name__ == "__main__":  # a local try: python signed_webhook.py, then POST to 127.0.0.1:5000

    class _Print:
        @staticmethod
        async def put(event):
            print(event)

    asyncio.run(main(_Print(), {"github_secrets": ["local"], "github_repository": "local/try",
                                "state_file": "/tmp/signed_webhook_try.json"}))
