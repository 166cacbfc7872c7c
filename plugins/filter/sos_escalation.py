# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sos_escalation
short_description: The texts of the SOS escalation of failing scans
version_added: 0.1.0
description:
  - The runbook's "Engage SOS" - the escalation's key (one per scan set and day, for the ServiceNow correlation id
    and the PagerDuty dedup key), the request's short description and description (the failing scans with their
    evidence, what automation already tried, the assignment group, C_Code and severity), the PagerDuty summary,
    and the record's sentence of what is left to people. Outside text is shown inert.
author:
  - Conductors SRE (@conductors)
positional: tried, day
options:
  _input:
    description: The failing scans (C(name), C(zone), C(status), C(result_id), C(error_details)).
    type: list
    elements: dict
    required: true
  tried:
    description: What automation already tried, in sentences.
    type: list
    elements: str
    default: []
  day:
    description: The day of the escalation (YYYY-MM-DD).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the escalation (one per scan set and day)
  ansible.builtin.set_fact:
    escalation: >-
      {{ escalate_to_sos_scans | conductors.nessus_compliance.sos_escalation(escalate_to_sos_tried, now(utc=true).strftime('%Y-%m-%d')) }}
"""

RETURN = r"""
_value:
  description: C(key), C(names) (sorted), C(short_description), C(description), C(page_summary) and C(left).
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import sos_escalation


def escalation(scans, tried=None, day=""):
    return sos_escalation(scans or (), tried or (), day)


class FilterModule:
    def filters(self):
        return {"sos_escalation": escalation}
