# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ladder_next
short_description: Look at a scanner again after a step of its reboot ladder, and say what comes next
version_added: 0.1.0
description:
  - The remediation planner's answer after a step. The scanner is re-classified - healed (Nessus ready, Security
    Center Working), up but not re-enabled (Nessus ready, Security Center not Working - the runbook's third
    situation, an SOS re-enable request and not the next reboot), or not healed (the next step, or the ladder failed).
  - In check mode the plan stops at the step (the real run looks at the scanner again before it decides more).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The ladder's state (P(conductors.nessus_compliance.ladder_start#filter) or this filter).
    type: dict
    required: true
  step:
    description: The step just taken or resumed. A step that is not the state's next one changes nothing.
    type: str
    required: true
  nessus:
    description: The state the scanner's Nessus answered after the step (V(ready), V(loading), V(down), V(error)).
    type: str
  sc:
    description: Security Center's record of the scanner after the step, when it was asked.
    type: dict
  check_mode:
    description: The run is a check-mode plan.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Look at the scanner again
  ansible.builtin.set_fact:
    ladder: "{{ ladder | conductors.nessus_compliance.ladder_next(step='reboot_soft', nessus='ready', sc=sc_record) }}"
"""

RETURN = r"""
_value:
  description: The ladder's state (see P(conductors.nessus_compliance.ladder_start#filter)); C(looked) lists each look.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import observe


def ladder_next(state, step, nessus=None, sc=None, check_mode=False):
    return observe(state, step, nessus or None, sc or None, bool(check_mode))


class FilterModule:
    def filters(self):
        return {"ladder_next": ladder_next}
