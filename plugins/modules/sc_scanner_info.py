#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_scanner_info
short_description: List Nessus scanners known to Tenable Security Center, with their status decoded
version_added: 0.1.0
description:
  - Reads C(GET /rest/scanner) in one request and decodes each scanner's C(status) bit field into
    named flags (Working, Connection Error, Updating Status, ...).
  - A scanner is O(ignore:healthy) when the Working bit is set and no error bit is; this rule is the
    collection's reading of Tenable's status table, as the runbook's "all green" check.
  - Security Center returns every scanner only to administrators; an organization user sees only
    agent-capable scanners, so use an administrator's API keys.
author:
  - Conductors SRE (@conductors)
options:
  name:
    description:
      - Only return the scanners with these names. Fails when a name is unknown to Security Center.
    type: list
    elements: str
  update_status:
    description:
      - Ask Security Center to re-check every scanner first (C(POST /rest/scanner/updateStatus)), so the
        statuses are fresh rather than from its last periodic check.
      - This changes no configuration, but it is a C(POST); in check mode it is not sent, and the statuses are
        those of Security Center's last periodic check.
    type: bool
    default: false
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.attributes.securitycenter
seealso:
  - module: conductors.nessus_compliance.sc_zone_info
"""

EXAMPLES = r"""
- name: Check the health of every scanner
  conductors.nessus_compliance.sc_scanner_info:
    update_status: true
  register: sc_scanners
  delegate_to: localhost

- name: Name the scanners that are not green
  ansible.builtin.debug:
    msg: "{{ sc_scanners.scanners | rejectattr('healthy') | map(attribute='name') | list }}"

- name: Read two scanners with an API key pair from a vault
  conductors.nessus_compliance.sc_scanner_info:
    url: https://sc.example.com
    access_key: "{{ vault_tsc_access_key }}"
    secret_key: "{{ vault_tsc_secret_key }}"
    name:
      - prod-wdc06-infra-nessus-01
      - prod-wdc06-infra-nessus-02
"""

RETURN = r"""
scanners:
  description: The scanners, with Security Center's fields converted to numbers, booleans and null.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Scanner id.
      type: int
      sample: 7
    name:
      description: Scanner name.
      type: str
      sample: prod-wdc06-infra-nessus-01
    ip:
      description: Address Security Center uses to reach the scanner.
      type: str
      sample: 10.190.12.34
    status:
      description: The raw status bit field as Security Center sent it.
      type: str
      sample: "1"
    status_decoded:
      description: The status bit field decoded.
      type: dict
      contains:
        code:
          description: The bit field as a number.
          type: int
          sample: 8193
        flags:
          description: Name of every bit set.
          type: list
          elements: str
          sample: [Working, Updating Status]
        errors:
          description: The error bits set.
          type: list
          elements: str
          sample: []
        summary:
          description: The flags joined for a person to read.
          type: str
          sample: Working, Updating Status
        transient:
          description: A transient bit is set (reloading, updating plugins or status).
          type: bool
    healthy:
      description: Working bit set and no error bit.
      type: bool
      sample: true
    zone_names:
      description: Names of the scan zones the scanner belongs to.
      type: list
      elements: str
      sample: [ALC_Prod_WDC06_SZ]
updated:
  description: The statuses Security Center reported after O(update_status).
  returned: when O(update_status=true), not in check mode
  type: list
  elements: dict
retries:
  description: Requests the transport retried (method, path, status); empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.sc_types import select_by_name
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import describe_scanner
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SecurityCenterClient,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SC_ARGUMENT_SPEC,
            name=dict(type="list", elements="str"),
            update_status=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )

    def action(client):
        result = {}
        if module.params["update_status"] and not module.check_mode:
            result["updated"] = client.update_scanner_status()
        scanners = [describe_scanner(s) for s in client.list_scanners()]
        result["scanners"] = select_by_name(scanners, module.params["name"], "scanner")
        return result

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
