# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: resubmission_result
short_description: What a resubmission of failed scans came to, as role resubmit_scans returns it
version_added: 0.1.0
description:
  - Turns what M(conductors.nessus_compliance.sc_scan_launch) registered (with O(names)) into the result of the
    runbook's "Resubmitting the failed scan" - each scan's outcome (V(scanning), V(not_scanning), V(refused),
    V(would_resubmit), V(error), V(not_followed)), the scans of each outcome, the record entry of each
    resubmission and the escalation row of each scan.
  - The outcome and the escalation row are the module's own C(outcome) and C(escalation); this filter sorts the
    scans by them and adds the failed runs' evidence, it does not classify.
  - A scan asked for that the answer does not cover (the module failed before it could answer for it) is an
    V(error), with the module's message.
author:
  - Conductors SRE (@conductors)
positional: names, failed_results
options:
  _input:
    description:
      - What M(conductors.nessus_compliance.sc_scan_launch) registered, or a list of its C(scans) entries (an
        earlier resubmission of the same scans, taken over).
    type: raw
    required: true
  names:
    description: The scans asked for.
    type: list
    elements: str
    default: []
  failed_results:
    description:
      - The scans' latest results before the resubmission (M(conductors.nessus_compliance.sc_scan_result_info)'s
        C(scan_results)); their status, id and C(errorDetails) go into the escalation rows.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Sort the scans that scan from those that do not
  ansible.builtin.set_fact:
    resubmit_scans_result: "{{ launch | conductors.nessus_compliance.resubmission_result(['ALC_Prod_WDC06_private_import']) }}"
  # -> {scanning: [ALC_Prod_WDC06_private_import], not_scanning: [], refused: [], would_resubmit: [], ...}
"""

RETURN = r"""
_value:
  description:
    - C(launches) (each entry of the module with C(name), C(outcome) and C(escalation)), C(outcomes) (scan name to
      outcome), C(scanning), C(not_scanning) (resubmitted or followed and not scanning, or failed), C(refused)
      (held by a guard), C(would_resubmit) (check mode), C(still_failing) (not scanning for any reason, the refused
      first), C(escalations) (scan name to its escalation row - name, zone, status, result_id, error_details),
      C(records) (C(name), C(text), C(details) of each resubmission's record entry) and C(error) (the module's
      message when it failed before answering for any scan, else null).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.resubmission_report import resubmission_result


def result(answer, names=None, failed_results=None):
    try:
        return resubmission_result(answer, names or (), failed_results or ())
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"resubmission_result": result}
