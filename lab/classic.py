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

Support tickets: ``SoftLayer_Ticket_Subject::getAllObjects``, ``SoftLayer_Ticket::createStandardTicket`` (POST, a machine
attached by ``attachmentId`` and ``attachmentType``), ``SoftLayer_Ticket/{id}/getObject``, ``getAttachedHardware``,
``getAttachedVirtualGuests``, and the account's ``getOpenTickets`` / ``getTickets`` (``resultLimit`` pages). Every ticket
opened is kept in ``tickets`` for the tests; ``classic.tickets.refuse`` in a scenario makes the service refuse to open
any (HTTP 500, SoftLayer_Exception_Public, with that message).

Every request is held to the SoftLayer contract (``shared/data/contracts/softlayer.json``, see below): unknown
methods, too many parameters and object masks naming properties their type does not define are refused with the
real API's errors and counted as contract violations; answers carry what the mask asks for (local properties
only without one), as the real API's do.

Each scanner is a machine whose state moves in simulated time: a reboot takes it down, then it boots,
then it is up; whether nessusd comes back is the scenario's choice, per command.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
from datetime import datetime, timezone

from werkzeug.wrappers import Response

from .core import ContractViolation, json_response

RELOAD_STEPS = {"guest": ("CLOUD_RECLAIM_PREP", "CLOUD_PROVISION_SETUP", "CLOUD_CONFIGURE_OS", "CLOUD_POST_PROVISION"),
                "hardware": ("OS_RELOAD_PREP", "INSTALL_OS", "CONFIGURE_OS", "POST_PROVISION")}
DEFAULT_HOOKS = [{"id": 1200, "name": "alc-nessus-bootstrap", "uri": "https://bootstrap.lab.example/alc-nessus-bootstrap.sh",
                  "createDate": "2024-06-03T09:12:44-06:00", "typeId": 1}]
POWER_METHODS = ("rebootSoft", "rebootHard", "rebootDefault", "powerCycle", "powerOff", "powerOffSoft", "powerOn")
HARDWARE_SPACING = 20 * 60
# SoftLayer_Ticket_Subject::getAllObjects as a real account answered it (softlayer/softlayer-python#484, a user's
# session); softlayer-python's fixture has some of the same names with other ids.
TICKET_SUBJECTS = [{"id": 1522, "name": "API Question"}, {"id": 1482, "name": "Vyatta Question"},
                   {"id": 1001, "name": "Accounting Request"}, {"id": 1002, "name": "Sales Request"},
                   {"id": 1003, "name": "Reboots and Console Access"}, {"id": 1041, "name": "DNS Request"},
                   {"id": 1021, "name": "Hardware Issue"}]
# New tickets are open: statusId 1001 ("open", SLDN createStandardTicket); softlayer-python's fixtures name the
# statuses {1001, "Open"} and {1002, "Closed"}.
TICKET_STATUSES = {"Open": 1001, "Closed": 1002}
# createStandardTicket's attachmentType (SLDN: HARDWARE or VIRTUAL_GUEST) -> the lab's machine kind
ATTACHMENT_KINDS = {"HARDWARE": "hardware", "VIRTUAL_GUEST": "guest"}


# -- the SoftLayer contract ---------------------------------------------------------------------------
#
# ``shared/data/contracts/softlayer.json`` (beside the checkout, read-only) holds what softlayer-go's generated
# datatypes and services say: every property of the types the collection touches, and each method's parameters and
# return type. Every request is held to it, always:
#
# * an unknown method: HTTP 500 ``{"error": "Function (\"X\") is not a valid method for this service.",
#   "code": "SoftLayer_Exception_Public"}`` - the REST example of SLDN's "Exception Handling in the SoftLayer API"
#   (sldn.softlayer.com/article/exception-handling-softlayer-api). A name that is not a method is tried again with
#   ``get`` before it, as the REST layer does (``.../PowerState.json`` is ``getPowerState``; SLDN blog "More
#   SoftLayer REST API examples"). The contract lists the methods the collection calls or may call: the lab serves
#   no other, so any other is refused the same way.
# * more parameters than the method declares: HTTP 500, ``SoftLayer_Exception_Public``. The exact wording of the
#   real refusal is not recorded anywhere we could find (SLDN's exception article, softlayer-python's issues and
#   sources); the message below is the lab's. Fewer are accepted: SoftLayer's parameters are optional
#   (``reloadOperatingSystem`` without a token asks for one, as documented).
# * an object mask naming a property its type does not define: HTTP 500 ``{"error": "Property 'NAME' not valid for
#   'TYPE'.", "code": "SoftLayer_Exception_WebService_ObjectMask"}`` - as reported in softlayer/softlayer-python#1088
#   (``powerState`` on ``SoftLayer_Hardware_Server``), #1525 (``SoftLayerAPIError(500): Property 'dal13' not valid
#   for 'SoftLayer_Hardware'.``) and audiolize/vagrant-softlayer#62 (SoftLayer support's answer). A mask the parser
#   cannot read: HTTP 500 ``SoftLayer_Exception_Common_Parser`` "Error on line 1 at column N: Expected PROPERTY, got
#   'X'" (softlayer/softlayer-python#345).

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACT_PATH = os.path.join(os.path.dirname(REPO_ROOT), "shared", "data", "contracts", "softlayer.json")
_CONTRACTS = {}


def load_contract(path=CONTRACT_PATH):
    """The SoftLayer contract (read once); the lab does not start without it."""
    if path not in _CONTRACTS:
        if not os.path.isfile(path):
            raise RuntimeError("the SoftLayer contract is missing: %s (the lab holds every classic request to it; "
                               "copy shared/ beside the checkout)" % path)
        with open(path, encoding="utf-8") as handle:
            _CONTRACTS[path] = json.load(handle)
    return _CONTRACTS[path]


class MaskSyntaxError(ValueError):
    """A mask the real API's parser refuses (``SoftLayer_Exception_Common_Parser``)."""


_MASK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MASK_KEYWORD = re.compile(r"(mask|filteredMask)(?=\s*[\[(.])")


class _MaskParser:
    """Recursive descent over one object mask; whitespace is ignored, as the real parser does."""

    def __init__(self, text):
        self.text, self.pos = text, 0

    def peek(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def error(self, wanted):
        got = self.text[self.pos] if self.pos < len(self.text) else "end of mask"
        return MaskSyntaxError("Error on line 1 at column %d: Expected %s, got '%s'" % (self.pos + 1, wanted, got))

    def expect(self, char, wanted):
        if self.peek() != char:
            raise self.error(wanted)
        self.pos += 1

    def name(self):
        self.peek()
        match = _MASK_NAME.match(self.text, self.pos)
        if not match:
            raise self.error("PROPERTY")
        self.pos = match.end()
        return match.group()

    def properties(self, separators=","):
        found = [self.prop()]
        while self.peek() and self.peek() in separators:
            self.pos += 1
            found.append(self.prop())
        return found

    def prop(self):
        name = self.name()
        if self.peek() == ".":
            self.pos += 1
            return (name, [self.prop()])
        if self.peek() == "[":
            self.pos += 1
            children = self.properties()
            self.expect("]", "']'")
            return (name, children)
        return (name, [])

    def keyword_mask(self):
        self.peek()
        match = _MASK_KEYWORD.match(self.text, self.pos)
        if not match:
            raise self.error("'mask'")
        self.pos = match.end()
        typed = None
        if self.peek() == "(":
            self.pos += 1
            typed = self.name()
            self.expect(")", "')'")
        if self.peek() == ".":
            self.pos += 1
            return (typed, [self.prop()])
        self.expect("[", "'['")
        props = self.properties() if self.peek() != "]" else []  # mask[]: the whole object, as no mask
        self.expect("]", "']'")
        return (typed, props)

    def keyword_masks(self):
        masks = [self.keyword_mask()]
        while self.peek() == ",":
            self.pos += 1
            masks.append(self.keyword_mask())
        return masks

    def parse(self):
        if self.peek() == "[":  # several masks: [mask[...], mask(SoftLayer_T)[...]]
            self.pos += 1
            masks = self.keyword_masks()
            self.expect("]", "']'")
        elif _MASK_KEYWORD.match(self.text, self.pos):
            masks = self.keyword_masks()
        else:  # the plain forms: id,hostname and a.b (and the legacy REST list id;hostname)
            masks = [(None, self.properties(",;"))]
        if self.peek():
            raise self.error("end of mask")
        return masks


def parse_object_mask(text):
    """``[(type or None, [(property, [children...]), ...]), ...]``: one entry per mask in ``text``.

    Reads ``mask[a,b[c],d.e]``, ``mask(SoftLayer_T)[...]``, several masks (``[mask[...],mask(T)[...]]`` or
    ``mask[...],mask(T)[...]``), ``mask.a.b`` (``mask.a,mask.b``), ``filteredMask[...]``, ``mask[]`` (the whole
    object) and the plain ``a,b[c],d.e`` (softlayer-python wraps it in ``mask[...]`` before sending; the legacy REST
    ``id;hostname`` is read too). Raises MaskSyntaxError on anything else (SLDN "Object Masks").
    """
    return _MaskParser(text or "").parse()


def _is_subtype(types, sub, base):
    """``mask(SoftLayer_Hardware_Server)`` on ``SoftLayer_Hardware``: the type or one derived from it."""
    return sub == base or (sub.startswith(base + "_") and sub in types and base in types
                           and set(types[base]) <= set(types[sub]))


def mask_problem(types, root, masks):
    """None when every property the parsed ``masks`` name exists on its type; else the real error's message.

    A typed mask is read against its own type. Relational properties are followed into their types; a type the
    contract does not describe (more than two levels down) cannot be judged and is accepted.
    """
    for typed, props in masks:
        if typed and not _is_subtype(types, typed, root):
            # the wording of this refusal is the lab's: no real answer to an unrelated typed mask is recorded
            return "Object mask type '%s' is not valid for '%s'." % (typed, root)
        problem = _props_problem(types, typed or root, props)
        if problem:
            return problem
    return None


def _props_problem(types, typ, props):
    fields = types.get(typ)
    if fields is None:
        return None
    for name, children in props:
        field = fields.get(name)
        if field is None:
            return "Property '%s' not valid for '%s'." % (name, typ)
        if not children:
            continue
        if not field.get("relational") and not str(field.get("type", "")).startswith("SoftLayer_"):
            # a scalar (string, int, dateTime...) has no properties: mask[hostname[x]] and mask[id.x] name none
            return "Property '%s' not valid for '%s'." % (children[0][0], field.get("type"))
        problem = _props_problem(types, field["type"], children)
        if problem:
            return problem
    return None


def _merge(props, into=None):
    """Properties named more than once (``a.b,a.c``, or in a typed mask too) as one tree: name -> children."""
    into = {} if into is None else into
    for name, children in props:
        _merge(children, into.setdefault(name, {}))
    return into


def project(types, typ, value, tree):
    """What the real API answers for ``value`` of type ``typ`` under a mask tree (None: no mask).

    Without a mask, the local properties only (relational ones must be asked for). A mask adds the relational
    properties it names; naming a local property "removes any default properties from the returned data" (SLDN
    "Object Masks" video): then only the local properties it names come back. Types the contract does not
    describe are answered as they are.
    """
    fields = types.get(typ)
    if fields is None or not isinstance(value, (dict, list)):
        return value
    if isinstance(value, list):
        return [project(types, typ, item, tree) for item in value]
    tree = tree or {}
    locals_named = any(name in fields and not fields[name].get("relational") for name in tree)
    out = {}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            continue  # the lab's own bookkeeping never leaves it
        if field.get("relational"):
            if key in tree:
                out[key] = project(types, field["type"], item, tree[key] or None)
        elif key in tree or not locals_named:
            out[key] = item
    return out


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

    def loading_progress(self, now):
        """How far nessusd is in loading its plugins, in percent (0-99), while ``nessusd(now)`` is loading."""
        since = self._service[1] if self.service_probe is not None else self.up_since(now)
        if since is None:
            return 0
        return max(0, min(99, int((now - since) * 100 / max(self.loading_seconds, 1))))

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
        self.contract = load_contract()
        # Support tickets: ``classic.tickets.subjects`` replaces the subjects, ``classic.tickets.refuse`` (a message)
        # makes createStandardTicket refuse every ticket as the real service refuses one (HTTP 500).
        tickets = spec.get("tickets") or {}
        self.ticket_subjects = tickets.get("subjects") or TICKET_SUBJECTS
        self.ticket_refusal = tickets.get("refuse")
        self.tickets = []  # every ticket opened: see open_ticket
        prefix = self.username.split("_", 1)[0]
        self.account_id = int(prefix) if prefix.isdigit() else 1234567

    def add_machine(self, name, domain, address, spec):
        mid = 60000000 + len(self.machines) + 1
        machine = Machine(mid, name, domain, address, spec or {})
        if machine.nessusd_state == "loading":  # ``nessusd: loading``: it booted just now and Nessus loads its plugins
            machine.nessusd_state = "running"
            machine.events.append((self.clock.now() - machine.down_seconds - machine.boot_seconds, "boot"))
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
        method, mask = self.held_to_contract(request, service, method)
        if service == "SoftLayer_Account":
            return self.account(request, method, mask)
        if service in ("SoftLayer_Ticket", "SoftLayer_Ticket_Subject"):
            return self.ticket_method(request, service, ident, method, mask)
        if service not in ("SoftLayer_Virtual_Guest", "SoftLayer_Hardware_Server"):
            return self.fail(500, "the lab does not serve %s" % service)
        machine = self.machines.get(ident)
        kind = "guest" if service == "SoftLayer_Virtual_Guest" else "hardware"
        if machine is None or machine.kind != kind:
            return self.fail(404, "Unable to find object with id of '%s'." % ident, "SoftLayer_Exception_ObjectNotFound")
        return self.machine_method(request, service, machine, method, mask)

    def refuse(self, message, code, rule):
        """The real API's refusal (HTTP 500), counted as a contract violation."""
        raise ContractViolation(self.fail(500, message, code), rule)

    def held_to_contract(self, request, service, method):
        """``(method, mask tree)`` of a request the contract allows; ContractViolation with the real error otherwise."""
        methods = self.contract["services"].get(service) or {}
        if method not in methods and "get%s%s" % (method[:1].upper(), method[1:]) in methods:
            method = "get%s%s" % (method[:1].upper(), method[1:])  # the REST layer tries get<Name> as well
        spec = methods.get(method)
        if spec is None:
            self.refuse('Function ("%s") is not a valid method for this service.' % method, "SoftLayer_Exception_Public",
                        "%s::%s is not a method of the contract" % (service, method))
        body = request.get_json(silent=True) if request.method == "POST" else None  # data sent with GET is ignored
        parameters = body.get("parameters") if isinstance(body, dict) else None
        if isinstance(parameters, list) and len(parameters) > len(spec["params"]):
            self.refuse("%s::%s takes %d parameter(s), %d given." % (service, method, len(spec["params"]), len(parameters)),
                        "SoftLayer_Exception_Public",
                        "%s::%s takes %d parameter(s), %d sent" % (service, method, len(spec["params"]), len(parameters)))
        text = request.args.get("objectMask")
        if not text:
            return method, None
        try:
            masks = parse_object_mask(text)
        except MaskSyntaxError as exc:
            self.refuse(str(exc), "SoftLayer_Exception_Common_Parser", "object mask of %s::%s: %s" % (service, method, exc))
        types = self.contract["types"]
        problem = mask_problem(types, spec["returns"], masks)
        if problem:
            self.refuse(problem, "SoftLayer_Exception_WebService_ObjectMask",
                        "object mask of %s::%s (returns %s): %s" % (service, method, spec["returns"], problem))
        tree = {}
        for _typed, props in masks:
            _merge(props, tree)
        typed = [t for t, _props in masks if t]
        return method, {"type": typed[-1] if typed else spec["returns"], "tree": tree}

    def answer(self, mask, typ, value, headers=None):
        """``value`` as the real API returns it under ``mask`` (see ``project``)."""
        if mask is not None:
            typ = mask["type"]
        return json_response(project(self.contract["types"], typ, value, mask["tree"] if mask else None), headers=headers)

    # -- account ----------------------------------------------------------------------------------

    def account(self, request, method, mask=None):
        if method in ("getVirtualGuests", "getHardware"):
            root = "virtualGuests" if method == "getVirtualGuests" else "hardware"
            kind = "guest" if method == "getVirtualGuests" else "hardware"
            try:
                spec = json.loads(request.args.get("objectFilter") or "{}").get(root) or {}
            except ValueError:
                spec = {}  # the real API ignores a filter it cannot read
            items = [self.view(m) for m in self.machines.values() if m.kind == kind and self.matches(m, spec)]
            # every bare metal machine of the lab is a SoftLayer_Hardware_Server (what a typed mask asks for)
            typ = "SoftLayer_Virtual_Guest" if kind == "guest" else "SoftLayer_Hardware_Server"
            return self.answer(mask, typ, items, headers={"SoftLayer-Total-Items": str(len(items))})
        if method == "getPostProvisioningHooks":
            return json_response(self.hooks, headers={"SoftLayer-Total-Items": str(len(self.hooks))})
        if method in ("getOpenTickets", "getTickets"):
            found = [self.ticket_view(t) for t in self.tickets if method == "getTickets" or t["status"] != "Closed"]
            return self.answer(mask, "SoftLayer_Ticket", result_page(request, found),
                               headers={"SoftLayer-Total-Items": str(len(found))})
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
            out.update(hardwareStatus={"id": 5, "status": "ACTIVE"}, bareMetalInstanceFlag=0)
        transaction = machine.active_transaction(now)
        if transaction:
            status = {"name": transaction["name"], "friendlyName": transaction["name"].title()}
            out["activeTransaction"] = {"id": transaction["id"], "createDate": iso(now - transaction.get("elapsed", 42)),
                                        "elapsedSeconds": transaction.get("elapsed", 42), "transactionStatus": status}
        return out

    def machine_method(self, request, service, machine, method, mask=None):
        now = self.clock.now()
        if method == "getObject":
            return self.answer(mask, service, self.view(machine))
        if method == "getPowerState" and machine.kind == "guest":
            return json_response(machine.power_state_guest(now))
        if method == "getServerPowerState" and machine.kind == "hardware":
            return json_response("off" if machine.phase(now) in ("off", "down") else "on")
        if method == "getActiveTransaction":
            return json_response(self.view(machine).get("activeTransaction") or "")
        if method == "reloadOperatingSystem":
            return self.reload(request, service, machine, now)
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

    def reload(self, request, service, machine, now):
        """``reloadOperatingSystem`` with its token protocol (FORCE, or a token asked for and confirmed in 10 min)."""
        body = request.get_json(silent=True) if request.method == "POST" else None  # data sent with GET is ignored
        parameters = (body or {}).get("parameters") or []
        with self.lock:
            if machine.active_transaction(now):
                return self.fail(500, "There is currently an outstanding transaction for this server.",
                                 "SoftLayer_Exception_Hardware_Server_ActiveTransactionExists")
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

    # -- support tickets --------------------------------------------------------------------------

    def ticket_method(self, request, service, ident, method, mask=None):
        if service == "SoftLayer_Ticket_Subject":  # getAllObjects: the contract's only method of the service
            return self.answer(mask, "SoftLayer_Ticket_Subject", self.ticket_subjects,
                               headers={"SoftLayer-Total-Items": str(len(self.ticket_subjects))})
        if method == "createStandardTicket":
            return self.create_ticket(request, mask)
        ticket = next((t for t in self.tickets if t["id"] == ident), None)
        if ticket is None:
            return self.fail(404, "Unable to find object with id of '%s'." % ident, "SoftLayer_Exception_ObjectNotFound")
        view = self.ticket_view(ticket)
        lists = {"getAttachedHardware": ("attachedHardware", "SoftLayer_Hardware"),
                 "getAttachedVirtualGuests": ("attachedVirtualGuests", "SoftLayer_Virtual_Guest"),
                 "getUpdates": ("updates", "SoftLayer_Ticket_Update")}
        if method == "getObject":
            return self.answer(mask, "SoftLayer_Ticket", view)
        if method in lists:
            key, typ = lists[method]
            return self.answer(mask, typ, view[key], headers={"SoftLayer-Total-Items": str(len(view[key]))})
        return self.fail(500, "the lab does not serve %s::%s" % (service, method))

    def create_ticket(self, request, mask):
        """``createStandardTicket``: checked as the real service checks it, then opened (see ``open_ticket``).

        A request no client may send (no template, a template property SoftLayer_Ticket does not have, no subject,
        title or contents, a wrong attachment type) is refused and counted as a contract violation; one the account's
        data refuses (a subject or a machine it does not have) is refused as the real API does, uncounted. Only the
        refusal of a template property is worded as recorded (softlayer/softlayer-python#1147); the others are the
        lab's. A hardware attachment is accepted without a root password: SLDN asks for one, but IBM's own CLI
        (``ibmcloud sl ticket create``) sends it only when the user gives one.
        """
        body = request.get_json(silent=True) if request.method == "POST" else None  # data sent with GET is ignored
        params = body.get("parameters") if isinstance(body, dict) else None
        params = list(params) + [None] * (8 - len(params)) if isinstance(params, list) else [None] * 8
        template, contents, attachment_id, attachment_type = params[0], params[1], params[2], params[7]
        rule = "SoftLayer_Ticket::createStandardTicket: %s"
        if not isinstance(template, dict):
            self.refuse("A SoftLayer_Ticket template object is required.", "SoftLayer_Exception_Public",
                        rule % "no templateObject")
        unknown = next((key for key in template if key not in self.contract["types"]["SoftLayer_Ticket"]), None)
        if unknown is not None:
            self.refuse("The property '%s' is not valid for 'SoftLayer_Ticket'." % unknown, "SoftLayer_Exception_Public",
                        rule % ("templateObject property %s is not a property of SoftLayer_Ticket" % unknown))
        subject_id, title = template.get("subjectId"), template.get("title")
        missing = [what for what, ok in (
            ("subjectId", _is_int(subject_id)),
            ("title", isinstance(title, str) and title.strip()),
            ("contents", isinstance(contents, str) and contents.strip()),
            ("attachmentId", attachment_id is None or _is_int(attachment_id)),
            ("attachmentType", attachment_type in (None,) + tuple(ATTACHMENT_KINDS)),
        ) if not ok]
        if missing:
            self.refuse("Invalid or missing %s." % ", ".join(missing), "SoftLayer_Exception_Public",
                        rule % ("invalid or missing %s" % ", ".join(missing)))
        if not any(s.get("id") == subject_id for s in self.ticket_subjects):
            return self.fail(404, "Unable to find object with id of '%s'." % subject_id, "SoftLayer_Exception_ObjectNotFound")
        attached = []
        if attachment_id is not None:
            kind = ATTACHMENT_KINDS[attachment_type or "HARDWARE"]  # the parameter came first for hardware alone
            machine = self.machines.get(attachment_id)
            if machine is None or machine.kind != kind:
                return self.fail(404, "Unable to find object with id of '%s'." % attachment_id,
                                 "SoftLayer_Exception_ObjectNotFound")
            attached.append((kind, machine.id))
        if self.ticket_refusal:
            return self.fail(500, str(self.ticket_refusal), "SoftLayer_Exception_Public")
        ticket = self.open_ticket(subject_id, title, contents, attached, template.get("priority"),
                                  template.get("assignedUserId"))
        return self.answer(mask, "SoftLayer_Ticket", self.ticket_view(ticket))

    def open_ticket(self, subject_id, title, contents, attached, priority=None, assigned_user_id=None):
        """A new open ticket, kept in ``tickets`` for the tests: ``{id, number, title, subject_id, contents, attached:
        [(kind, machine id)], status, created, edited, priority, assigned_user_id}`` (times in simulated epoch seconds)."""
        with self.lock:
            now = self.clock.now()
            serial = len(self.tickets) + 1
            ticket = {"id": 148200000 + serial, "number": "CS%07d" % (3100000 + serial), "title": title,
                      "subject_id": subject_id, "contents": contents, "attached": list(attached), "status": "Open",
                      "created": now, "edited": now, "priority": priority if _is_int(priority) else 0,
                      "assigned_user_id": assigned_user_id if _is_int(assigned_user_id) else None}
            self.tickets.append(ticket)
        return ticket

    def close_ticket(self, ident):
        """Support closed the ticket (tests): it leaves the account's open tickets."""
        for ticket in self.tickets:
            if ticket["id"] == ident:
                ticket.update(status="Closed", edited=self.clock.now())
                return ticket
        raise KeyError(ident)

    def ticket_view(self, ticket):
        """The ticket as the API holds it; ``answer`` keeps what the mask asks for (local properties only without one)."""
        status_id = TICKET_STATUSES[ticket["status"]]
        machines = [(kind, self.machines[mid]) for kind, mid in ticket["attached"]]
        hardware = [self.view(m) for kind, m in machines if kind == "hardware"]
        guests = [self.view(m) for kind, m in machines if kind == "guest"]
        first = {"id": ticket["id"] * 10 + 1, "ticketId": ticket["id"], "entry": ticket["contents"],
                 "createDate": iso(ticket["created"]), "editorType": "USER"}
        view = {
            "id": ticket["id"], "accountId": self.account_id, "title": ticket["title"],
            "subjectId": ticket["subject_id"],
            "subject": next((dict(s) for s in self.ticket_subjects if s.get("id") == ticket["subject_id"]), None),
            "statusId": status_id, "status": {"id": status_id, "name": ticket["status"]},
            "createDate": iso(ticket["created"]), "modifyDate": iso(ticket["edited"]),
            "lastEditDate": iso(ticket["edited"]), "lastEditType": "USER",
            "serviceProviderResourceId": ticket["number"], "priority": ticket["priority"], "userEditableFlag": True,
            "attachedHardware": hardware, "attachedHardwareCount": len(hardware),
            "attachedVirtualGuests": guests, "attachedVirtualGuestCount": len(guests),
            "attachedResourceCount": len(machines),
            "updates": [first], "updateCount": 1, "firstUpdate": first, "lastUpdate": first,
        }
        if ticket["assigned_user_id"] is not None:
            view["assignedUserId"] = ticket["assigned_user_id"]
        return view


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def result_page(request, items):
    """The ``resultLimit=<offset>,<limit>`` page of a list: all of it without one (or with one the lab cannot read)."""
    match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", request.args.get("resultLimit") or "")
    if not match:
        return items
    offset, limit = int(match.group(1)), int(match.group(2))
    return items[offset:offset + limit]


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
        now = self.clock.now()
        state = self.machine.nessusd(now)
        if state == "stopped":
            return None  # nothing listens: the connection is closed without an answer
        if request.path != "/server/status":
            return Response(json.dumps({"error": "Not Found"}), status=404, content_type="application/json")
        if state == "loading":
            # while nessusd loads its plugins Nessus answers 503 with the same body shape (newer versions add
            # engine_status); clients must read the body on 200 and 503 alike
            return json_response({"code": 503, "status": "loading", "progress": self.machine.loading_progress(now)},
                                 status=503)
        return json_response({"status": "ready", "progress": None})
