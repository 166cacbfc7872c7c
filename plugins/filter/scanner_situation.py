# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scanner_situation
short_description: Which of the runbook's situations a scanner is in
version_added: 0.1.0
description:
  - From the evidence about one scanner, tells which situation of the runbook applies -
    V(nessusd_not_running) (machine up, port 8834 down), V(server_down) (machine off or unreachable),
    V(not_reenabled) (machine up, Nessus ready, Security Center still not Working - an SOS ticket, not a reboot),
    V(starting) (Nessus loading, or a transaction restarting the machine), V(healthy), or V(unknown).
author:
  - Conductors SRE (@conductors)
positional: nessus, power, nessusd_service, transaction, ssh
options:
  _input:
    description: The scanner as M(conductors.nessus_compliance.sc_scanner_info) returns it (C(healthy), C(status_decoded)).
    type: dict
    required: true
  nessus:
    description: What C(GET /server/status) on port 8834 gave - V(ready), V(loading) or V(unreachable).
    type: str
    required: true
  power:
    description: The machine's power state from classic infrastructure (V(on), V(off)), when known.
    type: str
  nessusd_service:
    description: The nessusd service state seen over SSH (V(running), V(stopped)), when checked.
    type: str
  transaction:
    description: Name of the active transaction on the machine, when there is one.
    type: str
  ssh:
    description: Whether SSH reached the machine (V(reachable), V(unreachable)), when checked.
    type: str
"""

EXAMPLES = r"""
- name: Classify a scanner
  ansible.builtin.debug:
    msg: "{{ scanner | conductors.nessus_compliance.scanner_situation('unreachable', 'on') }}"
  # -> {situation: nessusd_not_running, reason: "the machine is running but Nessus does not answer on port 8834 ..."}
"""

RETURN = r"""
_value:
  description: C(situation), C(reason), and C(ladder) (true when the reboot ladder applies).
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_health import LADDER, classify


def situation(scanner, nessus, power=None, nessusd_service=None, transaction=None, ssh=None):
    decoded = scanner.get("status_decoded") or {}
    name, reason = classify(bool(scanner.get("healthy")), decoded.get("summary", "unknown status"), nessus, power or None,
                            nessusd_service or None, transaction or None, ssh or None)
    return {"situation": name, "reason": reason, "ladder": name in LADDER}


class FilterModule:
    def filters(self):
        return {"scanner_situation": situation}
