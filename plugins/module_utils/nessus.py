# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client for the scanners' own Nessus API: ``GET /server/status`` on port 8834 of each scanner.

The call needs no credentials. Nessus answers ``200 {"status": "ready", ...}`` once it scans, and ``503
{"code": 503, "status": "loading", "progress": N}`` while it loads its plugins after a start (the same body shape:
a 503 here is an answer, not a failure, so the transport does not retry it). No answer at all (refused, timed out)
means nessusd is not listening: that is evidence about the scanner, returned as state ``down``, not raised.
Anything else (an HTML page, a JSON body without a known status, a certificate that does not verify) is ``error``
with a short detail. Each scanner is its own HTTPS endpoint, so the client keeps one transport per address.
"""

from __future__ import annotations

import ipaddress
import os
import re
import time

from ansible.module_utils.basic import env_fallback

try:
    from requests.exceptions import SSLError
except ImportError:  # pragma: no cover - run_client reports the missing library before any client is built
    SSLError = None

from .polling import poll_until
from .sc_types import to_int
from .transport import (
    http_argument_spec,
    RETRY_STATUSES,
    ApiClient,
    HttpClient,
    TransportError,
    UnexpectedResponseError,
    decode_json,
    insecure_warning,
    validate_timeout,
)

SYSTEM = "Nessus"
STATUS_PATH = "/server/status"
STATES = ("ready", "loading", "down", "error")
# Nessus answers 503 while it loads its plugins: an answer to read, never a status to retry.
NESSUS_RETRY_STATUSES = tuple(s for s in RETRY_STATUSES if s != 503)
# What each wait stops at: ``None`` (no wait) takes the first answer.
UNTIL = {
    None: lambda reply: True,
    "ready": lambda reply: reply["state"] == "ready",
    "settled": lambda reply: reply["state"] != "loading",
}

NESSUS_ARGUMENT_SPEC = dict(
    port=dict(type="int", default=8834, fallback=(env_fallback, ["NESSUS_PORT"])),
    **http_argument_spec("NESSUS", timeout=10.0, retries=1),
)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(r"^%s(?:\.%s)*\.?$" % (_LABEL, _LABEL))


def url_host(address):
    """``address`` (an IP address or a host name) as the host part of a URL; ValueError for anything else."""
    text = address.strip() if isinstance(address, str) else ""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        if text and len(text) <= 253 and _HOSTNAME.match(text):
            return text.lower()
        raise ValueError("%s: %r is not an IP address or a host name (give the address alone, without scheme, "
                         "port or path)" % (SYSTEM, address))
    return "[%s]" % ip if ip.version == 6 else str(ip)


def scanner_targets(scanners):
    """``[{name, ip}]`` from the module's ``scanners`` (other keys, as sc_scanner_info returns them, are ignored).

    ``name`` defaults to the address. Raises ValueError naming the first bad item.
    """
    targets = []
    for index, item in enumerate(scanners or []):
        if not isinstance(item, dict):
            raise ValueError("scanners[%d]: each scanner is a dict with ip and name, got %r" % (index, item))
        ip = item.get("ip")
        if ip in (None, ""):
            raise ValueError("scanners[%d]: ip is missing (%r)" % (index, item.get("name") or item))
        try:
            url_host(ip)
        except ValueError as exc:
            raise ValueError("scanners[%d]: %s" % (index, exc))
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError("scanners[%d]: name must be a string, got %r" % (index, name))
        targets.append({"name": name or ip.strip(), "ip": ip.strip()})
    return targets


def answer(state, http_status=None, status=None, progress=None, detail=""):
    """What ``server_status`` returns for one scanner."""
    return {"state": state, "http_status": http_status, "status": status, "progress": progress, "detail": detail}


def judge(http_status, body):
    """The answer for a decoded ``/server/status`` body (any JSON value) that came with ``http_status``."""
    if not isinstance(body, dict):
        return answer("error", http_status, detail="HTTP %s: the answer is not a JSON object" % http_status)
    status = body.get("status") if isinstance(body.get("status"), str) else None
    progress = to_int(body.get("progress"))
    engine = body.get("engine_status")
    if progress is None and isinstance(engine, dict):  # newer versions report the plugin load per engine too
        progress = to_int(engine.get("progress"))
    if http_status == 200 and status == "ready":
        return answer("ready", http_status, status, progress, "Nessus is ready")
    if http_status in (200, 503) and status == "loading":
        done = " (%d%%)" % progress if progress is not None else ""
        return answer("loading", http_status, status, progress, "Nessus is loading its plugins%s" % done)
    if status is not None:
        detail = "HTTP %s with status %r (neither ready nor loading)" % (http_status, status)
    else:
        error = body.get("error")
        detail = "HTTP %s without a Nessus status%s" % (http_status, ": %s" % error.strip()[:200]
                                                        if isinstance(error, str) and error.strip() else "")
    return answer("error", http_status, status, progress, detail)


def read_response(response):
    """The answer for an HTTP response to ``GET /server/status``."""
    try:
        body = decode_json(response, SYSTEM, "GET", STATUS_PATH)
    except UnexpectedResponseError as exc:
        return answer("error", response.status_code, detail="HTTP %s: %s" % (response.status_code, exc.message))
    return judge(response.status_code, body)


def no_answer(exc):
    """The answer when the transport got no HTTP answer: ``down``, but ``error`` for a certificate that failed."""
    if SSLError is not None and isinstance(exc.__context__, SSLError):
        return answer("error", detail="%s (%s)" % (exc.message, exc.hint) if exc.hint else exc.message)
    return answer("down", detail="no answer: %s" % exc.message)


class NessusClient(ApiClient):
    """``/server/status`` of any number of scanners, one HTTPS endpoint (and session) per address."""

    MODULE_PARAMS = ("port", "ca_path", "validate_certs", "timeout", "retries")

    def __init__(self, port=8834, ca_path=None, validate_certs=True, timeout=10.0, retries=1, backoff=0.5):
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("%s: port (NESSUS_PORT) must be a TCP port (1-65535), got %r" % (SYSTEM, port))
        if retries is None or retries < 0:
            raise ValueError("%s: retries must be 0 or more, got %r" % (SYSTEM, retries))
        if ca_path and not os.path.exists(ca_path):
            raise ValueError("%s: ca_path (NESSUS_CA_PATH) does not exist: %s" % (SYSTEM, ca_path))
        self.port = port
        self.validate_certs = validate_certs
        self._settings = dict(timeout=validate_timeout(timeout, SYSTEM), validate_certs=validate_certs,
                              ca_path=ca_path, retries=retries, backoff=backoff)
        self._endpoints = {}
        self._retry_log = []

    @classmethod
    def for_module(cls, module):
        """``from_module``, and the warning every run prints while the certificates are not checked (run_client
        prints it for clients with one ``http`` transport; this one has one per scanner)."""
        client = cls.from_module(module)
        warning = insecure_warning(SYSTEM, bool(client.validate_certs))
        if warning:
            module.warn(warning)
        return client

    @property
    def retry_log(self):
        return self._retry_log

    def close(self):
        for http in self._endpoints.values():
            http.close()
        self._endpoints = {}

    def endpoint(self, ip):
        """The transport for one scanner (built on first use), its retries logged with every other's."""
        host = url_host(ip)
        http = self._endpoints.get(host)
        if http is None:
            http = HttpClient("https://%s:%d" % (host, self.port), SYSTEM, setting="the scanner's address",
                              retry_statuses=NESSUS_RETRY_STATUSES, **self._settings)
            http.retry_log = self._retry_log
            self._endpoints[host] = http
        return http

    def server_status(self, ip):
        """``GET /server/status`` of the scanner at ``ip``: ``{state, http_status, status, progress, detail}``.

        ``state`` is ``ready``, ``loading`` (HTTP 503 or 200 with status loading), ``down`` (no answer: refused,
        timed out) or ``error`` (an answer that is not Nessus's, a status other than these, a TLS failure).
        """
        http = self.endpoint(ip)
        try:
            response = http.request("GET", STATUS_PATH)
        except TransportError as exc:
            return no_answer(exc)
        return read_response(response)

    def wait_for(self, ips, until=None, timeout=900.0, interval=2.0, clock=time.monotonic, sleep=time.sleep):
        """Ask every address until its answer meets ``until`` or ``timeout`` seconds have passed.

        ``until``: ``None`` (the first answer), ``ready``, or ``settled`` (anything but loading: a scanner that is
        down has settled). Addresses are asked one after another each round, every ``interval`` seconds; one that
        has met ``until`` is not asked again. Returns ``{ip: {answer, seconds, polls, timed_out}}``, ``seconds``
        being the time from the start to its last answer.
        """
        if until not in UNTIL:
            raise ValueError("%s: until must be one of ready, settled or None, got %r" % (SYSTEM, until))
        if timeout is None or timeout < 0:
            raise ValueError("%s: the wait's timeout must be 0 or more seconds, got %r" % (SYSTEM, timeout))
        if interval is None or interval <= 0:
            raise ValueError("%s: the poll interval must be a positive number of seconds, got %r" % (SYSTEM, interval))
        pending = list(dict.fromkeys(ips))
        for ip in pending:
            url_host(ip)  # every address is checked before the first request
        results = {ip: {"answer": None, "seconds": 0.0, "polls": 0, "timed_out": False} for ip in pending}

        def ask_all(since):
            for ip in list(pending):
                result = results[ip]
                result["answer"] = self.server_status(ip)
                result["polls"] += 1
                result["seconds"] = round(since(), 3)
                if UNTIL[until](result["answer"]):
                    pending.remove(ip)
            return not pending, None

        if poll_until(ask_all, timeout, interval, clock=clock, sleep=sleep, cut_to_timeout=True).timed_out:
            for ip in pending:
                results[ip]["timed_out"] = True
        return results


def describe_scanner(target, result):
    """What nessus_status_info returns for one scanner: its ``{name, ip}``, the last answer, and how the wait went."""
    reply = result["answer"]
    return dict(reply, name=target["name"], ip=target["ip"], ready=reply["state"] == "ready",
                waited={"seconds": result["seconds"], "polls": result["polls"], "timed_out": result["timed_out"]})
