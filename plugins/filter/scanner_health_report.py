# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scanner_health_report
short_description: The health report of a scan zone's scanners, from the evidence gathered about them
version_added: 0.1.0
description:
  - For each scanner - Security Center's status, Nessus's answer, the machine (power, transaction, backend IP), the
    nessusd service seen over SSH, the alerts firing - and which of the runbook's situations it is in
    (P(conductors.nessus_compliance.scanner_situation#filter)), with a line a person reads.
  - Also where Security Center disagrees with itself (the zone record against the scanner record).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanners as M(conductors.nessus_compliance.sc_scanner_info) returns them.
    type: list
    elements: dict
    required: true
  zone:
    description: The zone as M(conductors.nessus_compliance.sc_zone_info) returns it.
    type: dict
    required: true
  nessus:
    description: The scanners as M(conductors.nessus_compliance.nessus_status_info) returns them.
    type: list
    elements: dict
    required: true
  machines:
    description: The results of the M(conductors.nessus_compliance.classic_server_info) loop over the scanners.
    type: list
    elements: dict
    required: true
  services:
    description: The results of the M(ansible.builtin.service_facts) loop delegated to the scanners, when run.
    type: list
    elements: dict
    default: []
  alerts:
    description: The open PagerDuty incidents by host (M(conductors.nessus_compliance.pagerduty_incident_info)).
    type: dict
    default: {}
  ssh_checks:
    description: Whether the nessusd service was read over SSH.
    type: bool
    default: false
  nessusd_service:
    description: The Nessus service's name on the scanners.
    type: str
    default: nessusd
  zero_ips:
    description: The zone's last scans scanned 0 IPs (the runbook's sign that its scanners are suspects).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Tell which of the runbook's situations each scanner is in
  ansible.builtin.set_fact:
    report: >-
      {{ sc.scanners | conductors.nessus_compliance.scanner_health_report(zone=zone.zones[0], nessus=probe.scanners,
         machines=machines.results) }}
"""

RETURN = r"""
_value:
  description:
    - C(zone), C(scanners) (each with C(situation), C(reason), C(ladder), the evidence, C(text) (the record's sentence) and C(line)),
      C(disagreements), C(notes) and C(unhealthy) (the names of the scanners not healthy).
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_health import report


def scanner_health_report(scanners, zone, nessus, machines, services=None, alerts=None, ssh_checks=False,
                          nessusd_service="nessusd", zero_ips=False):
    return report(zone, list(scanners or []), list(nessus or []), list(machines or []), list(services or []),
                  dict(alerts or {}), bool(ssh_checks), nessusd_service or "nessusd", bool(zero_ips))


class FilterModule:
    def filters(self):
        return {"scanner_health_report": scanner_health_report}
