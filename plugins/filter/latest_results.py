# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: latest_results
short_description: Each failing scan's latest result, as the record's finding
version_added: 0.1.0
description:
  - The runbook's "Review the scan(s) in Security Center" - for each scan, its latest result (status, id, IPs
    scanned of the total, Security Center's error details), or that it has none in the window looked at.
author:
  - Conductors SRE (@conductors)
positional: names, hours
options:
  _input:
    description: M(conductors.nessus_compliance.sc_scan_result_info)'s C(scan_results), the latest first.
    type: list
    elements: dict
    required: true
  names:
    description: The scans.
    type: list
    elements: str
    required: true
  hours:
    description: The window the results were read in, for the sentence of a scan without one.
    type: int
    default: 48
"""

EXAMPLES = r"""
- name: Record what was found
  conductors.nessus_compliance.remediation_record:
    event: add
    kind: found
    step: Review the scan(s) in Security Center
    text: "{{ item.text }}"
    details: "{{ item.details }}"
  loop: "{{ latest.scan_results | conductors.nessus_compliance.latest_results(['ALC_FR2_public_import']) }}"
  # -> "ALC_FR2_public_import: Partial (result #1005, 96/420 IPs: Scanner sos-fr2-public-scanner-01 timed out.)"
"""

RETURN = r"""
_value:
  description: One entry per scan - C(name), C(text) and C(details) (the result, or an empty dict).
  type: list
  elements: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import latest_results


def latest(results, names, hours=48):
    return latest_results(results or (), names or (), hours)


class FilterModule:
    def filters(self):
        return {"latest_results": latest}
