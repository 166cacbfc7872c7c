# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: stopped_escalation
short_description: The escalation rows of a run that stopped on a fault
version_added: 0.1.0
description:
  - One row per scan of the run (C(name), C(zone), C(status), C(result_id), C(error_details)) for role
    C(escalate_to_sos), saying where the automation stopped and why.
author:
  - Conductors SRE (@conductors)
positional: zones, zone, task, msg
options:
  _input:
    description: The scans the run was for.
    type: list
    elements: str
    required: true
  zones:
    description: Scan name to scan zone.
    type: dict
    default: {}
  zone:
    description: The zone of the scans that O(zones) does not place.
    type: str
    default: ""
  task:
    description: The task that failed.
    type: str
    default: "?"
  msg:
    description: Its message (cut to about 300 characters).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Engage SOS and page the escalation policy
  ansible.builtin.include_role:
    name: conductors.nessus_compliance.escalate_to_sos
  vars:
    escalate_to_sos_scans: >-
      {{ stopped_scans | conductors.nessus_compliance.stopped_escalation(zone='ALC_Prod_WDC06_SZ',
         task=ansible_failed_task.name, msg=ansible_failed_result.msg) }}
"""

RETURN = r"""
_value:
  description: The rows.
  type: list
  elements: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import stopped_escalation


def rows(scans, zones=None, zone="", task="?", msg=""):
    return stopped_escalation(scans or (), zones or {}, zone or "", task or "?", msg or "")


class FilterModule:
    def filters(self):
        return {"stopped_escalation": rows}
