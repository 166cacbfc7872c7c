# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scans_in_zones
short_description: Which scans run in a scan zone, or in the zones of a visibility, and the refusal of the others
version_added: 0.1.0
description:
  - A branch works only on its own scans - the public branch on the scans of the public zones, the private branch
    on the scans of its zone. This filter places each scan by Security Center's zone and names the others in the
    sentence the branch refuses them with.
author:
  - Conductors SRE (@conductors)
positional: scan_zones
options:
  _input:
    description:
      - The scans - definitions (C(name), C(zone.name)) as M(conductors.nessus_compliance.sc_scan_info) returns them,
        or resubmissions (C(scan.name), C(scan.zone)) as M(conductors.nessus_compliance.sc_scan_launch) returns them.
    type: list
    elements: dict
    required: true
  scan_zones:
    description: The scan-zone table (the C(scan_zones) variable of the scan_zones inventory).
    type: dict
    required: true
  visibility:
    description: The scans of the table's zones of this visibility are inside.
    type: str
    choices: [public, private]
  zone:
    description: The scans of this zone are inside (instead of O(visibility)).
    type: str
"""

EXAMPLES = r"""
- name: Check that every scan is public
  ansible.builtin.assert:
    that: placement.outside | length == 0
    fail_msg: "{{ placement.refusal }}"
  vars:
    placement: "{{ definitions.scans | conductors.nessus_compliance.scans_in_zones(scan_zones, visibility='public') }}"
"""

RETURN = r"""
_value:
  description: C(inside) and C(outside) (each C(name) and C(zone)), C(zones) (the zones asked for) and C(refusal) (text, empty when every scan is inside).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import scans_in_zones


def placement(scans, scan_zones, visibility=None, zone=None):
    if (visibility is None) == (zone is None):
        raise AnsibleFilterError("scans_in_zones: give either visibility or zone")
    return scans_in_zones(scans or (), dict(scan_zones or {}), visibility, zone)


class FilterModule:
    def filters(self):
        return {"scans_in_zones": placement}
