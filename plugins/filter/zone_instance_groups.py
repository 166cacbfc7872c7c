# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_instance_groups
short_description: Each scan zone's AWX instance groups, from groups given by zone-name prefix
version_added: 0.1.0
description:
  - For each zone name, the instance groups of O(groups) whose prefix the name starts with, each once, in the order
    O(groups) gives them; a zone no prefix matches gets none.
author:
  - Conductors SRE (@conductors)
positional: groups
options:
  _input:
    description: The zone names.
    type: list
    elements: str
    required: true
  groups:
    description: Instance group by zone-name prefix (C(awx_instance_groups)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The instance groups of the zones
  ansible.builtin.debug:
    msg: "{{ ['ALC_Prod_WDC06_SZ', 'ALC_Dev_MON01_SZ'] | conductors.nessus_compliance.zone_instance_groups({'ALC_Prod_': 'prod'}) }}"
    # {'ALC_Prod_WDC06_SZ': ['prod'], 'ALC_Dev_MON01_SZ': []}
"""

RETURN = r"""
_value:
  description: The instance groups (a list) by zone name.
  type: dict
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import zone_instance_groups


class FilterModule:
    def filters(self):
        return {"zone_instance_groups": zone_instance_groups}
