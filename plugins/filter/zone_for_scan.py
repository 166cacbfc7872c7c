# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_for_scan
short_description: The scan zone of a failing scan, from Security Center or from its name
version_added: 0.1.0
description:
  - Security Center's scan definition C(zone) is the authority. Without it, the naming rule applies
    (C(ALC_Prod_WDC06_private_import) and C(ALC_Prod_WDC06_CM7_All-ports) run in C(ALC_Prod_WDC06_SZ);
    a C(public) scan runs in its c-code's public zone, C(ALC_SOS~FR2_SZ) for FR2, else C(ALC_SOS_SZ)).
  - When both are known and disagree, Security Center wins and the disagreement is returned.
  - A scan neither can place fails with the expected name forms and the known zones.
author:
  - Conductors SRE (@conductors)
positional: scan_zones, sc_zone
options:
  _input:
    description: The scan definition's name.
    type: str
    required: true
  scan_zones:
    description: The table (the C(scan_zones) variable of the scan_zones inventory).
    type: raw
    required: true
  sc_zone:
    description: The zone Security Center runs the scan in (the definition's C(zone.name)), if known.
    type: str
"""

EXAMPLES = r"""
- name: Where does the failing scan run
  ansible.builtin.debug:
    msg: "{{ 'ALC_Prod_WDC06_private_import' | conductors.nessus_compliance.zone_for_scan(scan_zones) }}"
  # -> {zone: ALC_Prod_WDC06_SZ, visibility: private, source: naming_rule, disagreement: null}
"""

RETURN = r"""
_value:
  description: C(zone), C(visibility), C(source) (V(security_center) or V(naming_rule)) and C(disagreement) (text or null).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import zone_for_scan


def for_scan(scan_name, scan_zones, sc_zone=None):
    zones = list(scan_zones.values()) if isinstance(scan_zones, dict) else list(scan_zones or [])
    try:
        return zone_for_scan(scan_name, zones, sc_zone or None)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"zone_for_scan": for_scan}
