# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the runbook's situations a scanner is in, from the evidence gathered about it. No I/O.

The runbook's three situations of a red scanner: 1. nessusd is not running; 2. the server is down;
3. the server was reloaded but SOS has not re-enabled it as a scanner in the scan zone. A reboot can
fix the first two; the third needs an SOS ticket. Anything else is ``unknown`` and escalated.
"""

from __future__ import annotations

from .inert import truncate

SITUATIONS = ("healthy", "starting", "nessusd_not_running", "server_down", "not_reenabled", "unknown")
LADDER = frozenset(("nessusd_not_running", "server_down"))


def classify(sc_healthy, sc_summary, nessus, power=None, nessusd_service=None, transaction=None, ssh=None):
    """``(situation, reason)``.

    ``nessus`` is what ``GET https://<scanner>:8834/server/status`` gave: ``ready``, ``loading`` or
    ``unreachable``; ``power`` is ``on``/``off``/None (classic infrastructure); ``nessusd_service`` is the
    service state seen over SSH (``running``/``stopped``/None when not checked); ``ssh`` is whether SSH
    reached the machine (``reachable``/``unreachable``/None when not checked).
    """
    if power == "off":
        return "server_down", "the machine is powered off (classic infrastructure)"
    if transaction:
        return "starting", "transaction %s is active on the machine: it is restarting" % transaction
    if nessus == "ready":
        if sc_healthy:
            return "healthy", "Security Center: %s; Nessus ready" % sc_summary
        return "not_reenabled", ("the machine is up and Nessus is ready, but Security Center still reports %s: "
                                 "SOS must re-enable it as a scanner in the scan zone" % sc_summary)
    if nessus == "loading":
        return "starting", "Nessus is loading (starting up)"
    if ssh == "unreachable" and nessus == "unreachable":
        return "server_down", ("the machine answers neither SSH nor Nessus on port 8834 (power %s in classic "
                               "infrastructure): it is down or hung" % (power or "unknown"))
    if nessusd_service == "stopped" or (power == "on" and nessusd_service in (None, "running")):
        if nessusd_service == "running":
            return "unknown", "nessusd runs but port 8834 does not answer (Security Center: %s)" % sc_summary
        if nessusd_service == "stopped":
            return "nessusd_not_running", ("the nessusd service is stopped (seen over SSH) and Nessus does not answer "
                                           "on port 8834 (Security Center: %s)" % sc_summary)
        return "nessusd_not_running", ("the machine is running but Nessus does not answer on port 8834 "
                                       "(Security Center: %s)" % sc_summary)
    if power is None:
        return "server_down", "Nessus does not answer and the machine's power state is unknown"
    return "unknown", "no situation of the runbook fits (Security Center: %s, Nessus %s, power %s)" % (sc_summary, nessus, power)


def _ssh_seen(result, unit, checked):
    """(service, reach, seen) from a service_facts result delegated to the scanner."""
    if not checked or not isinstance(result, dict) or not result:
        return None, None, "not checked"
    if result.get("unreachable") or result.get("failed"):
        msg = truncate(str(result.get("msg") or ""), 160)
        if result.get("unreachable"):
            return None, "unreachable", "unreachable: " + msg
        return None, None, "check failed: " + msg
    services = (result.get("ansible_facts") or {}).get("services") or {}
    state = (services.get(unit) or {}).get("state") or "not installed"
    return ("running" if state == "running" else "stopped"), "reachable", "%s %s" % (unit, state)


def report(zone, scanners, nessus, machines, services=None, alerts=None, ssh_checks=False, nessusd_service="nessusd",
           zero_ips=False):
    """The zone's health report: each scanner's evidence and situation, and where Security Center disagrees with itself.

    ``zone`` is sc_zone_info's zone (its scanners with their decoded status); ``scanners`` sc_scanner_info's scanners;
    ``nessus`` nessus_status_info's scanners; ``machines`` and ``services`` the results of the classic_server_info
    and service_facts loops (each with its ``item``, the scanner's name); ``alerts`` PagerDuty's open incidents by host.
    """
    zone_status = {s.get("name"): (s.get("status_decoded") or {}).get("summary") for s in zone.get("scanners") or []}
    probes = {p.get("name"): p for p in nessus or []}
    servers = {r.get("item"): r.get("server") or {} for r in machines or []}
    facts = {r.get("item"): r for r in services or []}
    alerts = alerts or {}
    unit = nessusd_service + ".service"
    rows, disagreements = [], []
    for s in scanners:
        name, summary = s.get("name"), (s.get("status_decoded") or {}).get("summary")
        state = (probes.get(name) or {}).get("state")
        seen_nessus = state if state in ("ready", "loading") else "unreachable"
        machine = servers.get(name) or {}
        transaction = (machine.get("active_transaction") or {}).get("name") or None
        service, reach, ssh_seen = _ssh_seen(facts.get(name), unit, ssh_checks)
        situation, reason = classify(bool(s.get("healthy")), summary or "unknown status", seen_nessus,
                                     machine.get("power_state") or None, service, transaction, reach)
        if name not in zone_status:
            disagreements.append("Security Center does not list %s in the zone record of %s" % (name, zone.get("name")))
        elif zone_status[name] != summary:
            disagreements.append("Zone record says %s is %s, the scanner record says %s" % (name, zone_status[name], summary))
        firing = list(alerts.get(name) or [])
        text = "%s: %s - %s" % (name, situation, reason)  # the record's sentence
        if ssh_seen != "not checked":
            text += " [SSH: %s]" % ssh_seen
        line = "%s%s" % ("OK  " if situation == "healthy" else "BAD ", text)
        if firing:
            line += " (alerts firing: %s)" % "; ".join(firing)
        rows.append({"name": name, "ip": s.get("ip"), "sc_status": summary, "sc_healthy": s.get("healthy"),
                     "sc_working": (s.get("status_decoded") or {}).get("working"), "nessus": seen_nessus,
                     "power": machine.get("power_state"), "transaction": transaction, "nessusd_service": service,
                     "ssh": ssh_seen, "backend_ip": machine.get("backend_ip"), "machine_type": machine.get("type"),
                     "situation": situation, "reason": reason, "ladder": situation in LADDER, "alerts": firing,
                     "text": text, "line": line})
    return {"zone": zone.get("name"), "scanners": rows, "disagreements": disagreements,
            "notes": ["0 IPs were scanned in the zone: its scanners are suspects (runbook)"] if zero_ips else [],
            "unhealthy": [r["name"] for r in rows if r["situation"] != "healthy"]}
