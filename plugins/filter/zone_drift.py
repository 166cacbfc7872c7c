# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_drift
short_description: Differences between the scan-zone table and Security Center's zones and scanners
version_added: 0.1.0
description:
  - Compares the scan-zone table (the C(scan_zones) variable of the scan_zones inventory) with the zones
    of M(conductors.nessus_compliance.sc_zone_info) and the scanners of M(conductors.nessus_compliance.sc_scanner_info).
  - Reports zones in the table but not in Security Center and the reverse, our scanners missing from
    Security Center, scanners in a private zone of Security Center that the table does not list, and
    scanners that Security Center has in another zone than the table. It changes nothing.
author:
  - Conductors SRE (@conductors)
positional: sc_zones, sc_scanners
options:
  _input:
    description: The table, as the C(scan_zones) variable (zone name to zone) or a list of zones.
    type: raw
    required: true
  sc_zones:
    description: Security Center's zones (the C(zones) of M(conductors.nessus_compliance.sc_zone_info)).
    type: list
    elements: dict
    required: true
  sc_scanners:
    description: Security Center's scanners (the C(scanners) of M(conductors.nessus_compliance.sc_scanner_info)).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Compare the table with Security Center
  ansible.builtin.debug:
    msg: "{{ scan_zones | conductors.nessus_compliance.zone_drift(sc_zones.zones, sc_scanners.scanners) }}"
"""

RETURN = r"""
_value:
  description: The differences; C(in_sync) is true when there are none.
  type: dict
  contains:
    zones_missing_in_sc:
      description: Table zones Security Center does not have.
      type: list
      elements: str
    zones_not_in_table:
      description: Security Center zones the table does not have.
      type: list
      elements: str
    scanners_missing_in_sc:
      description: Table scanners Security Center does not know.
      type: list
      elements: str
    scanners_not_in_table:
      description: Scanners in a private zone of Security Center that the table does not list.
      type: list
      elements: str
    scanners_in_another_zone:
      description: Scanners Security Center has in other zones than the table (C(scanner), C(table_zone), C(sc_zones)).
      type: list
      elements: dict
    in_sync:
      description: No difference.
      type: bool
    report:
      description: The differences as lines a person reads.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import zone_drift


def _zones(table):
    if isinstance(table, dict):
        return list(table.values())
    if isinstance(table, list):
        return table
    raise AnsibleFilterError("zone_drift: expected the scan_zones variable (a mapping) or a list of zones")


def drift(table, sc_zones, sc_scanners=None):
    return zone_drift(_zones(table), sc_zones or [], sc_scanners or [])


class FilterModule:
    def filters(self):
        return {"zone_drift": drift}
