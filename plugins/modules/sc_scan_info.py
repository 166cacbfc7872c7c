#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_scan_info
short_description: Read Tenable Security Center scan definitions with their schedule, zone and policy
version_added: 0.1.0
description:
  - Reads scan definitions ("Active Scans") from C(GET /rest/scan) in one request, asking for the
    fields a compliance check needs (C(schedule), C(zone), C(policy), C(maxScanTime), ...).
  - With O(id), reads each definition from C(GET /rest/scan/{id}) in full.
  - A schedule comes as Security Center stores it - C(type) (V(ical), V(dependent), V(template),
    V(never), V(now), V(rollover)), C(start) with its C(TZID), C(repeatRule), C(enabled), C(nextRun) -
    with numbers and booleans converted.
author:
  - Conductors SRE (@conductors)
options:
  name:
    description:
      - Only return the definitions with these names. Fails when a name is unknown, listing the known ones.
    type: list
    elements: str
  id:
    description:
      - Read these definitions by id (one request each, full objects). Mutually exclusive with O(name).
    type: list
    elements: int
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.attributes.securitycenter
seealso:
  - module: conductors.nessus_compliance.sc_scan_result_info
"""

EXAMPLES = r"""
- name: Read the scan definitions named in the alert
  conductors.nessus_compliance.sc_scan_info:
    name:
      - ALC_all_envs_public_import
      - ALC_Prod_WDC06_private_import
  register: failed_scans
  delegate_to: localhost

- name: Show when each one is scheduled
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.schedule.type }} {{ item.schedule.start }} {{ item.schedule.repeatRule }}"
  loop: "{{ failed_scans.scans }}"
"""

RETURN = r"""
scans:
  description: The scan definitions, Security Center's fields with types converted.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Definition id.
      type: int
      sample: 12
    name:
      description: Definition name.
      type: str
      sample: ALC_Prod_WDC06_private_import
    schedule:
      description: The schedule (C(type), C(start), C(repeatRule), C(enabled), C(nextRun) epoch or null).
      type: dict
      sample:
        type: ical
        start: TZID=America/New_York:20261101T020000
        repeatRule: FREQ=DAILY;INTERVAL=1
        enabled: true
        nextRun: 1796194800
    zone:
      description: The scan zone (C(id) null means "all zones").
      type: dict
      sample: {id: 3, name: ALC_Prod_WDC06_SZ, description: ""}
    policy:
      description: The scan policy.
      type: dict
    maxScanTime:
      description: Longest run Security Center allows, in seconds; null when unlimited.
      type: int
retries:
  description: Requests the transport retried (method, path, status); empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.sc_types import select_by_name
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SecurityCenterClient,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SC_ARGUMENT_SPEC,
            name=dict(type="list", elements="str"),
            id=dict(type="list", elements="int"),
        ),
        mutually_exclusive=[("name", "id")],
        supports_check_mode=True,
    )

    def action(client):
        if module.params["id"]:
            return {"scans": [client.get_scan(scan_id) for scan_id in module.params["id"]]}
        return {"scans": select_by_name(client.list_scans(), module.params["name"], "scan definition")}

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
