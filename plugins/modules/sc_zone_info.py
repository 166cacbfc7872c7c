#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_zone_info
short_description: List Tenable Security Center scan zones with their scanners and their health
version_added: 0.1.0
description:
  - Reads C(GET /rest/zone) in one request. Each zone comes with its scanners, each scanner's status
    decoded as in M(conductors.nessus_compliance.sc_scanner_info), and Security Center's
    C(activeScanners) and C(totalScanners) counts.
  - This is the runbook's "open the scan zone record and check the health of the associated scanners".
author:
  - Conductors SRE (@conductors)
options:
  name:
    description:
      - Only return the zones with these names, for example C(ALC_Prod_WDC06_SZ).
      - Fails when a name is unknown to Security Center, listing the zones it has.
    type: list
    elements: str
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.attributes.securitycenter
seealso:
  - module: conductors.nessus_compliance.sc_scanner_info
"""

EXAMPLES = r"""
- name: Check the scanners of the WDC06 scan zone
  conductors.nessus_compliance.sc_zone_info:
    name: ALC_Prod_WDC06_SZ
  register: wdc06
  delegate_to: localhost

- name: Fail when a scanner of the zone is not green
  ansible.builtin.assert:
    that: wdc06.zones[0].unhealthy_scanners | length == 0
    fail_msg: "Not green: {{ wdc06.zones[0].unhealthy_scanners | join(', ') }}"
"""

RETURN = r"""
zones:
  description: The scan zones, with Security Center's fields converted to numbers, booleans and null.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Zone id.
      type: int
      sample: 3
    name:
      description: Zone name.
      type: str
      sample: ALC_Prod_WDC06_SZ
    ipList:
      description: The targets the zone covers, comma separated, as Security Center stores them.
      type: str
    activeScanners:
      description: Security Center's count of working scanners in the zone.
      type: int
      sample: 2
    totalScanners:
      description: Security Center's count of scanners in the zone.
      type: int
      sample: 2
    scanners:
      description: The zone's scanners (id, name, raw C(status)) with C(status_decoded) and C(healthy) added.
      type: list
      elements: dict
    healthy_scanners:
      description: Names of the zone's healthy scanners.
      type: list
      elements: str
    unhealthy_scanners:
      description: Names of the zone's scanners that are not healthy.
      type: list
      elements: str
    healthy:
      description: The zone has scanners and every one of them is healthy.
      type: bool
retries:
  description: Requests the transport retried (method, path, status); empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.sc_types import select_by_name
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import describe_zone
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SecurityCenterClient,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(SC_ARGUMENT_SPEC, name=dict(type="list", elements="str")),
        supports_check_mode=True,
    )

    def action(client):
        zones = [describe_zone(zone) for zone in client.list_zones()]
        return {"zones": select_by_name(zones, module.params["name"], "scan zone")}

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
