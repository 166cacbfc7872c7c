# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zones_to_heal
short_description: The zones of the alert whose private scans still do not scan after their resubmission
version_added: 0.1.0
description:
  - Each zone that gets the private branch after the alert's private scans were resubmitted together, with its
    scans and their resubmission so far (the zone's branch follows them rather than launching them again).
author:
  - Conductors SRE (@conductors)
positional: resubmission
options:
  _input:
    description: The alert's plan (P(conductors.nessus_compliance.alert_plan#filter)).
    type: dict
    required: true
  resubmission:
    description: The private scans' resubmission (role C(resubmit_scans)'s C(resubmit_scans_result)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Give each zone whose scans still do not scan its own host
  ansible.builtin.add_host:
    name: "zone-{{ item.zone }}"
    remediation_zone: "{{ item.zone }}"
  loop: "{{ remediation_plan | conductors.nessus_compliance.zones_to_heal(resubmit_scans_result) }}"
"""

RETURN = r"""
_value:
  description: One entry per zone - C(zone), C(scans) and C(resubmitted) (the scans' launches so far).
  type: list
  elements: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import zones_to_heal


def to_heal(plan, resubmission):
    resubmission = resubmission or {}
    return zones_to_heal(plan, resubmission.get("still_failing") or (), resubmission.get("launches") or ())


class FilterModule:
    def filters(self):
        return {"zones_to_heal": to_heal}
