# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A typed client for the Tenable Security Center REST API (``/rest``).

Authentication by API keys (``x-apikey`` header) or by session (``POST /rest/token``, then the
``X-SecurityCenter`` header and the ``TNS_SESSIONID`` cookie; ``DELETE /rest/token`` on close).
Every answer is read through Security Center's envelope: a non-zero ``error_code`` is an error even
with HTTP 200, and an error body served as ``text/html`` is still parsed as JSON. A failed login is
never retried, because Security Center locks accounts after repeated failures.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import env_fallback

from .transport import (
    http_argument_spec,
    AccountLockedError,
    ApiClient,
    ApiError,
    AuthError,
    HttpClient,
    NotFoundError,
    UnexpectedResponseError,
    decode_json,
)
from .compliance import due_runs_of, judge_due_runs
from .sc_types import normalize, to_int, usable_and_manageable

SYSTEM = "Security Center"

UNLOCK_HINT = (
    "Security Center locks an account after repeated failed logins, so this login was not retried. "
    "Unlock it through the SOS IdMgmt 'Reset User' page ('Unlock Security Center Account'), see the runbook "
    "section 'Unlocking my security center id', or prefer API keys (TSC_ACCESS_KEY/TSC_SECRET_KEY)."
)

# Connection options shared by every Security Center module (see doc fragment securitycenter).
SC_ARGUMENT_SPEC = dict(
    url=dict(type="str", required=True, fallback=(env_fallback, ["TSC_URL"])),
    access_key=dict(type="str", no_log=True, fallback=(env_fallback, ["TSC_ACCESS_KEY"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["TSC_SECRET_KEY"])),
    username=dict(type="str", fallback=(env_fallback, ["TSC_USERNAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["TSC_PASSWORD"])),
    auth=dict(type="str", default="auto", choices=["auto", "api_key", "session"]),
    **http_argument_spec("TSC"),
)

# What one list request asks for, so that a single GET serves a whole report (no request per item).
SCAN_FIELDS = (
    "id", "name", "description", "status", "type", "ipList", "zone", "policy", "schedule", "repository",
    "maxScanTime", "timeoutAction", "rolloverType", "createdTime", "modifiedTime", "owner",
)
SCAN_RESULT_FIELDS = (
    "id", "name", "description", "status", "scan", "details", "importStatus", "importStart", "importFinish",
    "importErrorDetails", "errorDetails", "running", "totalIPs", "scannedIPs", "completedIPs", "completedChecks",
    "totalChecks", "startTime", "finishTime", "createdTime", "scanDuration", "initiator", "owner", "repository",
    "resultType",
)
SCANNER_FIELDS = (
    "id", "name", "description", "status", "ip", "port", "enabled", "version", "uptime", "loadAvg", "numScans",
    "pluginSet", "zones", "agentCapable", "createdTime", "modifiedTime",
)


# What the compliance check reads: only the fields its verdicts and evidence use.
COMPLIANCE_SCAN_FIELDS = ("id", "name", "status", "zone", "schedule")
COMPLIANCE_RESULT_FIELDS = (
    "id", "name", "status", "scan", "importStatus", "importErrorDetails", "errorDetails", "totalIPs", "scannedIPs",
    "completedChecks", "totalChecks", "startTime", "finishTime", "createdTime",
)
# A run's result may be created a little before its due time (scheduler clock, queueing).
TOLERANCE_MINUTES = 10.0


class InvalidTokenError(AuthError):
    """Security Center error 12: the session token is invalid or expired."""


def credentials_mode(access_key, secret_key, username, password, auth="auto"):
    """Choose API keys or a session from what was given; raise ValueError naming what is missing."""
    keys = [bool(access_key), bool(secret_key)]
    login = [bool(username), bool(password)]
    if any(keys) and not all(keys):
        missing = "secret_key (TSC_SECRET_KEY)" if access_key else "access_key (TSC_ACCESS_KEY)"
        raise ValueError("%s: API key authentication needs both keys; %s is missing" % (SYSTEM, missing))
    if auth == "api_key" or (auth == "auto" and all(keys)):
        if not all(keys):
            raise ValueError("%s: auth=api_key needs access_key and secret_key (TSC_ACCESS_KEY, TSC_SECRET_KEY)" % SYSTEM)
        return "api_key"
    if any(login) and not all(login):
        missing = "password (TSC_PASSWORD)" if username else "username (TSC_USERNAME)"
        raise ValueError("%s: session authentication needs a username and a password; %s is missing" % (SYSTEM, missing))
    if not all(login):
        raise ValueError(
            "%s: no credentials; set access_key and secret_key (TSC_ACCESS_KEY, TSC_SECRET_KEY) "
            "or username and password (TSC_USERNAME, TSC_PASSWORD)" % SYSTEM
        )
    return "session"


class SecurityCenterClient(ApiClient):
    """Security Center API client. Use as a context manager so a session is logged out."""

    MODULE_PARAMS = ("url", "access_key", "secret_key", "username", "password", "auth", "ca_path", "validate_certs",
                     "timeout", "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = SC_ARGUMENT_SPEC

    def __init__(self, url, access_key=None, secret_key=None, username=None, password=None, auth="auto",
                 ca_path=None, validate_certs=True, timeout=30.0, retries=3, backoff=0.5):
        self.mode = credentials_mode(access_key, secret_key, username, password, auth)
        base = (url or "").rstrip("/")
        if base.endswith("/rest"):
            base = base[: -len("/rest")]
        self.http = HttpClient(base + "/rest" if base else base, SYSTEM, setting="url (TSC_URL)", timeout=timeout,
                               validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff)
        self.username = username
        self._password = password
        self._token = None
        self._login_lock = threading.Lock()  # one login at a time, when the compliance check reads in two threads
        self.logins = 0
        self.server_time = None  # Security Center's clock, from the last envelope's timestamp
        if self.mode == "api_key":
            self.http.session.headers["x-apikey"] = "accesskey=%s; secretkey=%s;" % (access_key, secret_key)

    def close(self):
        if self._token is not None:
            try:
                self._call("DELETE", "token", reauth=False)
            except ApiError:
                pass  # the session ends on its own; logging out is a courtesy
            self._token = None
        self.http.close()

    # -- transport -------------------------------------------------------------------------------

    def _envelope(self, response, method, path):
        path = "/rest/" + path
        body = decode_json(response, SYSTEM, method, path)
        if not isinstance(body, dict) or "error_code" not in body or "response" not in body:
            raise UnexpectedResponseError("answer is not a Security Center envelope", SYSTEM, method, path,
                                          status=response.status_code)
        self.server_time = to_int(body.get("timestamp")) or self.server_time
        code = to_int(body.get("error_code")) or 0
        message = (body.get("error_msg") or "").strip()
        if response.status_code >= 400 or code:
            raise self._error(response.status_code, code, message, method, path)
        return body["response"]

    def _error(self, status, code, message, method, path):
        """Security Center's error codes say more than its HTTP statuses: a locked account, a refused login, an expired
        session token, an object that does not exist; a 400 without a code is a refused key. Else the envelope's error."""
        args = dict(code=code, detail=message or None)
        if "lock" in message.lower() and path == "/rest/token":
            return self.error(status, method, path, "account %r is locked" % self.username, kind=AccountLockedError,
                              hint=UNLOCK_HINT, **args)
        special = {161: (AuthError, "login refused for user %r" % self.username, UNLOCK_HINT),
                   12: (InvalidTokenError, "the session token is invalid or expired", None),
                   147: (NotFoundError, "object not found", None)}
        if code in special:
            kind, text, hint = special[code]
            return self.error(status, method, path, text, kind=kind, hint=hint, **args)
        if status in (400, 401, 403) and not code:
            return self.error(status, method, path, "request refused (credentials or permissions)", kind=AuthError,
                              hint=self.auth_hint(), **args)
        # any other refusal: what its code and message say (an HTTP 404 or 403 with a code is no credential problem)
        return self.error(status, method, path, "unavailable" if status == 429 or status >= 500 else None, kind=ApiError,
                          **args)

    def auth_hint(self):
        return ("check TSC_ACCESS_KEY/TSC_SECRET_KEY: the keys are invalid, disabled, or belong to a user without access"
                if self.mode == "api_key" else None)

    def _headers(self):
        return {"X-SecurityCenter": self._token} if self._token is not None else None

    def _call(self, method, path, params=None, body=None, reauth=True, received=None):
        if self.mode == "session" and self._token is None and path != "token":
            with self._login_lock:
                if self._token is None:
                    self.login()
        token = self._token
        response = self.http.request(method, path, params=params, json_body=body, headers=self._headers())
        if received is not None:
            received()  # the answer is in (not yet decoded)
        try:
            return self._envelope(response, method, path)
        except InvalidTokenError:
            # A session expired mid-run (Security Center ends them after its sessionTimeout): the
            # request was refused before it was processed, so logging in again and resending once is safe.
            if self.mode != "session" or not reauth:
                raise
            with self._login_lock:
                if self._token == token:  # else another request already logged in again
                    self._token = None
                    self.http.session.cookies.clear()
                    self.login()
            response = self.http.request(method, path, params=params, json_body=body, headers=self._headers())
            return self._envelope(response, method, path)

    def login(self):
        """Open a session. Never retried on refusal; releases an old session when at the limit."""
        body = {"username": self.username, "password": self._password, "releaseSession": False}
        for _attempt in range(2):
            response = self.http.request("POST", "token", json_body=body)
            data = self._envelope(response, "POST", "token")
            if isinstance(data, dict) and data.get("token") not in (None, ""):
                self._token = str(data["token"])
                self.logins += 1
                return normalize(data)
            if isinstance(data, dict) and str(data.get("releaseSession")).lower() == "true":
                body = dict(body, releaseSession=True)  # at the session limit: take over the oldest
                continue
            break
        raise UnexpectedResponseError("login answered without a token", SYSTEM, "POST", "/rest/token")

    def get(self, path, params=None, received=None):
        """``GET /rest/<path>``; ``received`` is called once the answer's bytes are in, before they are decoded."""
        return self._call("GET", path, params=params, received=received)

    def post(self, path, body=None):
        return self._call("POST", path, body=body if body is not None else {})

    # -- resources --------------------------------------------------------------------------------

    @staticmethod
    def _fields(fields):
        return {"fields": ",".join(fields)} if fields else {}

    def system(self):
        return normalize(self.get("system"))

    def now(self):
        """Security Center's clock (epoch seconds): the one "now" for judging its data.

        Every answer's envelope carries the server's ``timestamp``; before the first answer, the cheapest request
        (``GET /rest/system``) asks for it. The controller's clock is never used: it may be days apart from the
        server's, and results, schedules and windows are all in the server's time.
        """
        if self.server_time is None:
            self.system()
        if self.server_time is None:
            raise UnexpectedResponseError("%s answered without a timestamp; cannot tell its time" % SYSTEM,
                                          system=SYSTEM, method="GET", path="/rest/system")
        return self.server_time

    def current_user(self):
        return normalize(self.get("currentUser", {"fields": "id,username,firstname,lastname,role"}))

    def list_scans(self, fields=SCAN_FIELDS, received=None):
        return normalize(usable_and_manageable(self.get("scan", self._fields(fields), received=received)), owned=True)

    def get_scan(self, scan_id, fields=None):
        return normalize(self.get("scan/%d" % int(scan_id), self._fields(fields)))

    def list_scan_results(self, start_time=None, end_time=None, filters=(), fields=SCAN_RESULT_FIELDS,
                          time_compare_field=None):
        params = self._fields(fields)
        if start_time is not None:
            params["startTime"] = int(start_time)
        if end_time is not None:
            params["endTime"] = int(end_time)
        if filters:
            params["filter"] = ",".join(filters)
        if time_compare_field:
            params["timeCompareField"] = time_compare_field
        return normalize(usable_and_manageable(self.get("scanResult", params)), owned=True)

    def launch_scan(self, scan_id):
        """``POST /rest/scan/{id}/launch``: never retried. Returns the new result's id and Security Center's answer."""
        data = normalize(self.post("scan/%d/launch" % int(scan_id), {}))
        return (data.get("scanResult") or {}).get("id"), data

    def get_scan_result(self, result_id, fields=None):
        return normalize(self.get("scanResult/%d" % int(result_id), self._fields(fields)))

    def list_scanners(self, fields=SCANNER_FIELDS):
        return normalize(self.get("scanner", self._fields(fields)))

    def get_scanner(self, scanner_id):
        return normalize(self.get("scanner/%d" % int(scanner_id)))

    def update_scanner_status(self):
        """Ask Security Center to re-check every scanner now; returns the statuses it reports."""
        data = self.post("scanner/updateStatus")
        return normalize((data or {}).get("status") or [])

    def list_zones(self, fields=None):
        return normalize(self.get("zone", self._fields(fields)))

    def get_zone(self, zone_id):
        return normalize(self.get("zone/%d" % int(zone_id)))


def fetch_and_check(client, select, period_hours, grace_minutes, durations, default_hours, maintenance, public_zones,
                    now=None, stall_minutes=30.0):
    """The daily compliance check: Security Center's clock, the definitions, the results of the period, the verdicts.

    ``select`` picks the definitions to check (a compiled JMESPath ``search``); the reference time is Security
    Center's clock (``GET /rest/system`` when no answer gave it yet) unless ``now`` is given. The results request
    (the large one) is sent as soon as the definitions' answer is in, and Security Center prepares it while the check
    decodes the definitions and reads their due runs, which need no result: what is left once the results are in is
    their verdicts. The cyclic garbage collector is paused meanwhile (the check allocates tens of thousands of small
    objects that live until it ends, and a full collection would walk them all again and again).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _fetch_and_check(client, select, period_hours, grace_minutes, durations, default_hours, maintenance,
                                public_zones, now, stall_minutes)
    finally:
        # what the check allocated is data without cycles (dicts, lists, strings), freed by reference counting when
        # the caller drops it: it goes to the oldest generation as it is, with no traversal (freeze then unfreeze
        # moves it there), instead of being walked by the first young collection after the collector is back on
        if not gc.get_freeze_count():  # (unless the process froze objects of its own: unfreeze would release them)
            gc.freeze()
            gc.unfreeze()
        if collecting:
            gc.enable()


def _fetch_and_check(client, select, period_hours, grace_minutes, durations, default_hours, maintenance, public_zones,
                     now, stall_minutes):
    now = now if now is not None else client.now()
    period_start = now - grace_minutes * 60 - period_hours * 3600
    arrived, sending, stopped = threading.Event(), threading.Event(), []

    def results():
        arrived.wait()
        sending.set()
        if stopped:  # the definitions could not be read: nothing more is asked
            return None
        return client.list_scan_results(start_time=period_start - TOLERANCE_MINUTES * 60, end_time=now,
                                        fields=COMPLIANCE_RESULT_FIELDS)

    def definitions_in():
        # the results request goes out now: decoding the definitions holds the interpreter for tens of milliseconds,
        # and the request would wait for it
        arrived.set()
        sending.wait(5)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sc-results") as pool:
        pending = pool.submit(results)
        try:
            definitions = client.list_scans(fields=COMPLIANCE_SCAN_FIELDS, received=definitions_in)
            selected = select(definitions)
            if not isinstance(selected, list) or not all(isinstance(item, dict) for item in selected):
                raise ValueError("scope must select a list of scan definitions, got %r" % (selected,))
            plan = due_runs_of(selected, now, period_hours, grace_minutes, durations, default_hours, public_zones)
        except BaseException:
            stopped.append(True)
            arrived.set()
            raise
        checked = len(selected)
        del definitions, selected  # the plan holds what the verdicts need: freed while Security Center answers
        found = pending.result()
    outcome = judge_due_runs(plan, found, maintenance, TOLERANCE_MINUTES, stall_minutes)
    outcome["requests"] = client.http.request_count - client.logins
    outcome["definitions_checked"] = checked
    return outcome


__all__ = ["SecurityCenterClient", "SC_ARGUMENT_SPEC", "InvalidTokenError", "NotFoundError", "credentials_mode"]
