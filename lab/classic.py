"""IBM Cloud classic infrastructure (SoftLayer REST API) stand-in, and the scanner machines it runs.

REST under ``/rest/v3.1/`` (and ``/rest/v3/``): ``{Service}[/{id}]/{method}.json``; Basic auth
(username + API key, 401 otherwise); ``{"error", "code"}`` envelopes; ``SoftLayer_Account/
getVirtualGuests`` and ``getHardware`` with ``objectFilter`` on hostname and domain (operators:
exact, ``_=``, ``*=``; a filter it cannot read is ignored, as the real API does);
``SoftLayer_Virtual_Guest`` and ``SoftLayer_Hardware_Server`` ``getObject``, power methods
(``rebootSoft``, ``rebootHard``, ``powerCycle``, ``powerOff``, ``powerOn``; GET, return ``true``),
``getPowerState`` / ``getServerPowerState``, ``activeTransaction``; a power command while a
transaction is active is refused (500), and bare metal refuses a second remote-management command
within 20 minutes of a reboot (500, SoftLayer_Exception_Public).

Each scanner is a machine whose state moves in simulated time: a reboot takes it down, then it boots,
then it is up; whether nessusd comes back is the scenario's choice, per command.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from datetime import datetime, timezone

from werkzeug.wrappers import Response

from .core import json_response

RELOAD_STEPS = {"guest": ("CLOUD_RECLAIM_PREP", "CLOUD_PROVISION_SETUP", "CLOUD_CONFIGURE_OS", "CLOUD_POST_PROVISION"),
                "hardware": ("OS_RELOAD_PREP", "INSTALL_OS", "CONFIGURE_OS", "POST_PROVISION")}
DEFAULT_HOOKS = [{"id": 1200, "name": "alc-nessus-bootstrap", "uri": "https://bootstrap.lab.example/alc-nessus-bootstrap.sh",
                  "createDate": "2024-06-03T09:12:44-06:00", "typeId": 1}]
POWER_METHODS = ("rebootSoft", "rebootHard", "rebootDefault", "powerCycle", "powerOff", "powerOffSoft", "powerOn")
HARDWARE_SPACING = 20 * 60


class Machine:
    """A scanner host. ``phase(now)``: up | down | booting | off; ``nessusd(now)``: running | loading | stopped."""

    def __init__(self, mid, name, domain, address, spec):
        self.id = mid
        self.hostname = name
        self.domain = domain
        self.address = address
        self.kind = spec.get("type", "guest")  # guest | hardware
        self.state = spec.get("state", "up")    # up | off (hung machines are "up" but answer nothing)
        self.hung = bool(spec.get("hung", False))
        self.nessusd_state = spec.get("nessusd", "running")
        self.heals = dict(spec.get("heals") or {})  # command -> nessusd state after boot, or "hung"
        self.down_seconds = float(spec.get("down_seconds", 120))
        self.boot_seconds = float(spec.get("boot_seconds", 300))
        self.loading_seconds = float(spec.get("loading_seconds", 120))
        self.sc_enabled = spec.get("sc_enabled", True)
        self.nessusd_fails_to_start = bool(spec.get("nessusd_fails_to_start", False))
        # OS reload: how long it takes, whether it never finishes, how long SOS takes to re-enable it afterwards.
        self.reload_seconds = float(spec.get("reload_seconds", 1800 if self.kind == "guest" else 4800))
        self.reload_stuck = bool(spec.get("reload_stuck", False))
        self.sos_reenable_seconds = spec.get("sos_reenable_seconds")  # None: not during the run
        self.reloads = []  # {start, transaction_id, script, bootstrapped}
        self.reload_tokens = {}  # token -> expiry (sim time)
        self.reenable_at = None
        # With SSH hosts (lab/hosts.py) the daemon is a real process on the host: this returns its token or None.
        self.service_probe = None
        self._service = (None, None)  # (token, first seen)
        self.transaction = None  # {id, name, until}
        if spec.get("transaction"):
            self.transaction = {"id": 880000 + mid, "name": spec["transaction"], "until": None}
        self.events = []  # (start, command)
        self.last_command_at = None
        index = mid % 100000  # documentation-style addresses; nothing ever connects to them
        self.backend_ip = "10.190.%d.%d" % (index // 200, index % 200 + 10)
        self.public_ip = "169.61.%d.%d" % (index // 200, index % 200 + 10)

    def _last(self, now):
        past = [e for e in self.events if e[0] <= now]
        return past[-1] if past else None

    def phase(self, now):
        last = self._last(now)
        if last is None:
            return "off" if self.state == "off" else "up"
        start, command = last
        if command in ("powerOff", "powerOffSoft"):
            return "off"
        t = now - start
        if command == "reloadOperatingSystem":
            return "down" if self.reload_stuck or t < self.reload_seconds else "up"
        if command == "powerOn":
            return "booting" if t < self.boot_seconds else "up"
        if t < self.down_seconds:
            return "down"
        if t < self.down_seconds + self.boot_seconds:
            return "booting"
        return "up"

    def outcome(self, now):
        """What the last power command left: the nessusd state after boot, or "hung"."""
        last = self._last(now)
        if last is None:
            return "hung" if self.hung else self.nessusd_state
        if last[1] == "reloadOperatingSystem" and last[1] not in self.heals:
            return "running" if self.reloads[-1]["bootstrapped"] else "stopped"  # without bootstrap, no Nessus
        return self.heals.get(last[1], self.heals.get("default", "stopped" if self.nessusd_state == "stopped" else "running"))

    def up_since(self, now):
        last = self._last(now)
        if last is None:
            return None
        start, command = last
        if command == "reloadOperatingSystem":
            return start + self.reload_seconds
        return start + (self.boot_seconds if command == "powerOn" else self.down_seconds + self.boot_seconds)

    def nessusd(self, now):
        if self.phase(now) != "up":
            return "stopped"
        state = self.outcome(now)
        if self.service_probe is not None:
            token = self.service_probe() if state != "hung" else None
            if token is None:
                return "stopped"
            if token != self._service[0]:
                self._service = (token, now)
            return "loading" if now - self._service[1] < self.loading_seconds else "running"
        if state in ("hung", "stopped"):
            return "stopped"
        since = self.up_since(now)
        if since is not None and now - since < self.loading_seconds:
            return "loading"
        return "running"

    def reachable(self, now):
        return self.phase(now) == "up" and self.outcome(now) != "hung"

    def sc_status(self, now):
        """Security Center's status bit field for this scanner."""
        if not self.reachable(now) or self.nessusd(now) == "stopped":
            return 2  # Connection Error
        if self.nessusd(now) == "loading":
            return 128  # Reloading Scanner
        if not self.sc_enabled and not (self.reenable_at is not None and now >= self.reenable_at):
            return 32  # reloaded, not re-enabled by SOS: Security Center cannot authenticate to it
        return 1

    def request_reenable(self, now):
        """SOS got the request to re-enable this scanner in its zone: they do it after a while (or never)."""
        if self.sos_reenable_seconds is not None and self.reenable_at is None:
            self.reenable_at = now + float(self.sos_reenable_seconds)

    def bootstrapped(self):
        return self.reloads[-1]["bootstrapped"] if self.reloads else True

    def reload_transaction(self, now):
        """The OS reload's transaction while it runs (None in the short gaps between its steps, as the real API)."""
        if not self.reloads or not self.events or self.events[-1][1] != "reloadOperatingSystem":
            return None
        reload = self.reloads[-1]
        t = now - reload["start"]
        if not self.reload_stuck and t >= self.reload_seconds:
            return None
        steps = RELOAD_STEPS[self.kind]
        if self.reload_stuck:
            index, within = 2, 0.5
        else:
            index, within = divmod(t / self.reload_seconds * len(steps), 1)
            index = int(index)
            if within > 0.97:
                return None  # between two steps no transaction is active for a moment
        return {"id": reload["transaction_id"], "name": steps[index], "until": None,
                "elapsed": int(t - index * self.reload_seconds / len(steps))}

    def active_transaction(self, now):
        reloading = self.reload_transaction(now)
        if reloading:
            return reloading
        if self.transaction and (self.transaction["until"] is None or now < self.transaction["until"]):
            return self.transaction
        return None

    def power_state_guest(self, now):
        return {"keyName": "HALTED", "name": "Halted", "description": ""} if self.phase(now) in ("off", "down") else \
            {"keyName": "RUNNING", "name": "Running", "description": ""}


class Classic:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.username = spec.get("username", "1234567_nessus-automation@example.com")
        self.api_key = spec.get("api_key") or secrets_store.new("SL_API_KEY", 32)
        self.machines = {}
        self.commands = []  # (sim time, service, id, method)
        self.hooks = spec.get("post_provisioning_hooks", DEFAULT_HOOKS)
        self.reload_requests = []  # (sim time, machine id, config) of every executed reload

    def add_machine(self, name, domain, address, spec):
        mid = 60000000 + len(self.machines) + 1
        machine = Machine(mid, name, domain, address, spec or {})
        self.machines[mid] = machine
        return machine

    def by_name(self, name):
        return next((m for m in self.machines.values() if m.hostname == name), None)

    def error_body(self, status, message, action=None):
        return {"error": message, "code": (action or {}).get("code", "SoftLayer_Exception_Public")}

    def fail(self, status, message, code="SoftLayer_Exception_Public"):
        return json_response({"error": message, "code": code}, status=status)

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        try:
            user, _sep, key = base64.b64decode(header[6:]).decode().partition(":") if header.startswith("Basic ") else ("", "", "")
        except (ValueError, UnicodeDecodeError):
            user, key = "", ""
        if user not in (self.username, "apikey") or not secrets.compare_digest(key, self.api_key):
            return self.fail(401, "Access Denied. ")
        parts = request.path.split("/")
        if len(parts) < 4 or parts[1] != "rest" or parts[2] not in ("v3", "v3.1"):
            return self.fail(404, "Not Found", "SoftLayer_Exception_WebService_BadRequest")
        rest = [p for p in parts[3:] if p]
        if not rest:
            return self.fail(404, "Not Found", "SoftLayer_Exception_WebService_BadRequest")
        service = rest[0]
        ident = int(rest[1]) if len(rest) > 2 and rest[1].isdigit() else None
        method = rest[-1].rsplit(".", 1)[0] if len(rest) > (2 if ident is not None else 1) else "getObject"
        if ident is not None and len(rest) == 2:
            method = "getObject"
        if service == "SoftLayer_Account":
            return self.account(request, method)
        if service in ("SoftLayer_Virtual_Guest", "SoftLayer_Hardware_Server"):
            machine = self.machines.get(ident)
            kind = "guest" if service == "SoftLayer_Virtual_Guest" else "hardware"
            if machine is None or machine.kind != kind:
                return self.fail(404, "Unable to find object with id of '%s'." % ident, "SoftLayer_Exception_ObjectNotFound")
            return self.machine_method(request, service, machine, method)
        return self.fail(500, 'Function ("%s") is not a valid method for this service.' % method)

    # -- account ----------------------------------------------------------------------------------

    def account(self, request, method):
        if method in ("getVirtualGuests", "getHardware"):
            root = "virtualGuests" if method == "getVirtualGuests" else "hardware"
            kind = "guest" if method == "getVirtualGuests" else "hardware"
            try:
                spec = json.loads(request.args.get("objectFilter") or "{}").get(root) or {}
            except ValueError:
                spec = {}  # the real API ignores a filter it cannot read
            items = [self.view(m) for m in self.machines.values() if m.kind == kind and self.matches(m, spec)]
            return json_response(items, headers={"SoftLayer-Total-Items": str(len(items))})
        if method == "getPostProvisioningHooks":
            return json_response(self.hooks, headers={"SoftLayer-Total-Items": str(len(self.hooks))})
        return self.fail(500, 'Function ("%s") is not a valid method for this service.' % method)

    @staticmethod
    def matches(machine, spec):
        for field in ("hostname", "domain"):
            operation = (spec.get(field) or {}).get("operation") if isinstance(spec.get(field), dict) else None
            if operation is None:
                continue
            value = getattr(machine, field)
            text = str(operation)
            if text.startswith("_= "):
                if value.lower() != text[3:].lower():
                    return False
            elif text.startswith("*= "):
                if text[3:].lower() not in value.lower():
                    return False
            elif value != text:
                return False
        return True

    # -- machines ---------------------------------------------------------------------------------

    def view(self, machine):
        now = self.clock.now()
        out = {
            "id": machine.id, "hostname": machine.hostname, "domain": machine.domain,
            "fullyQualifiedDomainName": "%s.%s" % (machine.hostname, machine.domain),
            "globalIdentifier": "a1b2c3d4-%04d-4000-8000-%012d" % (machine.id % 10000, machine.id),
            "primaryIpAddress": machine.public_ip, "primaryBackendIpAddress": machine.backend_ip,
            "datacenter": {"id": 1441195, "name": machine.hostname.split("-")[1] if "-" in machine.hostname else "dal10"},
        }
        last_reload = machine.reloads[-1] if machine.reloads else None
        if last_reload is None:
            out["provisionDate"] = "2025-03-04T10:21:13-06:00"
            out["lastOperatingSystemReload"] = {"id": 770000 + machine.id % 100000, "createDate": "2025-03-04T09:40:02-06:00",
                                                "transactionStatus": {"name": "COMPLETE", "friendlyName": "Complete"}}
        else:
            running = machine.reload_stuck or now - last_reload["start"] < machine.reload_seconds
            if not running:  # while the OS is reloaded the machine has no provision date
                out["provisionDate"] = iso(last_reload["start"] + machine.reload_seconds)
            step = (machine.active_transaction(now) or {}).get("name", "RECLAIM_WAIT") if running else "COMPLETE"
            out["lastOperatingSystemReload"] = {"id": last_reload["transaction_id"], "createDate": iso(last_reload["start"]),
                                                "transactionStatus": {"name": step, "friendlyName": step.replace("_", " ").title()}}
        if machine.kind == "guest":
            out.update(powerState=machine.power_state_guest(now), status={"keyName": "ACTIVE", "name": "Active"},
                       maxCpu=8, maxMemory=16384)
        else:
            out.update(hardwareStatus={"id": 5, "status": "ACTIVE"}, bareMetalInstanceFlag=False)
        transaction = machine.active_transaction(now)
        if transaction:
            status = {"name": transaction["name"], "friendlyName": transaction["name"].title()}
            out["activeTransaction"] = {"id": transaction["id"], "createDate": iso(now - transaction.get("elapsed", 42)),
                                        "elapsedSeconds": transaction.get("elapsed", 42), "transactionStatus": status}
        return out

    def machine_method(self, request, service, machine, method):
        now = self.clock.now()
        if method == "getObject":
            return json_response(self.view(machine))
        if method == "getPowerState" and machine.kind == "guest":
            return json_response(machine.power_state_guest(now))
        if method == "getServerPowerState" and machine.kind == "hardware":
            return json_response("off" if machine.phase(now) in ("off", "down") else "on")
        if method == "getActiveTransaction":
            return json_response(self.view(machine).get("activeTransaction") or "")
        if method in ("reloadOperatingSystem", "verifyReloadOperatingSystem"):
            return self.reload(request, service, machine, method, now)
        if method in POWER_METHODS and not (machine.kind == "hardware" and method == "powerOffSoft"):
            with self.lock:
                transaction = machine.active_transaction(now)
                if transaction:
                    return self.fail(500, "There is currently an outstanding transaction for this server.",
                                     "SoftLayer_Exception_Public")
                if machine.kind == "hardware" and machine.last_command_at is not None and \
                        now - machine.last_command_at < HARDWARE_SPACING:
                    return self.fail(500, "A reboot command has been issued in the past 20 minutes; another remote "
                                          "management command is not allowed yet.")
                machine.events.append((now, method))
                machine.last_command_at = now
                if method not in ("powerOff", "powerOffSoft"):
                    machine.transaction = {"id": 990000 + len(self.commands), "name": "RESTART_SERVER",
                                           "until": now + machine.down_seconds * 0.5}
                self.commands.append((now, service, machine.id, method))
            return json_response(True)
        return self.fail(500, 'Function ("%s") is not a valid method for this service.' % method)

    def reload(self, request, service, machine, method, now):
        """``reloadOperatingSystem`` with its token protocol (FORCE, or a token asked for and confirmed in 10 min)."""
        body = request.get_json(silent=True) if request.method == "POST" else None  # data sent with GET is ignored
        parameters = (body or {}).get("parameters") or []
        with self.lock:
            if machine.active_transaction(now):
                return self.fail(500, "There is currently an outstanding transaction for this server.",
                                 "SoftLayer_Exception_Hardware_Server_ActiveTransactionExists")
            if method == "verifyReloadOperatingSystem":
                return json_response(True)
            token = parameters[0] if parameters else None
            config = parameters[1] if len(parameters) > 1 and isinstance(parameters[1], dict) else {}
            if not token:
                token = secrets.token_hex(16)
                machine.reload_tokens[token] = now + 600
                return json_response(token)
            if token != "FORCE" and machine.reload_tokens.pop(token, 0) < now:
                return self.fail(500, "Invalid token provided.", "SoftLayer_Exception_Hardware_Server_InvalidReloadToken")
            script = config.get("customProvisionScriptUri") or ""
            machine.reloads.append({"start": now, "transaction_id": 880500000 + len(self.reload_requests) + 1,
                                    "script": script, "bootstrapped": script.startswith("https://")})  # http: only downloaded
            machine.events.append((now, "reloadOperatingSystem"))
            machine.transaction = None
            machine.sc_enabled = False  # a reloaded scanner must be re-enabled in its zone by SOS
            machine.reenable_at = None
            self.reload_requests.append((now, machine.id, config))
            self.commands.append((now, service, machine.id, "reloadOperatingSystem"))
        return json_response("1")


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class NessusStatus:
    """The scanner's own Nessus API on port 8834: ``GET /server/status`` while nessusd runs."""

    def __init__(self, machine, clock):
        self.machine = machine
        self.clock = clock

    def error_body(self, status, message, action=None):
        return {"error": message}

    def __call__(self, request):
        state = self.machine.nessusd(self.clock.now())
        if state == "stopped":
            return None  # nothing listens: the connection is closed without an answer
        if request.path != "/server/status":
            return Response(json.dumps({"error": "Not Found"}), status=404, content_type="application/json")
        if state == "loading":
            return json_response({"status": "loading", "progress": 42})
        return json_response({"status": "ready", "progress": None})
