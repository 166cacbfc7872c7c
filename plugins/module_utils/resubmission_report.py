# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a resubmission of failed scans came to, for the runbook's "Resubmitting the failed scan" (no I/O).

``sc_scan_launch`` (with ``names``) answers one entry per scan. ``resubmission_result`` turns that answer into
the one result the role ``resubmit_scans`` returns: each scan's outcome, the scans of each outcome, the record
entry of each resubmission and the escalation row of each scan that does not scan.

Each scan's outcome and escalation row are the module's own (its ``outcome`` and ``escalation`` keys, from
``resubmission.launch_outcome`` and ``resubmission.escalation``): they are classified there, and only there.
A scan the module did not answer for (it failed before it could) is an ``error``, with the module's message.
"""

from __future__ import annotations

OUTCOMES = ("scanning", "not_scanning", "refused", "would_resubmit", "error", "not_followed")
# Resubmitted or followed, and not scanning: escalated when nothing else heals them.
NOT_SCANNING = ("not_scanning", "not_followed", "error")
RECORD_KEYS = ("scan", "scan_result_id", "guard", "progress", "waited", "msg", "would_launch", "launched",
               "launch_answer_lost", "next_run", "outcome")


def _name(launch):
    return (launch.get("scan") or {}).get("name") or launch.get("name") or ""


def with_evidence(row, failed_result):
    """The escalation row with the failed run's own evidence (Security Center's ``errorDetails``) when known."""
    if not failed_result:
        return row
    return dict(row, status=row.get("status") or failed_result.get("status") or "",
                result_id=row["result_id"] if row.get("result_id") is not None else failed_result.get("id"),
                error_details=failed_result.get("errorDetails") or row.get("error_details") or "")


def record_text(launch, outcome):
    """The record's sentence for one resubmission, in the order things happened."""
    name = _name(launch)
    if outcome == "error":
        return "%s: %s" % (name, launch.get("msg") or "the resubmission failed")
    guard = launch.get("guard")
    if launch.get("would_launch"):
        text = "%s: would resubmit it and follow it until it scans (check mode)" % name
    elif guard:
        text = "%s: %s" % (name, guard.get("reason"))
    elif launch.get("scan_result_id"):
        text = "%s: resubmitted as result #%s" % (name, launch["scan_result_id"])
    else:
        text = "%s:" % name
    waited = launch.get("waited")
    if waited is not None:
        if waited.get("reached"):
            progress = launch.get("progress") or {}
            text += "; now it is scanning (%s, %s IPs done)" % (progress.get("status") or "", progress.get("completed_ips") or 0)
        else:
            text += "; it does not scan yet: " + (launch.get("msg") or "").replace(name + ": ", "", 1)
    return text


def _unanswered(name, msg):
    """The entry of a scan the module did not answer for: an ``error``, escalated with the module's message."""
    return {"name": name, "msg": msg, "outcome": "error",
            "escalation": {"name": name, "zone": "", "status": "", "result_id": None, "error_details": msg}}


def _launches(answer):
    """(entries, error message) from what ``sc_scan_launch`` registered, or from a list of its entries."""
    if isinstance(answer, (list, tuple)):
        return [dict(a) for a in answer], None
    answer = answer or {}
    scans = answer.get("scans")
    if scans is None and not answer.get("skipped"):  # the module failed before it could say anything per scan
        return [], answer.get("msg") or "the resubmission failed"
    return [dict(s) for s in scans or ()], None


def resubmission_result(answer, names=(), failed_results=()):
    """The result of role ``resubmit_scans``.

    ``answer``: what ``sc_scan_launch`` registered (or a list of its ``scans`` entries, an earlier resubmission
    taken over). ``names``: the scans asked for; a scan the answer does not cover is an ``error``.
    ``failed_results``: the scans' latest results before the resubmission, whose evidence goes into the
    escalation rows.
    """
    entries, error = _launches(answer)
    covered = {_name(e) for e in entries}
    for name in names or ():
        if name not in covered:
            entries.append(_unanswered(name, error or "%s: not resubmitted (the module answered nothing for it)" % name))
            covered.add(name)
    latest = {}
    for result in failed_results or ():
        latest.setdefault(((result or {}).get("scan") or {}).get("name"), result)
    launches, records, escalations = [], [], {}
    for entry in entries:
        name = _name(entry)
        if entry.get("outcome") not in OUTCOMES or not entry.get("escalation"):
            raise ValueError("sc_scan_launch's answer for %s has no outcome or escalation: this filter needs the "
                             "module of the same collection version" % name)
        outcome = entry["outcome"]
        row = with_evidence(dict(entry["escalation"]), latest.get(name))
        if entry.get("msg"):
            row["resubmission"] = entry["msg"]
        launches.append(dict(entry, name=name, outcome=outcome, escalation=row))
        escalations[name] = row
        records.append({"name": name, "text": record_text(entry, outcome),
                        "details": dict({k: entry[k] for k in RECORD_KEYS if k in entry}, outcome=outcome)})

    def named(*outcomes):
        return [launch["name"] for launch in launches if launch["outcome"] in outcomes]

    return {
        "launches": launches,
        "outcomes": {launch["name"]: launch["outcome"] for launch in launches},
        "scanning": named("scanning"),
        "not_scanning": named(*NOT_SCANNING),
        "refused": named("refused"),
        "would_resubmit": named("would_resubmit"),
        # the scans that do not scan now, whatever the reason: held by a guard first, then those followed in vain
        "still_failing": named("refused", "not_followed") + named("not_scanning") + named("error"),
        # the scans not known to scan: still failing, or only planned (check mode) - the scanners decide their fate
        "unsettled": named("refused", "not_followed") + named("not_scanning") + named("error") + named("would_resubmit"),
        "escalations": escalations,
        "records": records,
        "error": error,
    }
