# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the runbook's situations a scanner is in, from the evidence gathered about it. No I/O.

The runbook's three situations of a red scanner: 1. nessusd is not running; 2. the server is down;
3. the server was reloaded but SOS has not re-enabled it as a scanner in the scan zone. A reboot can
fix the first two; the third needs an SOS ticket. Anything else is ``unknown`` and escalated.
"""

from __future__ import annotations

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

