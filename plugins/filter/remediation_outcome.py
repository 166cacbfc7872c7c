# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: remediation_outcome
short_description: The sentence a remediation record ends with
version_added: 0.1.0
description:
  - What a person reads first - which scans scan, what was healed, what was escalated, what is left to other
    branches - from the branches' results and the record's entries (never from the record's text).
  - V(private) - the private branch of a zone; V(public) - the public branch; V(alert) - a run from the alert;
    V(zone) - a zone healed from the alert.
  - The scanners healed are the record's entries whose C(details.event) is V(ladder_healed), V(os_reload_healed) or V(reenabled).
author:
  - Conductors SRE (@conductors)
positional: branch
options:
  _input:
    description:
      - V(private) - C(remediate_private_scan_result) with C(zone); V(public) and V(zone) - the branch's result;
        V(alert) - a dict with C(public) (the public branch's result), C(private) (the private scans'
        resubmission) and C(zones) (the zones handled in their own records).
    type: dict
    required: true
  branch:
    description: Which run.
    type: str
    choices: [private, public, alert, zone]
    required: true
  entries:
    description: The record's entries (C(remediation_record_data.entries)), for the scanners healed and the plan.
    type: list
    elements: dict
    default: []
  check_mode:
    description: Whether the run was in check mode.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Close the record
  ansible.builtin.include_role:
    name: conductors.nessus_compliance.remediation_record
    tasks_from: finish
  vars:
    remediation_record_outcome: >-
      {{ remediate_public_scan_result | conductors.nessus_compliance.remediation_outcome('public') }}
  # -> "Scanning: ALC_FR2_public_import."
"""

RETURN = r"""
_value:
  description: The outcome sentence.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import (
    alert_outcome,
    private_outcome,
    public_outcome,
    zone_outcome,
)


def outcome(result, branch, entries=None, check_mode=False):
    result = result or {}
    if branch == "private":
        return private_outcome(result.get("zone"), result.get("failing") or [], result.get("not_scanning") or [],
                               entries or (), bool(check_mode), result.get("elsewhere") or [])
    if branch == "public":
        return public_outcome(result)
    if branch == "zone":
        return zone_outcome(result.get("not_scanning") or [])
    if branch == "alert":
        return alert_outcome((result.get("public") or {}).get("not_scanning") or [],
                             (result.get("private") or {}).get("scanning") or [], result.get("zones") or [],
                             bool(check_mode))
    raise AnsibleFilterError("remediation_outcome: branch must be private, public, alert or zone, got %r" % (branch,))


class FilterModule:
    def filters(self):
        return {"remediation_outcome": outcome}
