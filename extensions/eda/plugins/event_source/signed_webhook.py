"""Event source: webhooks from PagerDuty (v3) and GitHub, accepted only with a valid signature.

Arguments:
  host:            address to bind (default 127.0.0.1)
  port:            port (default 5000)
  path:            URL path to accept (default /)
  pagerduty_secrets / github_secrets: list of signing secrets; several are accepted at once so that a secret can
                   be rotated (also from the environment: EDA_PAGERDUTY_SECRETS, EDA_GITHUB_SECRETS, comma separated)
  max_body:        largest body accepted, in bytes (default 262144)

A POST signed by PagerDuty (``X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]``, HMAC-SHA256 of the raw body with
the subscription's secret) or by GitHub (``X-Hub-Signature-256: sha256=<hex>``) is put on the queue as
``{"payload": <JSON body>, "webhook": {"sender": "pagerduty"|"github", "event": <GitHub event or PagerDuty
event_type>, "delivery": <delivery id>}}`` (``meta`` is ansible-rulebook's own). Unsigned or badly signed requests get 401, bodies over max_body
413, bodies that are not JSON 400, other paths 404 and other methods 405; none of them reaches the rules.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os


LOG = logging.getLogger(__name__)


def _secrets(args, name):
    given = args.get("%s_secrets" % name)
    if given is None:
        given = [s for s in os.environ.get("EDA_%s_SECRETS" % name.upper(), "").split(",") if s]
    return [s.encode() if isinstance(s, str) else s for s in (given if isinstance(given, list) else [given])]


def _digest(secret, body):
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(headers, body, pagerduty_secrets, github_secrets):
    """The source that signed the request ("pagerduty" or "github"), or None."""
    signed = headers.get("X-PagerDuty-Signature")
    if signed and pagerduty_secrets:
        offered = [part.strip()[3:] for part in signed.split(",") if part.strip().startswith("v1=")]
        if any(hmac.compare_digest(_digest(s, body), o) for s in pagerduty_secrets for o in offered):
            return "pagerduty"
    signed = headers.get("X-Hub-Signature-256")
    if signed and github_secrets and signed.startswith("sha256="):
        if any(hmac.compare_digest(_digest(s, body), signed[7:]) for s in github_secrets):
            return "github"
    return None


async def main(queue, args):
    # aiohttp comes with ansible-rulebook; verify() above needs none of it
    from aiohttp import web  # pylint: disable=import-outside-toplevel

    pagerduty_secrets, github_secrets = _secrets(args, "pagerduty"), _secrets(args, "github")
    if not pagerduty_secrets and not github_secrets:
        raise ValueError("signed_webhook: no signing secret (pagerduty_secrets, github_secrets): refusing to start")
    path = args.get("path", "/")
    max_body = int(args.get("max_body", 262144))

    async def receive(request):
        if request.path != path:
            return web.json_response({"error": "not found"}, status=404)
        if request.method != "POST":
            return web.json_response({"error": "method not allowed"}, status=405)
        if request.content_length is not None and request.content_length > max_body:
            return web.json_response({"error": "body too large"}, status=413)
        body = await request.content.read(max_body + 1)
        if len(body) > max_body:
            return web.json_response({"error": "body too large"}, status=413)
        source = verify(request.headers, body, pagerduty_secrets, github_secrets)
        if source is None:
            LOG.warning("signed_webhook: refused a request from %s without a valid signature", request.remote)
            return web.json_response({"error": "invalid or missing signature"}, status=401)
        try:
            payload = json.loads(body)
        except ValueError:
            return web.json_response({"error": "body is not JSON"}, status=400)
        event = request.headers.get("X-GitHub-Event") if source == "github" else \
            ((payload.get("event") or {}).get("event_type") if isinstance(payload, dict) else None)
        delivery = request.headers.get("X-GitHub-Delivery") or request.headers.get("X-Webhook-Id")
        await queue.put({"payload": payload, "webhook": {"sender": source, "event": event, "delivery": delivery}})
        return web.json_response({"accepted": True}, status=202)

    app = web.Application(client_max_size=max_body + 1024)
    app.router.add_route("*", "/{tail:.*}", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, args.get("host", "127.0.0.1"), int(args.get("port", 5000)))
    await site.start()
    try:
        await asyncio.Future()
    finally:
        await runner.cleanup()


if __name__ == "__main__":  # a local try: python signed_webhook.py, then POST to 127.0.0.1:5000

    class _Print:
        @staticmethod
        async def put(event):
            print(event)

    asyncio.run(main(_Print(), {"github_secrets": ["local"], "pagerduty_secrets": ["local"]}))
