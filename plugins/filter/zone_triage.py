# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_triage
short_description: The private branch's failing scans of a zone, and the failing scans it leaves to other branches
version_added: 0.1.0
description:
  - From the compliance check's rows, the scans the private branch resubmits for one zone - the scans given when
    there are any, else the zone's failing scans and those an unfinished earlier run resubmitted that the check
    now sees running (their resubmission is followed, not launched again).
  - Also says which failing scans belong to other zones (left to their own branch), whether a scan of the zone
    scanned no IP (the runbook's sign of a scanner problem), and the record's sentence of what was found.
author:
  - Conductors SRE (@conductors)
positional: zone, given, continued
options:
  _input:
    description: M(conductors.nessus_compliance.sc_scan_compliance)'s C(scans) (empty when the scans were given).
    type: list
    elements: dict
    required: true
  zone:
    description: The scan zone.
    type: str
    required: true
  given:
    description: The scans the caller named (they are the failing scans when given).
    type: list
    elements: str
    default: []
  continued:
    description: The records of the unfinished runs this run continues (C(remediation_record_continued)).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Name this zone's failing scans
  ansible.builtin.set_fact:
    remediate_private_scan_triage: "{{ check.scans | conductors.nessus_compliance.zone_triage('ALC_Prod_WDC06_SZ') }}"
  # -> {failing: [ALC_Prod_WDC06_private_import], elsewhere: [ALC_all_envs_public_import], zero_ips: false, ...}
"""

RETURN = r"""
_value:
  description: C(failing), C(zone_failing), C(taken_over), C(elsewhere) (lists of scan names), C(zero_ips) (bool) and C(found) (text).
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import zone_triage


def triage(rows, zone, given=None, continued=None):
    return zone_triage(rows or (), zone, given or (), continued or ())


class FilterModule:
    def filters(self):
        return {"zone_triage": triage}
