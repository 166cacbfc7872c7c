# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scanner_work
short_description: What the private branch does with each scanner of the zone, by the runbook's situations
version_added: 0.1.0
description:
  - The remediation planner's answer for the zone's scanners, from the health report
    (P(conductors.nessus_compliance.scanner_health_report#filter)).
  - C(working) - each scanner's name and whether Security Center uses it (for the last-working-scanner rule).
  - C(ladder) - the scanners the reboot ladder takes (Nessus down, or the machine down).
  - C(reenable) - the scanners that answer but that Security Center does not use (the runbook's third situation),
    for an SOS re-enable request; C(reloaded_earlier) - those of them an earlier run reloaded (O(history)), whose
    steps after the reload are finished first.
  - C(unknown) - the scanners whose evidence fits no situation, left to a human.
  - C(to_reenable) - C(reenable) and O(after_reboot), less O(requested), each once.
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The health report's scanners.
    type: list
    elements: dict
    required: true
  history:
    description: The record entries of the scanners to re-enable
      (the P(conductors.nessus_compliance.remediation_history#lookup) lookup).
    type: list
    elements: dict
    default: []
  after_reboot:
    description: The scanners a reboot left for SOS to re-enable.
    type: list
    elements: dict
    default: []
  requested:
    description: The names of the scanners whose OS reload asked SOS to re-enable them already.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Sort the zone's scanners
  ansible.builtin.set_fact:
    work: "{{ scanner_health_report.scanners | conductors.nessus_compliance.scanner_work }}"
"""

RETURN = r"""
_value:
  description: C(working) (a dict), C(ladder), C(reenable), C(unknown), C(reloaded_earlier) and C(to_reenable) (lists of
    the report's rows).
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import scanner_work


def work(scanners, history=None, after_reboot=None, requested=None):
    return scanner_work(list(scanners or []), list(history or []), list(after_reboot or []), list(requested or []))


class FilterModule:
    def filters(self):
        return {"scanner_work": work}
