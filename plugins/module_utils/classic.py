# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client for IBM Cloud classic infrastructure (the SoftLayer REST API).

Basic auth with the classic user name (or ``apikey``) and API key; ``{"error", "code"}`` envelopes,
also on HTTP 200; machines found by host name and domain with an ``objectFilter`` and an
``objectMask``, and the match checked again on the answer, because the API silently ignores a filter
it cannot read. Power methods are never retried by the transport.

Support tickets: one per machine while it is open, found again among the account's open tickets by the machine
attached to it; a ticket is opened with the machine attached (``createStandardTicket``) and never sent twice.
"""

from __future__ import annotations

import json
import time

from ansible.module_utils.basic import env_fallback

from .polling import poll_until
from .transport import (ApiClient, ApiError, HttpClient, NotFoundError, UnexpectedResponseError, answer_lost, decode_json,
                        http_argument_spec)

SYSTEM = "IBM Cloud classic"
SERVICES = {"guest": "SoftLayer_Virtual_Guest", "hardware": "SoftLayer_Hardware_Server"}
# An object mask may name only properties of the type the call returns: the API refuses any other with HTTP 500
# (SoftLayer_Exception_WebService_ObjectMask, "Property 'X' not valid for 'TYPE'."). A guest has powerState and status;
# bare metal has hardwareStatus and no power state in its object (getServerPowerState gives it).
_IDENTITY = "id,hostname,domain,fullyQualifiedDomainName,primaryIpAddress,primaryBackendIpAddress,provisionDate"
_TRANSACTIONS = ("activeTransaction[id,elapsedSeconds,transactionStatus[name,friendlyName]],"
                 "lastOperatingSystemReload[id,createDate,transactionStatus[name]]")
MASKS = {
    # SoftLayer_Virtual_Guest::getObject and SoftLayer_Account::getVirtualGuests (SoftLayer_Virtual_Guest)
    "guest": "mask[%s,powerState,status,%s]" % (_IDENTITY, _TRANSACTIONS),
    # SoftLayer_Hardware_Server::getObject (SoftLayer_Hardware_Server)
    "hardware": "mask[%s,hardwareStatus,%s]" % (_IDENTITY, _TRANSACTIONS),
}
# SoftLayer_Account::getHardware returns SoftLayer_Hardware, which has no transactions: those belong to
# SoftLayer_Hardware_Server and need a typed mask (as softlayer-python's HardwareManager.list_hardware sends).
HARDWARE_LIST_MASK = "[mask[%s,hardwareStatus],mask(SoftLayer_Hardware_Server)[%s]]" % (_IDENTITY, _TRANSACTIONS)
# SoftLayer_Ticket (createStandardTicket, SoftLayer_Account::getOpenTickets): what a ticket is shown with, and the
# machines attached to it (the key that finds a machine's open ticket again).
TICKET_MASK = ("mask[id,title,createDate,serviceProviderResourceId,statusId,status[name],attachedHardware[id],"
               "attachedVirtualGuests[id]]")
TICKET_PAGE = 100
# createStandardTicket's attachmentType, and the ticket's property listing those machines, per kind of machine
ATTACHMENT_TYPES = {"guest": "VIRTUAL_GUEST", "hardware": "HARDWARE"}
ATTACHED = {"guest": "attachedVirtualGuests", "hardware": "attachedHardware"}

CLASSIC_ARGUMENT_SPEC = dict(
    username=dict(type="str", required=True, fallback=(env_fallback, ["SL_USERNAME"])),
    api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["SL_API_KEY"])),
    endpoint_url=dict(type="str", default="https://api.softlayer.com/rest/v3.1",
                      fallback=(env_fallback, ["SL_ENDPOINT_URL"])),
    **http_argument_spec("SL", timeout=60.0),
)

# How the modules name a machine: host name and domain (the scan-zone table's classic_hostname and domain).
MACHINE_ARGUMENT_SPEC = dict(
    hostname=dict(type="str", required=True),
    domain=dict(type="str", required=True),
    type=dict(type="str", default="auto", choices=["auto", "guest", "hardware"]),
)


class SpacingRefusedError(ApiError):
    """Bare metal refused a power command because the last one on it is too recent (the platform wants 20 minutes
    between two remote-management commands, and answers HTTP 500 saying so)."""


def spacing_refusal(kind, exc):
    """``exc`` as a :class:`SpacingRefusedError` when it is bare metal's refusal of a command too soon, else None."""
    if kind == "hardware" and exc.status == 500 and "20 minutes" in (exc.detail or ""):
        return SpacingRefusedError(exc.message, exc.system, exc.method, exc.path, status=exc.status, code=exc.code,
                                   detail=exc.detail, hint=exc.hint)
    return None


class ClassicClient(ApiClient):
    MODULE_PARAMS = ("username", "api_key", "endpoint_url", "ca_path", "validate_certs", "timeout", "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = CLASSIC_ARGUMENT_SPEC
    AUTH_HINT = "check SL_USERNAME/SL_API_KEY"
    ERROR_MESSAGES = {**ApiClient.ERROR_MESSAGES, ApiError: "refused"}

    def __init__(self, username, api_key, endpoint_url, ca_path=None, validate_certs=True, timeout=60.0, retries=3,
                 backoff=0.5):
        self.http = HttpClient(endpoint_url, SYSTEM, setting="endpoint_url (SL_ENDPOINT_URL)", timeout=timeout,
                               validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff)
        self.http.session.auth = (username, api_key)

    def call(self, service, method, ident=None, params=None, body=None, http_method="GET"):
        return self.exchange(service, method, ident, params, body, http_method)[0]

    def exchange(self, service, method, ident=None, params=None, body=None, http_method="GET"):
        """:meth:`call`, answering ``(data, response)`` for the headers (``SoftLayer-Total-Items``)."""
        path = "%s/%s%s.json" % (service, "%d/" % ident if ident is not None else "", method)
        response = self.http.request(http_method, path, params=params, json_body=body)
        shown = "/" + path
        data = decode_json(response, SYSTEM, http_method, shown)
        if isinstance(data, dict) and "error" in data and ("code" in data or response.status_code >= 400):
            # the API's envelope: an error also with HTTP 200, and "not found" whatever the status says
            missing = data.get("code") == "SoftLayer_Exception_ObjectNotFound"
            raise self.error(response.status_code, http_method, shown, kind=NotFoundError if missing else None,
                             code=data.get("code"), detail=data.get("error"))
        if response.status_code >= 400:
            raise self.error(response.status_code, http_method, shown, "request failed")
        return data, response

    def find(self, hostname, domain, kind=None):
        """The one machine with this host name and domain: ``(kind, machine)``, or NotFoundError / ApiError."""
        kinds = [kind] if kind else ["guest", "hardware"]
        found = []
        for what in kinds:
            root, method, mask = (("virtualGuests", "getVirtualGuests", MASKS["guest"]) if what == "guest"
                                  else ("hardware", "getHardware", HARDWARE_LIST_MASK))
            flt = {root: {"hostname": {"operation": hostname}, "domain": {"operation": domain}}}
            items = self.call("SoftLayer_Account", method, params={"objectFilter": json.dumps(flt), "objectMask": mask})
            # a filter the API did not apply would return every machine: keep exact matches only
            found += [(what, m) for m in items or [] if m.get("hostname") == hostname and m.get("domain") == domain]
        if not found:
            raise NotFoundError("no virtual guest or bare metal server %s.%s in this account" % (hostname, domain), SYSTEM)
        if len(found) > 1:
            raise ApiError("%d machines are named %s.%s; refusing to guess" % (len(found), hostname, domain), SYSTEM)
        return found[0]

    def find_for_module(self, params):
        """The machine named by a module's hostname/domain/type parameters: ``(kind, machine)``."""
        return self.find(params["hostname"], params["domain"], None if params["type"] == "auto" else params["type"])

    def describe(self, kind, ident):
        """The machine as the modules return it, read now (object and power state)."""
        return describe_machine(kind, self.get(kind, ident), self.power_state(kind, ident))

    def get(self, kind, ident):
        return self.call(SERVICES[kind], "getObject", ident, params={"objectMask": MASKS[kind]})

    def power_state(self, kind, ident):
        """``on`` or ``off``."""
        if kind == "guest":
            state = self.call(SERVICES[kind], "getPowerState", ident)
            return "on" if (state or {}).get("keyName") == "RUNNING" else "off"
        return self.call(SERVICES[kind], "getServerPowerState", ident)

    def power(self, kind, ident, method):
        """Send one power command; SpacingRefusedError when bare metal refuses it as too soon after the last one."""
        try:
            return self.call(SERVICES[kind], method, ident)
        except ApiError as exc:
            refusal = spacing_refusal(kind, exc)
            if refusal is None:
                raise
            raise refusal from exc

    def power_spaced(self, kind, ident, method, timeout, interval, clock=time.monotonic, sleep=time.sleep):
        """:meth:`power`, sent again every ``interval`` seconds while bare metal refuses it as too soon, for at most
        ``timeout`` seconds; then the last SpacingRefusedError is raised."""
        def send(dummy_since):
            try:
                self.power(kind, ident, method)
            except SpacingRefusedError as exc:
                return False, exc
            return True, None

        waited = poll_until(send, timeout, interval, clock=clock, sleep=sleep, timeout_inclusive=False)
        if waited.timed_out:
            raise waited.value

    def wait_running(self, kind, ident, timeout, interval, clock=time.monotonic, sleep=time.sleep):
        """Describe the machine every ``interval`` seconds until it is on with no active transaction: a Waited whose
        value is the last description (``timed_out`` once more than ``timeout`` seconds passed)."""
        def look(dummy_since):
            server = self.describe(kind, ident)
            return server["power_state"] == "on" and not server["active_transaction"], server

        return poll_until(look, timeout, interval, clock=clock, sleep=sleep, timeout_inclusive=False)

    def follow_reload(self, kind, ident, before_id, timeout, interval, settle, clock=time.monotonic, sleep=time.sleep):
        """Until the reload after ``before_id`` appeared and then ended for ``settle`` consecutive polls:
        ``(machine, state, steps, timed_out)``; ``steps`` are the transaction names seen, in order."""
        steps, seen = [], {"reload": False, "calm": 0}

        def look(since):
            machine = self.get(kind, ident)
            state = reload_state(machine)
            seen["reload"] = seen["reload"] or state["reloading"] or (state["last_reload_id"] not in (None, before_id))
            if state["step"] and (not steps or steps[-1]["step"] != state["step"]):
                steps.append({"step": state["step"], "at_seconds": round(since(), 1)})
            seen["calm"] = seen["calm"] + 1 if seen["reload"] and state["ready"] else 0
            return seen["calm"] >= settle, (machine, state)

        waited = poll_until(look, timeout, interval, clock=clock, sleep=sleep)
        machine, state = waited.value
        return machine, state, steps, waited.timed_out

    def provisioning_hooks(self):
        """The account's saved post-provisioning scripts (what the portal offers): ``[{id, name, uri}]``."""
        return self.call("SoftLayer_Account", "getPostProvisioningHooks") or []

    def reload(self, kind, ident, config, confirm=False):
        """``reloadOperatingSystem``: FORCE in one step, or (``confirm``) ask for a token and confirm with it.

        The answer's value is not meaningful (``"1"``, ``"OK"``): the transactions tell what happens. Never
        retried (the transport retries no POST): a reload answered with an error was not started.
        """
        service = SERVICES[kind]
        token = "FORCE"
        if confirm:
            token = self.call(service, "reloadOperatingSystem", ident, body={"parameters": []}, http_method="POST")
            if not isinstance(token, str) or not token:
                raise ApiError("no confirmation token in the answer", SYSTEM, "POST",
                               "/%s/%d/reloadOperatingSystem.json" % (service, ident))
        return self.call(service, "reloadOperatingSystem", ident, body={"parameters": [token, config]},
                         http_method="POST")

    # -- support tickets ---------------------------------------------------------------------------

    def ticket_subjects(self):
        """The subjects a ticket may be opened under: ``[{id, name}]`` (``SoftLayer_Ticket_Subject::getAllObjects``)."""
        return self.call("SoftLayer_Ticket_Subject", "getAllObjects") or []

    def open_tickets(self):
        """The account's open tickets, every page of them, each as :func:`describe_ticket` has it (with the ids of the
        machines attached to it)."""
        def page(offset, limit):
            items, response = self.exchange("SoftLayer_Account", "getOpenTickets", params={
                "objectMask": TICKET_MASK, "resultLimit": "%d,%d" % (offset, limit)})
            items = items or []
            total = str(response.headers.get("SoftLayer-Total-Items") or "")
            more = offset + len(items) < int(total) if total.isdigit() else len(items) >= limit
            return items, bool(items) and more

        tickets = self.http.offset_pages(page, "open tickets", "/SoftLayer_Account/getOpenTickets.json", limit=TICKET_PAGE)
        return [describe_ticket(t) for t in tickets]

    def open_ticket_for(self, kind, ident):
        """The open ticket the machine is attached to (the oldest when several), or None."""
        found = [t for t in self.open_tickets() if ident in t["attached"][kind]]
        return min(found, key=lambda t: t["id"]) if found else None

    def create_ticket(self, subject_id, title, contents, kind, ident):
        """Open a support ticket with the machine attached (``createStandardTicket``): ``(ticket, answer_lost)``.

        Sent once: the transport retries no POST, and when the request failed in a way that may have opened the ticket
        all the same (no answer, a server error), the machine's open ticket is looked for instead of sending it again
        (``answer_lost``); without one the error is raised. No root password goes with it.
        """
        template = {"subjectId": subject_id, "title": title}
        body = {"parameters": [template, contents, ident, None, None, None, [], ATTACHMENT_TYPES[kind]]}
        try:
            created = self.call("SoftLayer_Ticket", "createStandardTicket", params={"objectMask": TICKET_MASK},
                                body=body, http_method="POST")
        except ApiError as exc:
            if not answer_lost(exc):
                raise
            try:
                found = self.open_ticket_for(kind, ident)
            except ApiError:
                found = None  # the look is a courtesy: the create's own error is the one to report
            if found is None:
                raise exc from None
            return found, True
        if not isinstance(created, dict) or not created.get("id"):
            raise UnexpectedResponseError("no ticket in the answer", SYSTEM, "POST", "/SoftLayer_Ticket/createStandardTicket.json")
        return describe_ticket(created), False


def describe_machine(kind, machine, power=None):
    """What classic_server_info returns for a machine."""
    transaction = machine.get("activeTransaction") or None
    return {
        "id": machine.get("id"), "type": kind, "hostname": machine.get("hostname"), "domain": machine.get("domain"),
        "fqdn": machine.get("fullyQualifiedDomainName"), "primary_ip": machine.get("primaryIpAddress"),
        "backend_ip": machine.get("primaryBackendIpAddress"),
        "power_state": power or ("on" if (machine.get("powerState") or {}).get("keyName") == "RUNNING" else None),
        "status": (machine.get("status") or {}).get("keyName") or (machine.get("hardwareStatus") or {}).get("status"),
        "active_transaction": {"id": transaction.get("id"), "name": (transaction.get("transactionStatus") or {}).get("name")}
        if transaction else None,
        "provision_date": machine.get("provisionDate"),
        "last_os_reload_id": (machine.get("lastOperatingSystemReload") or {}).get("id"),
        "last_os_reload": {"id": (machine.get("lastOperatingSystemReload") or {}).get("id"),
                           "created": (machine.get("lastOperatingSystemReload") or {}).get("createDate"),
                           "status": ((machine.get("lastOperatingSystemReload") or {}).get("transactionStatus") or {}).get("name")}
        if machine.get("lastOperatingSystemReload") else None,
    }


def describe_ticket(ticket):
    """A support ticket as the modules return it: ``{id, number, title, status, created, attached: {guest: [ids],
    hardware: [ids]}}``; ``number`` is the case number people quote (``serviceProviderResourceId``, C(CS...))."""
    return {
        "id": ticket.get("id"), "number": ticket.get("serviceProviderResourceId"), "title": ticket.get("title"),
        "status": (ticket.get("status") or {}).get("name") or TICKET_STATUS_NAMES.get(ticket.get("statusId")),
        "created": ticket.get("createDate"),
        "attached": {kind: [m.get("id") for m in ticket.get(key) or () if isinstance(m, dict)] for kind, key in ATTACHED.items()},
    }


# SLDN: a new ticket has statusId 1001 ("open"); softlayer-python's fixtures name 1001 Open and 1002 Closed.
TICKET_STATUS_NAMES = {1001: "Open", 1002: "Closed"}


def reload_state(machine):
    """Where an OS reload stands, by the rule the well-known clients use (names are for logging only).

    ``reloading``: the active transaction is the last OS reload; ``busy``: another transaction is active;
    ``ready``: a provision date and no active transaction.
    """
    active = machine.get("activeTransaction") or None
    last = machine.get("lastOperatingSystemReload") or {}
    reloading = bool(active and last.get("id") and active.get("id") == last.get("id"))
    return {
        "reloading": reloading,
        "busy": bool(active) and not reloading,
        "ready": bool(machine.get("provisionDate")) and not active,
        "step": ((active or {}).get("transactionStatus") or {}).get("name"),
        "elapsed": (active or {}).get("elapsedSeconds"),
        "last_reload_id": last.get("id"),
        "last_reload_created": last.get("createDate"),
    }
