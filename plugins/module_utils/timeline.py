# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The incident timeline: what a run does, told as it happens to the people following it.

A run started for a PagerDuty incident (the compliance alert's webhook, or ``-e pagerduty_incident=...``) adds a note
to that incident for each step that changes something or leaves something for people (the record's ``done`` and
``left`` entries). Once the run has opened or found a ServiceNow ticket (the SOS escalation, a re-enable request), each
later step of that kind is a work note on it. The record's entry is written first: a timeline that cannot be told
never loses evidence or stops the remediation; the first failure of a target is kept in the record
(``timeline_failed``) and that target is not told again in the run.
"""

from __future__ import annotations

import os
import re

from .pagerduty import PagerDutyClient
from .servicenow import ServiceNowClient
from .settings import from_environment
from .transport import ApiError

# PagerDuty incident ids are short upper-case alphanumerics (PT4KHLK, Q1DIJEXAMPLE)
INCIDENT = re.compile(r"^[A-Z0-9]{2,32}$")
TOLD_KINDS = ("done", "left")
NOTE_LIMIT = 3000
FROM_SETTING = "PAGERDUTY_FROM"


def incident_id(value):
    """The PagerDuty incident id ``value`` names ('' for none); a ValueError for anything else (outside input)."""
    value = "" if value is None else str(value).strip()
    if value and not INCIDENT.match(value):
        raise ValueError("pagerduty_incident must be a PagerDuty incident id (letters and digits), got %r" % value[:40])
    return value


def tickets_of(entry):
    """The ServiceNow ticket an entry recorded (``details.ticket`` with a table and a sys_id), as a list."""
    ticket = (entry.get("details") or {}).get("ticket")
    if isinstance(ticket, dict) and ticket.get("sys_id") and ticket.get("table"):
        return [{key: ticket.get(key) for key in ("table", "sys_id", "number")}]
    return []


def with_tickets(record, entry):
    """The record, knowing the ticket ``entry`` recorded (each ticket once)."""
    known = list(record.get("tickets") or [])
    for ticket in tickets_of(entry):
        if all(t["sys_id"] != ticket["sys_id"] for t in known):
            known.append(ticket)
    return dict(record, tickets=known) if known else record


def note(record, entry):
    """The note's text: which run, which step, what happened (record text: already inert)."""
    text = "Nessus scan remediation, run %s (%s %s) - %s: %s" % (
        record.get("run_id"), record.get("branch"), record.get("subject"), entry.get("step"), entry.get("text"))
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 3] + "..."


def targets(record, entry):
    """Whom to tell of ``entry``: ``("pagerduty", incident)`` and ``("servicenow", ticket)`` (not the ticket the entry
    itself recorded), leaving out a target that already failed in the run."""
    if record.get("check_mode") or entry.get("kind") not in TOLD_KINDS:
        return []
    failed = record.get("timeline_failed") or {}
    found = []
    if record.get("incident") and "pagerduty:" + record["incident"] not in failed:
        found.append(("pagerduty", record["incident"]))
    own = {t["sys_id"] for t in tickets_of(entry)}
    for ticket in record.get("tickets") or []:
        if ticket["sys_id"] not in own and "servicenow:" + ticket["sys_id"] not in failed:
            found.append(("servicenow", ticket))
    return found


def _client(system, cls):
    params, problems = from_environment(system)
    if problems:
        raise ValueError("; ".join(problems))
    return cls(**{name: params.get(name) for name in cls.MODULE_PARAMS})


def tell(record, entry, environ=None):
    """Tell ``entry`` to the record's incident and tickets. Returns ``(told, failed)``: the targets told (``pagerduty
    <id>``, ``servicenow <number>``) and ``{target key: why}`` for those that could not be."""
    environ = os.environ if environ is None else environ
    told, failed = [], {}
    text = note(record, entry)
    for system, target in targets(record, entry):
        if system == "pagerduty":
            key, name = "pagerduty:" + target, "PagerDuty incident " + target
        else:
            key, name = "servicenow:" + target["sys_id"], "ServiceNow %s" % (target.get("number") or target["sys_id"])
        try:
            if system == "pagerduty":
                sender = environ.get(FROM_SETTING)
                if not sender:
                    raise ValueError("a note needs %s (the email of a PagerDuty user of the account)" % FROM_SETTING)
                client = _client("pagerduty", PagerDutyClient)
                try:
                    client.add_note(target, text, sender)
                finally:
                    client.close()
            else:
                client = _client("servicenow", ServiceNowClient)
                try:
                    client.add_work_note(target["table"], target["sys_id"], text)
                finally:
                    client.http.close()
            told.append(name)
        except (ValueError, ApiError, OSError) as exc:
            failed[key] = "%s: %s" % (name, str(exc)[:300])
    return told, failed
