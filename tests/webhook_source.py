"""Run the signed_webhook event source in a thread of the test process, as ansible-rulebook runs it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib.util
import os
import socket
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = importlib.util.spec_from_file_location(
    "signed_webhook", os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "signed_webhook.py"))
signed_webhook = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(signed_webhook)

PD_SECRET, GH_SECRET = "pd-webhook-secret", "gh-webhook-secret"
SERVICE, REPOSITORY = "PF9KMXH", "conductors/team"
PATH = "/hooks/nessus-compliance"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign(body, secret):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Source:
    """The source listening on a free loopback port; ``events`` is what it put on the queue."""

    def __init__(self, state_file, **args):
        self.port = free_port()
        self.args = dict({"port": self.port, "path": PATH, "pagerduty_secrets": [PD_SECRET],
                          "github_secrets": [GH_SECRET], "pagerduty_service": SERVICE, "github_repository": REPOSITORY,
                          "state_file": str(state_file), "header_timeout": 1, "body_timeout": 1}, **args)
        self.events = []
        self.error = None
        self._loop = None
        self._task = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def put(self, event):
        self.events.append(event)

    def _run(self):
        self._loop = asyncio.new_event_loop()
        self._task = self._loop.create_task(signed_webhook.main(self, self.args))
        try:
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc
        finally:
            self._loop.close()

    def start(self):
        self._thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.error is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the source did not start: %r" % (self.error,))

    def stop(self):
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)

    @property
    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, PATH)
