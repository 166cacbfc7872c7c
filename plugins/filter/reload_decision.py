# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: reload_decision
short_description: The OS reload decision of a scanner's current episode, recorded by an earlier run
version_added: 0.1.0
description:
  - The remediation planner's view of an OS reload already decided for the scanner and not yet followed by a heal -
    the latest C(os_reload_decided) entry recorded after the scanner last healed. A run that continues an interrupted
    reload follows that decision (the machine's reload id before it, who allowed it) and never sends a second reload.
  - A decision followed by a heal belongs to an episode that is over; the scanner's next episode decides again (and
    the 7-day limit of P(conductors.nessus_compliance.scanner_guard#filter) applies to it).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanner's record entries (the P(conductors.nessus_compliance.remediation_history#lookup) lookup).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Did an earlier run decide this scanner's reload
  ansible.builtin.set_fact:
    decided: "{{ history | conductors.nessus_compliance.reload_decision }}"
  # -> {} or {scanner: ..., event: os_reload_decided, allowed_by: jdoe, previous_reload_id: 1234}
"""

RETURN = r"""
_value:
  description: The decision's C(details) (C(allowed_by), C(previous_reload_id), ...), or an empty dict when none is open.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import open_reload_decision


def reload_decision(history):
    return open_reload_decision(list(history or []))


class FilterModule:
    def filters(self):
        return {"reload_decision": reload_decision}
