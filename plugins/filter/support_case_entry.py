# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: support_case_entry
short_description: The record entry of the IaaS support case step
version_added: 0.1.0
description:
  - From the answer of M(conductors.nessus_compliance.classic_support_ticket), the remediation record's entry - C(kind)
    (V(done), or V(left) when the case could not be opened), C(text) and C(details) (C(event) V(support_case_opened),
    V(support_case_found), V(support_case_planned) or V(support_case_refused), C(scanner), C(support_case)).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The module's registered answer.
    type: dict
    required: true
  scanner:
    description: The scanner's name.
    type: str
    required: true
  check_mode:
    description: The run is a dry run.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Record the support case
  vars:
    entry: "{{ case | conductors.nessus_compliance.support_case_entry(scanner='prod-wdc06-infra-nessus-01') }}"
  conductors.nessus_compliance.remediation_record:
    event: add
    kind: "{{ entry.kind }}"
    step: Raise an IaaS support case
    text: "{{ entry.text }}"
    details: "{{ entry.details }}"
"""

RETURN = r"""
_value:
  description: C(kind), C(text) and C(details) of the entry.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import support_case_entry


def entry(answer, scanner, check_mode=False):
    return support_case_entry(answer or {}, scanner, bool(check_mode))


class FilterModule:
    def filters(self):
        return {"support_case_entry": entry}
