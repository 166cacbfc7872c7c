# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: reload_checkpoint
short_description: Where a reloaded scanner stands - bootstrapped, and registered with the bastion
version_added: 0.1.0
description:
  - The remediation planner's answer after an OS reload. The scanner is bootstrapped when its Nessus answers ready,
    and the bootstrap check over SSH passed when it ran. It is registered when the records show a bastion
    registration after its latest reload, so a re-run does not run the Jenkins job again.
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanner's record entries (the P(conductors.nessus_compliance.remediation_history#lookup) lookup).
    type: list
    elements: dict
    required: true
  nessus:
    description: The state the scanner's Nessus answered (V(ready), V(loading), V(down), V(error)).
    type: str
    required: true
  ssh_checked:
    description: The bootstrap check ran over SSH.
    type: bool
    default: false
  bootstrap_rc:
    description: The bootstrap check's return code, when it ran.
    type: int
"""

EXAMPLES = r"""
- name: Where does the reloaded scanner stand
  ansible.builtin.set_fact:
    checkpoint: "{{ history | conductors.nessus_compliance.reload_checkpoint(nessus='ready') }}"
  # -> {bootstrapped: true, registered: false}
"""

RETURN = r"""
_value:
  description: C(bootstrapped) and C(registered), booleans.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import after_reload


def reload_checkpoint(history, nessus, ssh_checked=False, bootstrap_rc=None):
    return after_reload(list(history or []), nessus, bool(ssh_checked), bootstrap_rc)


class FilterModule:
    def filters(self):
        return {"reload_checkpoint": reload_checkpoint}
