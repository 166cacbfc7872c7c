# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: sc_settled
short_description: Whether Security Center's view of a scanner will not change by waiting
version_added: 0.1.0
description:
  - True when Security Center shows the scanner healthy, or an error only SOS can clear once its Nessus answers
    (Authentication Error, Certificate Mismatch, Protocol Error, Invalid Configuration, User Disabled - the
    runbook's third situation). Connection errors may be stale for a poll or two after a reboot, so they are not.
  - Used as the C(until) of the wait for Security Center after a step of the reboot ladder.
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanner as M(conductors.nessus_compliance.sc_scanner_info) returns it.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Wait until Security Center settles on the scanner
  conductors.nessus_compliance.sc_scanner_info:
    update_status: true
    name: [nessus-01]
  register: sc
  until: sc.scanners[0] | conductors.nessus_compliance.sc_settled
  retries: 30
  delay: 10
"""

RETURN = r"""
_value:
  description: Whether waiting longer would not change the verdict.
  type: bool
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import sc_settled


class FilterModule:
    def filters(self):
        return {"sc_settled": sc_settled}
