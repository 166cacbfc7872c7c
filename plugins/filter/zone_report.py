# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_report
short_description: Each scan zone's scanners beside their Security Center record
version_added: 0.1.0
description:
  - The runbook's "Check the scanzones for any issues" as data - each zone (by name) with its scanners, their
    address, version, decoded status and health, and the scanners that are not healthy.
  - With O(lines=true), the report as a person reads it, a line per zone and per scanner, then the counts.
author:
  - Conductors SRE (@conductors)
positional: zones
options:
  _input:
    description:
      - M(conductors.nessus_compliance.sc_scanner_info)'s C(scanners); or, with O(lines=true), a report this filter
        made.
    type: raw
    required: true
  zones:
    description: M(conductors.nessus_compliance.sc_zone_info)'s C(zones).
    type: list
    elements: dict
  lines:
    description: Give the report's lines instead of the report.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Put each zone's scanners beside their Security Center record
  ansible.builtin.set_fact:
    scan_zone_health_report: "{{ scanners.scanners | conductors.nessus_compliance.zone_report(zones.zones) }}"

- name: Show it
  ansible.builtin.debug:
    msg: "{{ scan_zone_health_report | conductors.nessus_compliance.zone_report(lines=true) }}"
  # -> ["ALC_Prod_WDC06_SZ: 1/2 working  <-- check this zone", "  BAD  prod-wdc06-infra-nessus-01 (10.1.2.3): ...", ...]
"""

RETURN = r"""
_value:
  description:
    - C(zones) (C(name), C(healthy), C(active_scanners), C(total_scanners), C(scanners)), C(unhealthy_scanners),
      C(zone_count), C(scanner_count); with O(lines=true), a list of lines.
  type: raw
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import zone_report, zone_report_lines


def report(value, zones=None, lines=False):
    if lines:
        return zone_report_lines(value or {})
    return zone_report(value or (), zones or ())


class FilterModule:
    def filters(self):
        return {"zone_report": report}
