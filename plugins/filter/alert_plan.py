# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: alert_plan
short_description: Where each scan of the alert goes - the public branch, or the private branch of its zone
version_added: 0.1.0
description:
  - Places each scan of the alert in its scan zone (Security Center's zone first, the naming rule second, as
    P(conductors.nessus_compliance.zone_for_scan#filter) does) and splits them into the public and the private scans.
author:
  - Conductors SRE (@conductors)
positional: scan_zones
options:
  _input:
    description: The scans' definitions (M(conductors.nessus_compliance.sc_scan_info)'s C(scans)).
    type: list
    elements: dict
    required: true
  scan_zones:
    description: The scan-zone table (the C(scan_zones) variable of the scan_zones inventory).
    type: raw
    required: true
  held:
    description:
      - The zones another run works on (their lease is that run's). Their private scans are left out of C(private)
        and listed in C(held_scans).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Place each scan in its zone
  ansible.builtin.set_fact:
    remediation_plan: "{{ definitions.scans | conductors.nessus_compliance.alert_plan(scan_zones) }}"
  # -> {public: [ALC_all_envs_public_import], private: [ALC_Prod_WDC06_private_import], zone_of: {...}, ...}
"""

RETURN = r"""
_value:
  description:
    - C(placed) (per scan - C(scan), C(zone), C(visibility), C(source), C(disagreement)), C(public) and C(private)
      (scan names; not those of a O(held) zone, which are C(held_scans)), C(private_zones) (the zones of the private
      scans, each once), C(zone_of) (scan name to zone), C(systems) (the systems the run may call) and C(records) (a
      sentence per scan for the record).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import alert_plan
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import zone_for_scan


def plan(definitions, scan_zones, held=None):
    zones = list(scan_zones.values()) if isinstance(scan_zones, dict) else list(scan_zones or [])
    try:
        placements = [zone_for_scan(d["name"], zones, (d.get("zone") or {}).get("name") or None) for d in definitions or ()]
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))
    return alert_plan(definitions or (), placements, list(held or ()))


class FilterModule:
    def filters(self):
        return {"alert_plan": plan}
