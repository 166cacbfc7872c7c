# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: credential_inputs
short_description: The inputs of a new AWX credential, from the variables its type injects
version_added: 0.1.0
description:
  - Each field a credential type injects as an environment variable (its injector's C(env), VARIABLE to the
    field's template) takes the value of that variable in O(environment) when it is set there, except the
    variables O(skipped) names (a path on this machine means nothing in the execution environment).
author:
  - Conductors SRE (@conductors)
positional: environment, skipped
options:
  _input:
    description: The credential type's C(injectors.env).
    type: dict
    required: true
  environment:
    description: The variables of this shell (name to value, empty when unset).
    type: dict
    required: true
  skipped:
    description: Variables never taken.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Inputs from the shell
  ansible.builtin.debug:
    msg: "{{ awx_credential_types.securitycenter.env | conductors.nessus_compliance.credential_inputs(shell, ['TSC_CA_PATH']) }}"
  vars:
    shell: {TSC_URL: "https://sc.example.com", TSC_ACCESS_KEY: "", TSC_SECRET_KEY: ""}
  # -> {url: "https://sc.example.com"}
"""

RETURN = r"""
_value:
  description: Field id to value.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import credential_inputs


def inputs(injectors, environment, skipped=None):
    return credential_inputs(injectors or {}, environment or {}, skipped or ())


class FilterModule:
    def filters(self):
        return {"credential_inputs": inputs}
