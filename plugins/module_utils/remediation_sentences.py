# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The remediation branches' decisions about scans and the sentences their records end with (no I/O).

Which of a zone's scans the private branch works on, where each scan of an alert goes, and what a person reads
at the end of a run: each is a function of structured results (the compliance check's rows, the resubmission's
result, the record's entries), never of the record's text.
"""

from __future__ import annotations

from .inert import said, truncate
from .planner import HEALED_EVENTS  # the record events (details.event) that say a scanner works again


def _unique(items):
    return list(dict.fromkeys(items))


def _join(items, sep=", "):
    return sep.join(str(i) for i in items)


def zone_triage(check_rows, zone, given=(), continued=()):
    """The private branch's scans for ``zone``.

    ``check_rows``: ``sc_scan_compliance``'s ``scans`` (empty when the scans were given); ``given``: the scans
    named by the caller (they win); ``continued``: the records of the unfinished runs this run continues, whose
    resubmitted scans are followed when the check sees them running.
    Returns ``failing`` (the scans to resubmit), ``zone_failing``, ``taken_over``, ``elsewhere`` (failing scans
    of other zones, left to their branches), ``zero_ips`` (a scan of the zone scanned no IP) and ``found`` (the
    record's sentence).
    """
    check_rows = list(check_rows or ())
    rows = [r for r in check_rows if r.get("zone") == zone]
    elsewhere = _unique(r["name"] for r in check_rows if r.get("failing") and r.get("zone") != zone)
    zone_failing = _unique(r["name"] for r in rows if r.get("failing"))
    taken_over = []
    if not given and continued:
        earlier = _unique(name for record in continued for entry in record.get("entries") or ()
                          for name in ((entry.get("details") or {}).get("failing") or ()))
        running = [r["name"] for r in rows if r.get("verdict") == "running"]
        taken_over = [n for n in earlier if n in running and n not in zone_failing]
    failing = list(given) if given else zone_failing + taken_over
    if given:
        found = "scans given: " + _join(given)
    else:
        now = ["%s - %s" % (r["name"], r.get("reason")) for r in rows if r.get("failing")]
        seen = "; ".join(now) if now else ("none by the check" if taken_over else "nothing is failing")
        found = "failing in %s: %s" % (zone, seen)
    if taken_over:
        found += "; resubmitted by the unfinished run, still to follow: " + _join(taken_over)
    return {"failing": failing, "zone_failing": zone_failing, "taken_over": taken_over, "elsewhere": elsewhere,
            "zero_ips": any(r.get("verdict") == "no_ips" for r in rows), "found": found}


def _placed(scan):
    """``(name, zone)`` of a scan definition (``name``, ``zone.name``) or of a resubmission (``scan.name``, ``scan.zone``)."""
    if scan.get("scan"):
        return scan["scan"].get("name"), scan["scan"].get("zone")
    zone = scan.get("zone")
    return scan.get("name"), (zone or {}).get("name") if isinstance(zone, dict) else zone


def scans_in_zones(scans, table, visibility=None, zone=None):
    """Which scans run in ``zone``, or in the table's zones of ``visibility``, and the refusal of the others.

    ``table``: the scan-zone table (name -> zone with ``visibility``). Returns ``inside`` and ``outside``
    (``[{name, zone}]``), ``zones`` (the zones asked for) and ``refusal`` (the sentence naming the others, empty
    when there are none).
    """
    if zone is not None:
        zones = [zone]
    else:
        zones = [name for name, z in (table or {}).items() if (z or {}).get("visibility") == visibility]
    placed = [dict(zip(("name", "zone"), _placed(s))) for s in scans or ()]
    inside = [p for p in placed if p["zone"] in zones]
    outside = [p for p in placed if p["zone"] not in zones]
    elsewhere = "; ".join("%s runs in %s" % (p["name"], p["zone"]) for p in outside)
    if not outside:
        refusal = ""
    elif zone is not None:
        refusal = "Not in %s: %s" % (zone, elsewhere)
    else:
        refusal = ("Not %s: %s. %s scans run in %s; use remediate_private_scan.yml -e zone=<zone> for the others."
                   % (visibility, elsewhere, str(visibility).capitalize(), _join(zones)))
    return {"inside": inside, "outside": outside, "zones": zones, "refusal": refusal}


def healed_scanners(entries):
    """How many scanners the record says work again (a reboot step or an OS reload healed them)."""
    return len([e for e in entries or () if (e.get("details") or {}).get("event") in HEALED_EVENTS])


def planned_steps(entries):
    """The check-mode plan's next steps, from the record's ``ladder_planned`` entries."""
    return [(e.get("details") or {}).get("plan") for e in entries or ()
            if (e.get("details") or {}).get("event") == "ladder_planned"]


def private_outcome(zone, failing, still_failing, entries=(), check_mode=False, elsewhere=()):
    """The private branch's outcome for one zone."""
    if not failing:
        text = "Nothing failing in %s." % zone
    elif check_mode:
        planned = planned_steps(entries)
        text = "Check mode: would resubmit %s%s." % (_join(failing), ("; then the " + _join(planned, ", the ")) if planned else "")
    elif not still_failing:
        healed = healed_scanners(entries)
        text = "Scanning: %s%s." % (_join(failing), (" after healing %d scanner(s)" % healed) if healed else "")
    else:
        text = "Still not scanning, escalated to SOS: %s." % _join(still_failing)
    if elsewhere:
        text += (" Also failing, not in %s (left for their own branch; the alert runs them all: remediate.yml): %s."
                 % (zone, _join(elsewhere)))
    return text


def public_outcome(resubmission):
    """The public branch's outcome, from the resubmission's result."""
    parts = [("Scanning: %s.", resubmission.get("scanning")),
             ("Not resubmitted (guard): %s.", resubmission.get("refused")),
             ("Would resubmit (check mode): %s.", resubmission.get("would_resubmit")),
             ("Not scanning, escalated to SOS: %s.", resubmission.get("not_scanning"))]
    return " ".join(form % _join(names) for form, names in parts if names)


def zone_outcome(still_failing):
    """The outcome of a zone healed from the alert."""
    if still_failing:
        return "Still not scanning, escalated to SOS: %s." % _join(still_failing)
    return "Scanning, or held by a guard (see the record)."


def alert_outcome(public_not_scanning, private_scanning, zones, check_mode=False):
    """The outcome of a run from the alert: what was escalated, what scans, which zones went on to their branch."""
    parts = []
    if public_not_scanning:
        parts.append("Escalated to SOS: %s." % _join(public_not_scanning))
    if private_scanning:
        parts.append("Scanning after the resubmission: %s." % _join(private_scanning))
    if zones:
        parts.append("Zones whose scans still do not scan, handled in their own records: %s." % _join(zones))
    if not parts:
        parts.append("Check mode: nothing was changed." if check_mode else
                     "Every scan of the alert was resubmitted or followed, or held by a guard (see the record).")
    return " ".join(parts)


def record_summary(record):
    """The lines a person reads at the end of a run: the outcome, what was done and left, where the record is."""
    done_and_left = [e.get("text") for e in record.get("entries") or () if e.get("kind") != "found"]
    return [record.get("outcome")] + done_and_left + ["Record: %s" % ((record.get("files") or {}).get("markdown"))]


ESCALATION_STEPS = ("Engage SOS", "Escalation Policy")


def support_case_entry(answer, scanner, check_mode=False):
    """The record entry of the IaaS support case step, from classic_support_ticket's answer: ``kind``, ``text`` and
    ``details`` (``event`` support_case_opened, _found, _planned or _refused, and the case)."""
    case = (answer or {}).get("ticket")
    number = (case or {}).get("number") or "#%s" % (case or {}).get("id", "?")
    if case and (answer or {}).get("existing"):
        kind, event, text = "done", "support_case_found", "found the open IBM Cloud support case %s for the machine" % number
    elif case:
        kind, event, text = "done", "support_case_opened", "opened IBM Cloud support case %s for the machine" % number
    elif check_mode and not (answer or {}).get("failed"):
        kind, event, text = "done", "support_case_planned", "would open an IBM Cloud support case"
    else:
        kind, event = "left", "support_case_refused"
        text = "could not open an IBM Cloud support case: %s" % ((answer or {}).get("msg") or "unknown error")
    return {"kind": kind, "text": "%s: %s" % (scanner, text),
            "details": {"scanner": scanner, "event": event, "support_case": case}}


def chat_message(record, zone_records=(), lines=None):
    """The team's chat message at the end of a run: ``send`` (the run - or, from the alert, one of its zones - changed
    something or escalated; a run that stopped before any change says nothing; never a dry run), ``outcome``
    (failed, escalated, changed or unchanged), ``title``, ``lines`` (the five-second summary: ``lines`` when given,
    else the record's) and ``link`` (the record's Markdown)."""
    records = [record] + [r for r in zone_records if r]
    entries = [e for r in records for e in r.get("entries") or ()]
    if any((r.get("outcome") or "").startswith("Stopped") for r in records):
        kind = "failed"
    elif any(e.get("step") in ESCALATION_STEPS and e.get("kind") == "done" for e in entries):
        kind = "escalated"
    elif any(e.get("kind") == "done" for e in entries):
        kind = "changed"
    else:
        kind = "unchanged"
    summary = record_summary(record)[:-1] if lines is None else lines
    did = any(e.get("kind") == "done" for e in entries)  # an escalation is a step done too
    return {"send": did and not record.get("check_mode"), "outcome": kind,
            "title": "Nessus scan remediation, %s %s: %s" % (record.get("branch"), record.get("subject"), kind),
            "lines": [str(line) for line in summary if line], "link": (record.get("files") or {}).get("markdown") or ""}


def alert_summary(record, zone_hosts=(), public=None):
    """The end of a run from the alert: its record's lines, each zone's outcome, the records' place, the escalated scans.

    ``zone_hosts``: each zone host's variables (``remediation_zone``, and ``remediation_record_data`` and
    ``remediate_private_scan_result`` when the zone was handled); ``public``: the public branch's result.
    """
    lines = [record.get("outcome")] + [e.get("text") for e in record.get("entries") or () if e.get("kind") != "found"]
    escalated = list((public or {}).get("not_scanning") or ())
    for host in zone_hosts or ():
        zone_record = host.get("remediation_record_data")
        if zone_record:
            lines.append(zone_record.get("outcome"))
        else:
            lines.append("%s: not handled (the run was limited)" % host.get("remediation_zone"))
        escalated += list((host.get("remediate_private_scan_result") or {}).get("not_scanning") or ())
    json_file = (record.get("files") or {}).get("json") or ""
    lines.append("Records: %s/remediation-*.md" % json_file.rsplit("/", 1)[0])
    return {"lines": lines, "escalated": escalated}


def stopped_escalation(scans, zones=None, zone="", task="?", msg=""):
    """The escalation rows of a run that stopped on a fault: its scans, with where and why it stopped."""
    text = str(msg or "")
    if len(text) > 305:  # as Jinja's truncate(300) cut it: at a word, within a leeway of 5
        text = text[:297].rsplit(" ", 1)[0] + "..."
    details = 'automation stopped at "%s": %s' % (task or "?", text)
    return [{"name": name, "zone": (zones or {}).get(name, zone or ""), "status": "", "result_id": None,
             "error_details": details} for name in scans or ()]


def _placed_sentence(p):
    disagreement = ("; " + p["disagreement"]) if p.get("disagreement") else ""
    return "%s runs in %s (%s)%s" % (p["scan"], p.get("zone"), p.get("visibility"), disagreement)


def alert_plan(definitions, placements, held=()):
    """Where each scan of an alert goes.

    ``definitions``: the scans' definitions (``name``); ``placements``: for each, what ``zone_for_scan`` said
    (``zone``, ``visibility``, ``source``, ``disagreement``); ``held``: the zones another run works on (their lease is
    another run's). Returns ``placed`` (one row per scan), the ``public`` and ``private`` scans (not those of a held
    zone: ``held_scans``), ``private_zones`` (the zones of all private scans, each once), ``zone_of`` (scan -> zone)
    and ``systems`` (those the run may call).
    """
    placed = [dict(p, scan=d["name"]) for d, p in zip(definitions or (), placements or ())]
    every = [p["scan"] for p in placed if p.get("visibility") == "private"]
    zone_of = {p["scan"]: p.get("zone") for p in placed}
    private = [name for name in every if zone_of[name] not in (held or ())]
    return {"placed": placed,
            "public": [p["scan"] for p in placed if p.get("visibility") == "public"],
            "private": private,
            "held_scans": [name for name in every if name not in private],
            "private_zones": _unique(p.get("zone") for p in placed if p.get("visibility") == "private"),
            "zone_of": zone_of,
            "systems": ["securitycenter"] + (["classic"] if every else []),
            "records": [_placed_sentence(p) for p in placed]}


def zones_to_heal(plan, still_failing, launches=()):
    """The zones whose private scans still do not scan after the alert's resubmission, each with its scans and
    their outcomes so far (the zone's branch follows them rather than launching again)."""
    zones = _unique(plan["zone_of"][name] for name in plan.get("private") or () if name in (still_failing or ()))
    out = []
    for zone in zones:
        scans = [name for name in plan.get("private") or () if plan["zone_of"].get(name) == zone]
        out.append({"zone": zone, "scans": scans,
                    "resubmitted": [launch for launch in launches or () if launch.get("name") in scans]})
    return out


def ladder_step_text(step):
    """The record's text of one reboot ladder step, from what the step did.

    ``step``: ``words`` (the rung's name), ``scanner``, ``step`` (the planner's step), ``service``, ``restarted``
    and ``restart_msg`` (the nessusd restart over SSH), ``power_sent``, ``power_command`` and
    ``power_skipped_reason`` (a power command through IBM Cloud), ``check_mode``.
    """
    service = said(step.get("service"))
    if step.get("step") == "restart_nessusd":
        if step.get("restarted"):
            done = "%s %s over SSH" % ("would restart" if step.get("check_mode") else "restarted", service)
        else:
            done = "could not restart %s over SSH: %s" % (service, truncate(said(step.get("restart_msg")), 200))
    elif step.get("power_sent"):
        done = "sent %s" % said(step.get("power_command"))
    else:
        done = said(step.get("power_skipped_reason"))
    return "%s of %s: %s" % (said(step.get("words")), said(step.get("scanner")), done)


def os_reload_text(reload):
    """The record's text of the OS reload step.

    ``reload``: ``scanner``, ``check_mode``, ``done`` (the reload finished) and ``answer``, what
    ``classic_server_reload`` registered (``already_reloaded``, ``request.config.customProvisionScriptUri``,
    ``reload.steps``, ``reload.finished``, ``msg``).
    """
    scanner = said(reload.get("scanner"))
    answer = _mapping(reload.get("answer"))
    if reload.get("check_mode"):
        script = _mapping(_mapping(answer.get("request")).get("config")).get("customProvisionScriptUri")
        return "would reload %s with %s" % (scanner, said(script) or "the post-provision script")
    done = _mapping(answer.get("reload"))
    if reload.get("done"):
        return "%s: %s with the post-provision script (%s), finished %s" % (
            scanner, "the reload sent by an earlier run" if answer.get("already_reloaded") else "OS reloaded",
            _join((_mapping(step).get("step") for step in done.get("steps") or ()), " > "), said(done.get("finished")))
    return "%s: the OS reload did not finish - %s" % (scanner, said(answer.get("msg")) or "unknown")


def bastion_text(registration):
    """The record's text of the bastion registration step.

    ``registration``: ``scanner``, ``earlier`` (an earlier run registered it), ``job``, ``ok`` and ``build``, what
    ``jenkins_build`` registered (``build_number``, ``result``, ``parameters``, ``msg``; none when it did not run).
    """
    scanner = said(registration.get("scanner"))
    if registration.get("earlier"):
        return "%s: registered with the bastion by an earlier run" % scanner
    build = _mapping(registration.get("build"))
    number, parameters = build.get("build_number"), _mapping(build.get("parameters"))
    if number is None:
        ran = "did not run"
    else:  # a build still running when the wait ended has no result yet
        ran = "#%s %s" % (number, said(build.get("result")) or "still running")
    text = "%s: %s %s (TARGET_HOSTS_IP=%s, TARGET_HOSTNAME=%s)" % (
        scanner, said(registration.get("job")), ran, said(parameters.get("TARGET_HOSTS_IP")) or "?",
        said(parameters.get("TARGET_HOSTNAME")) or "?")
    return text if registration.get("ok") else "%s: %s" % (text, said(build.get("msg")))


def _mapping(value):
    return value if isinstance(value, dict) else {}


def reload_decided_text(decision):
    """The record's text of an allowed OS reload: ``decision`` has ``scanner``, ``allowed_by``, ``allow_last``."""
    return "OS reload of %s allowed by %s (allow_osreload=true%s); its reboot ladder failed" % (
        said(decision.get("scanner")), said(decision.get("allowed_by")),
        ", allow_last_working_scanner=true" if decision.get("allow_last") else "")


def bootstrap_text(check):
    """The record's text of the bootstrap check after an OS reload.

    ``check``: ``scanner``, ``bootstrapped``, ``nessus`` (Nessus' state), ``ssh_checked``, ``command`` (the bootstrap
    check run over SSH) and ``ran``, what that command registered (``rc``, ``unreachable``, ``msg``).
    """
    text = "%s: %s - Nessus %s" % (
        said(check.get("scanner")),
        "bootstrapped" if check.get("bootstrapped") else "NOT bootstrapped (was the post-provision script selected?)",
        said(check.get("nessus")).replace("down", "does not answer"))
    if not check.get("ssh_checked"):
        return text
    ran = _mapping(check.get("ran"))
    if ran.get("rc", 1) == 0:
        outcome = "succeeded"
    else:
        outcome = "failed" + (": %s" % said(ran.get("msg")) if ran.get("unreachable") else "")
    return "%s; `%s` %s" % (text, said(check.get("command")), outcome)


def reload_outcome_text(outcome):
    """The record's text of the wait for Security Center after an OS reload.

    ``outcome``: ``scanner``, ``healed``, and ``sc``, what ``sc_scanner_info`` registered for the scanner.
    """
    scanner = said(outcome.get("scanner"))
    if outcome.get("healed"):
        return "%s works again after the OS reload" % scanner
    scanners = _mapping(outcome.get("sc")).get("scanners") or [{}]
    summary = _mapping(_mapping(scanners[0]).get("status_decoded")).get("summary")
    return "SOS has not re-enabled %s yet (Security Center: %s); the scans are resubmitted once it is" % (
        scanner, said(summary, "unknown"))


def reenable_outcome_text(scanner):
    """The record's text of a scanner SOS was asked to re-enable, from ``sc_scanner_info``'s entry for it."""
    return "%s: %s, Security Center reports %s" % (
        said(scanner.get("name")), "re-enabled" if scanner.get("healthy") else "not re-enabled yet",
        said(_mapping(scanner.get("status_decoded")).get("summary")))


# What servicenow_ticket did (its ``action``), as the record says it.
TICKET_VERBS = {"created": "opened", "found": "found", "unchanged": "found", "work_note": "added a work note to",
                "would_create": "would open", "would_add_work_note": "would add a work note to"}


def _ticket_said(answer):
    answer = _mapping(answer)
    action = said(answer.get("action"))
    return "%s ServiceNow request %s" % (TICKET_VERBS.get(action, action.replace("_", " ")),
                                         said(_mapping(answer.get("ticket")).get("number")) or "(new)")


def sos_request_text(request):
    """The record's text of the SOS escalation's request: ``request`` has ``answer``, what servicenow_ticket registered."""
    return "%s for SOS Vulnerability Scanning" % _ticket_said(request.get("answer"))


def reenable_request_text(request):
    """The record's text of a re-enable request: ``scanner``, ``zone`` and ``answer``, what servicenow_ticket registered."""
    return "%s: %s to re-enable it in %s" % (
        said(request.get("scanner")), _ticket_said(request.get("answer")), said(request.get("zone")))


def page_text(page):
    """The record's text of a PagerDuty trigger: ``sent`` and ``dedup_key``."""
    return "%s PagerDuty (dedup key %s)" % ("triggered" if page.get("sent") else "would trigger", said(page.get("dedup_key")))


def support_case_text(case):
    """The IaaS support case's text: what the reboot ladder did and saw after each step (``ladder``, the reboot_ladder
    role's result), then why no OS reload ran (``refused``), a line each."""
    ladder = _mapping(case.get("ladder"))
    lines = [ladder.get("text")] + [_mapping(look).get("text") for look in ladder.get("looked") or ()]
    return "\n".join(said(line) for line in lines + [case.get("refused")] if said(line))


def after_ladder_text(policy):
    """What comes after a reboot ladder that heals nothing, as the ladder's plan says it: ``allow_osreload``."""
    if policy.get("allow_osreload"):
        return "an OS reload (allow_osreload)"
    return "the escalation to SOS (an OS reload needs allow_osreload=true)"


# The record texts by step, in the runbook's order (the record_text filter's forms).
RECORD_TEXTS = {
    "ladder_step": ladder_step_text, "after_ladder": after_ladder_text, "reload_decided": reload_decided_text,
    "os_reload": os_reload_text, "bootstrap": bootstrap_text, "bastion": bastion_text,
    "reload_outcome": reload_outcome_text, "reenable_request": reenable_request_text,
    "reenable_outcome": reenable_outcome_text, "support_case": support_case_text, "sos_request": sos_request_text,
    "page": page_text,
}
