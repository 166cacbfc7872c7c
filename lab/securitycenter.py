"""Tenable Security Center stand-in: the ``/rest`` API as documented in shared/docs/api/securitycenter.md.

What it reproduces: the six-key envelope on every answer; ids, counts, epochs and booleans as
strings and ``-1`` as the null reference; errors as HTTP 403 with ``error_code`` 12 (invalid token),
142 (bad parameters), 147 (no such object) and 161 (bad login), served as ``text/html`` like the
real captures; unauthenticated ``GET /rest/system`` without ``version``; token login with an integer
token and a 32-hex ``TNS_SESSIONID`` cookie, ``releaseSession`` at the session limit, session expiry,
lockout after N failed logins; both API-key header spellings; ``scanResult`` list (time window,
``filter``, ``fields``, ``usable``/``manageable``) and detail (with ``progress``) following the
status machine in simulated time; ``scan`` with schedules and ``launch``; ``scanner`` with the status
bit field and ``updateStatus``; ``zone``. Unknown query parameters are ignored, as SC does.

Requests the real Security Center refuses, and that a client sends only by mistake, raise ``ContractViolation``
with SC's own error answer (HTTP 403, the envelope, ``error_code``), so that every lab test fails on them: see
``refuse``. Only what shared/docs/api/securitycenter.md supports: unknown ``fields`` names are not refused (the
brief, section 1.6: "Unknown field names: behaviour UNCONFIRMED (simulator: ignore them)").

Lab assumptions where the brief says UNCONFIRMED: a wrong password answers HTTP 403; a locked account
answers HTTP 403, error_code 161 and a message that says the account is locked (configurable).
"""

from __future__ import annotations

import bisect
import gc
import secrets
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.routing import Map, Rule

from .core import ContractViolation, json_response

WAITING = ("Queued", "Preparing")
# Scanner status bits that mean "not working" (Tenable's status table): 2..64, 16384, 32768, 131072, 524288.
SCANNER_ERROR_BITS = 0x7E | 0x4000 | 0x8000 | 0x20000 | 0x80000
DEFAULT_LIST_FIELDS = ("id", "name", "description", "status")
OWNER = {"id": "2", "username": "sre-automation", "firstname": "SRE", "lastname": "Automation"}
OWNER_GROUP = {"id": "0", "name": "Full Access", "description": "Full Access group"}


def s(value):
    """Security Center's string typing: numbers and booleans as strings, None as -1."""
    if value is None:
        return "-1"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value))
    return str(value)


def ref(obj):
    if not obj:
        return {"id": -1, "name": "", "description": ""}
    return {"id": s(obj["id"]), "name": obj["name"], "description": obj.get("description", "")}


class ScError(Exception):
    def __init__(self, code, message, status=403):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def pick_fields(obj, fields, defaults):
    wanted = fields or defaults
    if wanted is None:
        return obj
    out = {"id": obj["id"]}
    for name in wanted:
        if name in obj:
            out[name] = obj[name]
    return out


def ip_range(start_index, count, base="10.190"):
    """An SC-style range string of ``count`` addresses (documentation-only addresses, never contacted)."""
    if count <= 0:
        return ""
    first, last = start_index, start_index + count - 1

    def addr(i):
        return "%s.%d.%d" % (base, i // 250, i % 250 + 1)
    return addr(first) if count == 1 else "%s-%s" % (addr(first), addr(last))


class ScanRun:
    """One scan result: created at ``created``; its status follows ``plan`` in simulated time."""

    def __init__(self, rid, scan, created, plan, zone_scanners, zone_ready=None):
        self.id = rid
        self.scan = scan
        self.created = float(created)
        self.plan = dict(plan)
        self.zone_scanners = zone_scanners
        self.name = scan["name"] if scan else plan.get("name", "Manual Import")
        # A launched run waits for every scanner of its zone to work: Security Center spreads the scan's
        # chunks over them, and chunks sent to a dead scanner do not move (the runbook's "0 IPs scanned").
        self.zone_ready = zone_ready
        self.ready_at = None if zone_ready else self.created

    def start_at(self, now):
        if self.ready_at is None and self.zone_ready(now):
            self.ready_at = max(now, self.created)
        return self.ready_at

    def phase(self, now):
        p = self.plan
        queued, preparing = float(p.get("queue", 20)), float(p.get("prepare", 40))
        duration = float(p.get("duration", 3600))
        began = self.start_at(now)
        if began is None:
            return "Queued", 0.0
        t = now - began
        if p.get("stuck") == "queued" or t < queued:
            return "Queued", 0.0
        if t < queued + preparing:
            return "Preparing", 0.0
        if p.get("stuck") == "running":  # Running for good, at stuck_at of its work (0: no IP scanned yet)
            return "Running", float(p.get("stuck_at", 0.0))
        if t < queued + preparing + duration:
            return "Running", (t - queued - preparing) / duration
        return p.get("final", "Completed"), 1.0

    def view(self, now, detail=False):
        p = self.plan
        status, fraction = self.phase(now)
        total = int(p.get("total_ips", 256))
        final_scanned = int(p.get("scanned_ips", total if p.get("final", "Completed") != "Error" else 0))
        start = (self.start_at(now) or self.created) + float(p.get("queue", 20)) + float(p.get("prepare", 40))
        finished = status in ("Completed", "Partial", "Error")
        running = status not in ("Completed", "Partial", "Error")
        if status in WAITING:
            scanned, total_ips = 0, None
        elif finished:
            scanned, total_ips = final_scanned, total
        else:
            scanned, total_ips = int(final_scanned * fraction), total
        checks_per_host = int(p.get("checks_per_host", 100))
        finish = start + float(p.get("duration", 3600)) if finished else None
        import_status = "No Results"
        import_start = import_finish = None
        if finished and scanned > 0:
            import_status = p.get("import_status", "Finished")
            import_start, import_finish = finish + 2, (finish + 3 if import_status == "Finished" else None)
        out = {
            "id": s(self.id),
            "name": self.name,
            "description": "",
            "details": (self.scan or {}).get("policy", {}).get("name", "Plugin #"),
            "status": status,
            "importStatus": import_status,
            "importStart": s(import_start),
            "importFinish": s(import_finish),
            "importDuration": s(1 if import_finish else None),
            "importErrorDetails": p.get("import_error_details", "") if import_status == "Error" else "",
            "diagnosticAvailable": "false",
            "downloadAvailable": s(finished and scanned > 0),
            "downloadFormat": "v2",
            "dataFormat": "IPv4",
            "resultType": "active",
            "resultSource": "internal",
            "running": s(running),
            "errorDetails": p.get("error_details", "") if status in ("Partial", "Error") else "",
            "totalIPs": s(total_ips),
            "scannedIPs": s(scanned),
            "startTime": s(start if status not in WAITING else None),
            "finishTime": s(finish),
            "createdTime": s(self.created),
            "scanDuration": s((finish or now) - start if status not in WAITING else None),
            "completedIPs": s(scanned),
            "completedChecks": s(scanned * checks_per_host),
            "totalChecks": s((total_ips or 0) * checks_per_host),
            "canUse": "true",
            "canManage": "true",
            "resultsSyncID": "-1",
            "jobID": s(100000 + self.id),
            "initiator": OWNER,
            "owner": OWNER,
            "ownerGroup": OWNER_GROUP,
            "scan": ref(self.scan),
            "repository": {"id": "1", "name": "ALC", "description": ""},
        }
        if detail:
            out["progress"] = self.progress(status, scanned, total_ips, checks_per_host) if status not in WAITING else []
        return out

    def progress(self, status, scanned, total_ips, checks_per_host):
        total = total_ips or 0
        stuck = self.plan.get("stuck") == "running"
        scanning = 0 if (status != "Running" or stuck) else min(int(self.plan.get("parallel_hosts", 16)), total - scanned)
        scanners = []
        for index, scanner in enumerate(self.zone_scanners or []):
            even = scanned // len(self.zone_scanners)
            share = even if index else scanned - even * (len(self.zone_scanners) - 1)
            scanners.append({
                "id": s(scanner["id"]), "name": scanner["name"], "description": "", "loadAvg": "0.4",
                "chunkCompleted": s(share), "completedChecks": s(share * checks_per_host), "chunks": [],
                "scannedIPs": ip_range(0, share), "scannedSize": share, "scanningIPs": "", "scanningSize": 0,
                "awaitingDownloadIPs": "", "awaitingDownloadSize": 0, "deadHostIPs": "", "deadHostSize": 0,
                "distributedSize": share,
            })
        return {
            "completedIPs": s(scanned), "completedChecks": s(scanned * checks_per_host),
            "totalChecks": s(total * checks_per_host), "checksPerHost": s(checks_per_host), "totalIPs": s(total),
            "runState": "Running" if status == "Running" else "Stopped", "status": status,
            "scanningIPs": ip_range(scanned, scanning), "scanningSize": scanning,
            "scannedIPs": ip_range(0, scanned), "scannedSize": scanned,
            "awaitingDownloadIPs": "", "awaitingDownloadSize": 0, "deadHostIPs": "", "deadHostSize": 0,
            "distributedSize": total, "scanners": scanners,
        }


def occurrences(schedule, start_epoch, end_epoch):
    """The lab's own reading of a schedule: due times (epochs) in [start, end) for ical DAILY/WEEKLY rules."""
    if not schedule or schedule.get("type") != "ical" or str(schedule.get("enabled", "true")).lower() != "true":
        return []
    tzid, _sep, stamp = schedule["start"].partition(":")
    zone = ZoneInfo(tzid.split("=", 1)[1]) if tzid.startswith("TZID=") else ZoneInfo("UTC")
    first = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
    rule = dict(part.split("=", 1) for part in schedule.get("repeatRule", "").split(";") if "=" in part)
    interval = int(rule.get("INTERVAL", 1))
    days = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
    byday = [days[d] for d in rule.get("BYDAY", "").split(",") if d in days]
    out = []
    # Days before the one preceding start_epoch's local day cannot give a due time in [start, end): the walk starts
    # there, not at the schedule's first day, so that its cost is the period's days, not the schedule's age.
    day = max(first.date(), datetime.fromtimestamp(start_epoch, zone).date() - timedelta(days=1))
    end_day = datetime.fromtimestamp(end_epoch, zone).date() + timedelta(days=1)
    at = first.timetz().replace(tzinfo=None)
    while day <= end_day:
        delta = (day - first.date()).days
        due = False
        if rule.get("FREQ") == "DAILY":
            due = delta % interval == 0
        elif rule.get("FREQ") == "WEEKLY":
            weeks = delta // 7
            due = weeks % interval == 0 and (day.weekday() in byday if byday else day.weekday() == first.weekday())
        if due:
            epoch = datetime.combine(day, at).replace(tzinfo=zone).timestamp()
            if start_epoch <= epoch < end_epoch:
                out.append(epoch)
        day += timedelta(days=1)
    return out


class SecurityCenter:
    """State and API of the Security Center stand-in."""

    def __init__(self, spec, clock, secrets_store, scanner_address):
        self.clock = clock
        self.lock = threading.RLock()
        self.version = spec.get("version", "6.4.0")
        self.session_timeout = int(spec.get("session_timeout", 3600))
        self.max_login_attempts = int(spec.get("max_login_attempts", 5))
        self.max_sessions = int(spec.get("max_sessions", 20))
        self.locked_error = spec.get("locked_error") or {
            "error_code": 161, "error_msg": "Account is locked. An administrator must unlock the account.\n"}
        self.users = {}
        for user in spec.get("users") or [{"username": "sre-automation", "role": "admin"}]:
            name = user["username"]
            self.users[name] = {
                "id": len(self.users) + 2, "username": name, "role": user.get("role", "admin"),
                "password": user.get("password") or secrets_store.new("TSC_PASSWORD" if not self.users else "tsc_password_" + name),
                "failed": int(user.get("failed_logins", 0)), "locked": bool(user.get("locked", False)),
            }
        primary = next(iter(self.users))
        self.api_keys = {}
        for index, key in enumerate(spec.get("api_keys") or [{"username": primary}]):
            access = key.get("access_key") or secrets_store.new("TSC_ACCESS_KEY" if index == 0 else "tsc_access_key_%d" % index)
            secret = key.get("secret_key") or secrets_store.new("TSC_SECRET_KEY" if index == 0 else "tsc_secret_key_%d" % index)
            self.api_keys[access.lower()] = (secret, key.get("username", primary))
        self.sessions = {}  # token -> {user, cookie, seen}
        self.zones, self.scanners, self.scans, self.runs = {}, {}, {}, {}
        self._by_created = []  # (created, id) of every run, in order: a time window is a slice, not a walk of all runs
        self._next_runs = {}  # a schedule's reading for nextRun, shared by the scans that have the same schedule
        self._next_run_id = int(spec.get("first_result_id", 1000))
        collecting = gc.isenabled()
        gc.disable()  # hundreds of thousands of long-lived runs: no cyclic collection while they are created
        self._seeding = True
        try:
            self._load(spec, scanner_address)
        finally:
            self._seeding = False
            self._by_created.sort()
            # the seeded world lives as long as the lab: out of the collector's walks (a full collection over 600,000
            # runs held an answer for 0.4 s now and then, which Security Center does not do)
            gc.freeze()
            if collecting:
                gc.enable()
        self.url_map = Map([
            Rule("/rest/system", endpoint="system", methods=["GET"]),
            Rule("/rest/status", endpoint="status", methods=["GET"]),
            Rule("/rest/token", endpoint="token", methods=["POST", "DELETE"]),
            Rule("/rest/currentUser", endpoint="current_user", methods=["GET"]),
            Rule("/rest/scan", endpoint="scans", methods=["GET"]),
            Rule("/rest/scan/<int:sid>", endpoint="scan", methods=["GET"]),
            Rule("/rest/scan/<int:sid>/launch", endpoint="launch", methods=["POST"]),
            Rule("/rest/scanResult", endpoint="results", methods=["GET"]),
            Rule("/rest/scanResult/<int:rid>", endpoint="result", methods=["GET"]),
            Rule("/rest/scanner", endpoint="scanners", methods=["GET"]),
            Rule("/rest/scanner/updateStatus", endpoint="update_status", methods=["POST"]),
            Rule("/rest/scanner/<int:sid>", endpoint="scanner", methods=["GET"]),
            Rule("/rest/zone", endpoint="zones", methods=["GET"]),
            Rule("/rest/zone/<int:zid>", endpoint="zone", methods=["GET"]),
        ])

    # -- scenario --------------------------------------------------------------------------------

    def _load(self, spec, scanner_address):
        created = int(self.clock.now()) - 400 * 86400
        for zone_spec in spec.get("zones") or []:
            zid = len(self.zones) + 1
            zone = {"id": zid, "name": zone_spec["name"], "description": zone_spec.get("description", ""),
                    "ipList": zone_spec.get("ip_list", ""), "created": created, "scanners": []}
            self.zones[zid] = zone
            for scanner_spec in zone_spec.get("scanners") or []:
                self._add_scanner(scanner_spec, zone, scanner_address)
        for scanner_spec in spec.get("unzoned_scanners") or []:
            self._add_scanner(scanner_spec, None, scanner_address)
        zones_by_name = {z["name"]: z for z in self.zones.values()}
        for scan_spec in (spec.get("scans") or []) + (spec.get("extra_scans") or []):
            sid = int(scan_spec.get("id", len(self.scans) + 1))
            zone = zones_by_name.get(scan_spec.get("zone")) if scan_spec.get("zone") else None
            self.scans[sid] = {
                "id": sid, "name": scan_spec["name"], "description": scan_spec.get("description", ""),
                "zone": zone, "policy": {"id": 1000001 + sid % 3, "name": scan_spec.get("policy", "ALC vulnerability scan")},
                "schedule": dict(scan_spec.get("schedule") or {"type": "template"}),
                "max_scan_time": scan_spec.get("max_scan_time", 86400),
                "ip_list": scan_spec.get("ip_list", ""), "run": scan_spec.get("run") or {},
                "launch": dict(scan_spec.get("run") or {}, **(scan_spec.get("launch") or {})),
                "latest": scan_spec.get("latest"), "created": created,
            }
        history = spec.get("history") or {}
        days = float(history.get("days", 3))
        now = self.clock.now()
        for scan in self.scans.values():
            try:
                due = occurrences(scan["schedule"], now - days * 86400, now)
            except (ValueError, KeyError):
                continue  # a schedule Security Center stores but nothing runs from
            for index, when in enumerate(due):
                plan = dict(scan["run"])
                if index == len(due) - 1 and scan["latest"] is not None:
                    if scan["latest"] == "missing":
                        continue
                    plan.update(scan["latest"])
                self.add_run(scan, when + float(plan.pop("delay", 0)), plan)
        for result_spec in spec.get("results") or []:
            scan = next((x for x in self.scans.values() if x["name"] == result_spec.get("scan")), None)
            plan = dict(result_spec)
            plan.pop("scan", None)
            created_at = now + float(plan.pop("created_offset", -3600))
            self.add_run(scan, created_at, plan)

    def _add_scanner(self, spec, zone, scanner_address):
        sid = len(self.scanners) + 1
        scanner = {
            "id": sid, "name": spec["name"], "description": spec.get("description", ""),
            "ip": spec.get("ip") or scanner_address(spec["name"], sid), "port": spec.get("port", 8834),
            "status": int(spec.get("status", 1)), "status_pinned": "status" in spec, "enabled": spec.get("enabled", True),
            "version": spec.get("version", "10.7.3"), "zones": [zone] if zone else [],
            "uptime": spec.get("uptime", 3456789), "created": zone["created"] if zone else 0,
        }
        self.scanners[sid] = scanner
        if zone:
            zone["scanners"].append(scanner)

    def add_run(self, scan, created, plan, launched=False):
        with self.lock:
            rid = self._next_run_id
            self._next_run_id += 1
            zone_scanners = (scan or {}).get("zone", {}) and scan["zone"]["scanners"]
            ready = None
            if launched and zone_scanners:
                def ready(now, scanners=tuple(zone_scanners)):
                    return all(self.status_of(x) & 1 and not self.status_of(x) & SCANNER_ERROR_BITS for x in scanners)
            run = self.runs[rid] = ScanRun(rid, scan, created, plan, zone_scanners or [], ready)
            entry = (run.created, rid)
            if self._seeding or not self._by_created or entry > self._by_created[-1]:
                self._by_created.append(entry)  # seeding (sorted once at its end), or a run launched now
            else:
                bisect.insort(self._by_created, entry)
            return run

    # -- envelope ---------------------------------------------------------------------------------

    def envelope(self, response, code=0, message=""):
        return {"type": "regular", "response": response, "error_code": code, "error_msg": message,
                "warnings": [], "timestamp": int(self.clock.now())}

    def ok(self, payload):
        return json_response(self.envelope(payload))

    def error_body(self, status, message, action=None):
        action = action or {}
        return self.envelope("", int(action.get("error_code", 0 if status >= 500 else 142)), message)

    def refuse(self, error, rule):
        """A request SC refuses and a correct client never sends: SC's error answer, counted as a violation."""
        raise ContractViolation(self.fail(error), "Security Center: %s" % rule)

    def fail(self, error):
        return json_response(self.envelope("" if error.code != 161 else [], error.code, error.message),
                             status=error.status, content_type="text/html; charset=UTF-8")

    # -- auth -------------------------------------------------------------------------------------

    def authenticate(self, request):
        """The user behind a request, or ScError. Keys and token together are refused (400), as documented."""
        header = request.headers.get("x-apikey")
        token = request.headers.get("X-SecurityCenter")
        if header and token:
            # securitycenter.md 1.3: "API keys: token + keys both sent ... 400 (documented)" [DOCS-UI APIKeyAuthorization.htm]
            self.refuse(ScError(0, "", status=400), "API keys and a session token in the same request")
        if header:
            parts = {}
            for item in header.replace(" ", "").split(";"):
                if "=" in item:
                    key, _sep, value = item.partition("=")
                    parts[key.lower()] = value
            entry = self.api_keys.get(parts.get("accesskey", "").lower())
            if not entry or not secrets.compare_digest(entry[0], parts.get("secretkey", "")):
                raise ScError(0, "", status=403)  # what SC 5.20 answers to bogus keys
            return self.users[entry[1]]
        if token:
            with self.lock:
                session = self.sessions.get(token)
                now = self.clock.now()
                cookie = request.cookies.get("TNS_SESSIONID")
                if session and cookie == session["cookie"] and now - session["seen"] <= self.session_timeout:
                    session["seen"] = now
                    return self.users[session["user"]]
                self.sessions.pop(token, None)
        raise ScError(12, "This request contains an invalid token.")

    def login(self, request):
        body = request.get_json(silent=True) or {}
        name, password = body.get("username"), body.get("password")
        release = str(body.get("releaseSession", "false")).lower() == "true"
        with self.lock:
            user = self.users.get(name)
            if user and user["locked"]:
                raise ScError(int(self.locked_error["error_code"]), self.locked_error["error_msg"])
            if not user or not secrets.compare_digest(user["password"], str(password or "")):
                if user:
                    user["failed"] += 1
                    if user["failed"] >= self.max_login_attempts:
                        user["locked"] = True
                raise ScError(161, "Invalid login credentials\n")
            mine = sorted((t for t, v in self.sessions.items() if v["user"] == name), key=lambda t: self.sessions[t]["seen"])
            if len(mine) >= self.max_sessions:
                if not release:
                    return self.ok({"releaseSession": True})
                for old in mine[: len(mine) - self.max_sessions + 1]:
                    self.sessions.pop(old)
            token = str(secrets.randbelow(9 * 10 ** 9) + 10 ** 9)
            cookie = secrets.token_hex(16)
            self.sessions[token] = {"user": name, "cookie": cookie, "seen": self.clock.now()}
            failed, user["failed"] = user["failed"], 0
        payload = {"lastLogin": s(int(self.clock.now()) - 86400), "lastLoginIP": "127.0.0.1", "failedLogins": s(failed),
                   "failedLoginIP": "127.0.0.1", "lastFailedLogin": "-1", "token": int(token), "unassociatedCert": "false"}
        response = self.ok(payload)
        response.set_cookie("TNS_SESSIONID", cookie, path="/", secure=True, httponly=True, samesite="Strict")
        return response

    def expire_sessions(self):
        with self.lock:
            self.sessions.clear()

    # -- dispatch ---------------------------------------------------------------------------------

    def __call__(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        endpoint, args = adapter.match()
        try:
            if endpoint == "token" and request.method == "POST":
                return self.login(request)
            if endpoint == "system":
                return self.system(request)
            user = self.authenticate(request)
            if endpoint == "token":  # DELETE
                self.sessions.pop(request.headers.get("X-SecurityCenter"), None)
                return self.ok("")
            return getattr(self, "ep_" + endpoint)(request, user, **args)
        except ScError as error:
            return self.fail(error)

    def fields(self, request):
        value = request.args.get("fields")
        return [f for f in value.split(",") if f] if value else None

    def system(self, request):
        base = {"buildID": "202611010000", "releaseID": "202611010000", "uuid": "3f5e1c5a-6c1c-4d3c-9b0a-5a1d2b7c9e10",
                "logo": "assets/img/logo.png", "serverAuth": "any", "serverClassification": "None",
                "sessionTimeout": s(self.session_timeout), "licenseStatus": "Valid", "ACAS": "false",
                "PasswordComplexity": "false", "timezones": [{"name": "UTC", "gmtOffset": 0}]}
        if request.headers.get("x-apikey") or request.headers.get("X-SecurityCenter"):
            self.authenticate(request)
            base["version"] = self.version
        return self.ok(base)

    # -- endpoints --------------------------------------------------------------------------------

    def ep_status(self, request, user):
        return self.ok({"jobd": "Running", "licenseStatus": "Valid", "activeIPs": "6400", "licensedIPs": "102400"})

    def ep_current_user(self, request, user):
        return self.ok({"id": s(user["id"]), "username": user["username"], "firstname": "SRE", "lastname": "Automation",
                        "role": {"id": "1", "name": "Administrator" if user["role"] == "admin" else "Security Manager"}})

    def scan_view(self, scan):
        sched = dict(scan["schedule"])
        out_sched = {"id": s(scan["id"] + 500), "objectType": "scan", "type": sched.get("type", "template"),
                     "start": sched.get("start", ""), "repeatRule": sched.get("repeatRule", ""),
                     "nextRun": self.next_run(scan)}
        if "enabled" in sched or out_sched["type"] in ("ical", "dependent"):
            out_sched["enabled"] = s(str(sched.get("enabled", "true")).lower() == "true")
        if out_sched["type"] == "dependent":
            dep = next((x for x in self.scans.values() if x["name"] == sched.get("dependent")), None)
            out_sched["dependentID"] = s(dep["id"]) if dep else "-1"
            out_sched["dependent"] = {**ref(dep), "status": "0"} if dep else ref(None)
        max_time = scan["max_scan_time"]
        return {
            "id": s(scan["id"]), "name": scan["name"], "description": scan["description"], "status": "0",
            "ipList": scan["ip_list"], "type": "policy", "dhcpTracking": "false", "classifyMitigatedAge": "0",
            "emailOnLaunch": "false", "emailOnFinish": "false", "timeoutAction": "import",
            "scanningVirtualHosts": "false", "rolloverType": "template", "createdTime": s(scan["created"]),
            "modifiedTime": s(scan["created"]), "maxScanTime": "unlimited" if max_time in (None, "unlimited") else s(max_time),
            "reports": [], "assets": [], "credentials": [], "numDependents": "0", "schedule": out_sched,
            "policy": {"id": s(scan["policy"]["id"]), "context": "", "name": scan["policy"]["name"], "description": "",
                       "tags": "", "owner": OWNER, "ownerGroup": OWNER_GROUP},
            "policyPrefs": [], "repository": {"id": "1", "name": "ALC", "description": ""}, "canUse": "true",
            "canManage": "true", "plugin": {"id": -1, "name": "", "description": ""}, "zone": ref(scan["zone"]),
            "ownerGroup": OWNER_GROUP, "creator": OWNER, "owner": OWNER,
        }

    def next_run(self, scan):
        now = self.clock.now()
        schedule = scan["schedule"]
        try:
            key = tuple(sorted((k, type(v).__name__, v) for k, v in schedule.items()
                               if k in ("type", "enabled", "start", "repeatRule")))
            hash(key)
        except TypeError:
            key = None
        known = self._next_runs.get(key) if key is not None else None
        if known is not None:
            since, due = known
            # the due times read at `since` for [since, since + 15 days) hold the first one at or after now, if any
            # falls before since + 15 days; a later one needs a new reading
            if since <= now:
                index = bisect.bisect_left(due, now)
                if index < len(due):
                    return int(due[index])
        try:
            due = occurrences(schedule, now, now + 15 * 86400)
        except (ValueError, KeyError):
            return 0
        if key is not None:
            self._next_runs[key] = (now, due)
        return int(due[0]) if due else 0

    def ep_scans(self, request, user):
        fields = self.fields(request)
        items = [pick_fields(self.scan_view(x), fields, DEFAULT_LIST_FIELDS) for x in self.scans.values()]
        return self.ok({"usable": items, "manageable": items})

    def scan_or_fail(self, sid):
        scan = self.scans.get(sid)
        if not scan:
            raise ScError(147, "Scan #%d does not exist.\n" % sid)
        return scan

    def ep_scan(self, request, user, sid):
        return self.ok(pick_fields(self.scan_view(self.scan_or_fail(sid)), self.fields(request), None))

    def ep_launch(self, request, user, sid):
        if sid not in self.scans:
            # securitycenter.md 1.3: an object that does not exist is HTTP 403, error_code 147 [CAS test_scans_delete];
            # a client launches only a scan it read from GET /scan, so launching an unknown id is its mistake
            self.refuse(ScError(147, "Scan #%d does not exist.\n" % sid), "launch of scan #%d, which does not exist" % sid)
        scan = self.scan_or_fail(sid)
        run = self.add_run(scan, self.clock.now(), scan["launch"], launched=True)
        view = run.view(self.clock.now())
        result = {"initiatorID": s(user["id"]), "ownerID": s(user["id"]), "scanID": s(sid), "resultsSyncID": -1,
                  "jobID": view["jobID"], "repositoryID": "1", "name": scan["name"], "description": "",
                  "details": view["details"], "status": "Queued", "downloadFormat": "v2", "dataFormat": "IPv4",
                  "resultType": "active", "id": s(run.id)}
        return self.ok({"scanID": s(sid), "scanResult": result})

    def epoch_arg(self, request, name, default):
        """securitycenter.md 3.1: ``startTime``, ``endTime`` - ``<number:epoch>`` [DOCS Scan-Result]; anything else is
        a bad request parameter, 403 with error_code 142 (1.3: "bad request parameters ... 403, 142" [ISSUE 73])."""
        value = request.args.get(name)
        if value in (None, ""):
            return default
        try:
            return float(int(value))
        except ValueError:
            return self.refuse(ScError(142, "Invalid parameter '%s': it must be a number (epoch seconds).\n" % name),
                               "scanResult %s=%r is not an epoch number" % (name, value))

    def ep_results(self, request, user):
        now = self.clock.now()
        start = self.epoch_arg(request, "startTime", now - 30 * 86400)
        end = self.epoch_arg(request, "endTime", now)
        compare = request.args.get("timeCompareField") or "createdTime"
        filters = set()
        for value in request.args.getlist("filter"):
            filters.update(f for f in value.split(",") if f)
        fields = self.fields(request)
        if fields and "progress" in fields:
            # securitycenter.md 3.1: 'Note: field "progress" not allowed. To get this field, you must specify a
            # specific scanResult (id).' [DOCS Scan-Result]
            self.refuse(ScError(142, "Invalid field 'progress': to get this field, you must specify a specific "
                                     "scanResult (id).\n"), "scanResult list with fields=progress")
        items = []
        with self.lock:
            if compare == "finishTime":  # finished in the window: created at any time before
                runs = list(self.runs.values())
            else:  # created in [start, end] and not after now: a slice of the runs in creation order
                low = bisect.bisect_left(self._by_created, (start, float("-inf")))
                high = bisect.bisect_right(self._by_created, (min(end, now), float("inf")))
                runs = [self.runs[rid] for _created, rid in self._by_created[low:high]]
        for run in runs:
            if run.created > now or (compare != "finishTime" and not start <= run.created <= end):
                continue
            view = run.view(now)
            stamp = float(view["finishTime"] if compare == "finishTime" else view["createdTime"])
            if stamp < 0 or not start <= stamp <= end:
                continue
            if "running" in filters and view["running"] != "true":
                continue
            if "completed" in filters and view["running"] == "true":
                continue
            items.append(pick_fields(view, fields, DEFAULT_LIST_FIELDS))
        items.sort(key=lambda item: int(item["id"]))
        payload = {}
        if "usable" in filters or "manageable" not in filters:
            payload["usable"] = items
        if "manageable" in filters or "usable" not in filters:
            payload["manageable"] = items
        return self.ok(payload)

    def ep_result(self, request, user, rid):
        run = self.runs.get(rid)
        if not run or run.created > self.clock.now():
            raise ScError(147, "Unable to retrieve Scan Result #%d.\nScan Result #%d does not exist.\n" % (rid, rid))
        return self.ok(pick_fields(run.view(self.clock.now(), detail=True), self.fields(request), None))

    def status_of(self, scanner):
        machine = scanner.get("machine")
        if machine is not None and not scanner.get("status_pinned"):
            return machine.sc_status(self.clock.now())
        return scanner["status"]

    def scanner_view(self, scanner):
        status = self.status_of(scanner)
        return {
            "id": s(scanner["id"]), "name": scanner["name"], "description": scanner["description"],
            "ip": scanner["ip"], "port": s(scanner["port"]), "useProxy": "false", "enabled": s(scanner["enabled"]),
            "verifyHost": "false", "managePlugins": "false", "authType": "password", "cert": None,
            "username": "nessus-sc", "password": "SET", "agentCapable": "false", "version": scanner["version"],
            "webVersion": None, "admin": "false", "msp": "false", "numScans": "0", "numHosts": "0",
            "numSessions": "0", "numTCPSessions": "0", "loadAvg": "0.1",
            "uptime": s(scanner["uptime"]) if status & 1 else -1, "status": s(status),
            "pluginSet": "202611250412", "loadedPluginSet": "202611250412", "serverUUID": None,
            "createdTime": s(scanner["created"]), "modifiedTime": s(scanner["created"]),
            "zones": [ref(z) for z in scanner["zones"]], "nessusManagerOrgs": [],
        }

    def ep_scanners(self, request, user):
        if user["role"] != "admin":
            return self.ok([])  # org users only see agent-capable scanners, and ours are not
        defaults = ("id", "name", "description", "agentCapable", "status")
        return self.ok([pick_fields(self.scanner_view(x), self.fields(request), defaults) for x in self.scanners.values()])

    def ep_scanner(self, request, user, sid):
        scanner = self.scanners.get(sid)
        if not scanner:
            raise ScError(147, "Scanner #%d does not exist.\n" % sid)
        return self.ok(pick_fields(self.scanner_view(scanner), self.fields(request), None))

    def ep_update_status(self, request, user):
        if user["role"] != "admin":
            raise ScError(142, "Only administrators may update scanner status.\n")
        return self.ok({"status": [{"id": s(x["id"]), "name": x["name"], "description": x["description"],
                                    "status": s(self.status_of(x))} for x in self.scanners.values()]})

    def zone_view(self, zone):
        statuses = {x["id"]: self.status_of(x) for x in zone["scanners"]}
        scanners = [{"id": s(x["id"]), "name": x["name"], "description": x["description"], "status": s(statuses[x["id"]])}
                    for x in zone["scanners"]]
        return {
            "id": s(zone["id"]), "name": zone["name"], "description": zone["description"], "ipList": zone["ipList"],
            "createdTime": s(zone["created"]), "modifiedTime": s(zone["created"]), "scanners": scanners,
            "organizations": [{"id": "1", "name": "ALC", "description": ""}],
            "activeScanners": sum(1 for x in zone["scanners"] if statuses[x["id"]] & 1 and not statuses[x["id"]] & SCANNER_ERROR_BITS),
            "totalScanners": len(zone["scanners"]),
            "uuid": "00000000-0000-4000-8000-%012d" % zone["id"],
            "SCI": {"id": "1", "name": "Local", "description": "This Tenable.sc system"},
        }

    def ep_zones(self, request, user):
        return self.ok([pick_fields(self.zone_view(z), self.fields(request), None) for z in self.zones.values()])

    def ep_zone(self, request, user, zid):
        zone = self.zones.get(zid)
        if not zone:
            raise ScError(147, "Scan Zone #%d does not exist.\n" % zid)
        return self.ok(pick_fields(self.zone_view(zone), self.fields(request), None))
