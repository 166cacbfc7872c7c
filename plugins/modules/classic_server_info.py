#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: classic_server_info
short_description: Find a virtual guest or bare metal server of IBM Cloud classic infrastructure by host name and domain
version_added: 0.1.0
description:
  - Looks the machine up with an C(objectFilter) on host name and domain (C(SoftLayer_Account/getVirtualGuests),
    then C(getHardware)) and checks that exactly one machine matched, since the API ignores a filter it cannot read.
  - Returns its identity, IP addresses (public and backend), power state, status, active transaction and last OS reload.
author:
  - Conductors SRE (@conductors)
extends_documentation_fragment:
  - conductors.nessus_compliance.classic
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.classic.machine
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.classic.action_group
"""

EXAMPLES = r"""
- name: Look at the scanner in classic infrastructure
  conductors.nessus_compliance.classic_server_info:
    hostname: "{{ inventory_hostname }}"
    domain: "{{ classic_domain }}"
  register: machine
  delegate_to: localhost
"""

RETURN = r"""
server:
  description: The machine.
  returned: success
  type: dict
  contains:
    id:
      description: Machine id.
      type: int
    type:
      description: V(guest) or V(hardware).
      type: str
    fqdn:
      description: Fully qualified domain name.
      type: str
    backend_ip:
      description: Primary backend (private) IP address.
      type: str
    primary_ip:
      description: Primary public IP address.
      type: str
    power_state:
      description: V(on) or V(off).
      type: str
    status:
      description: Status key (ACTIVE, ...).
      type: str
    active_transaction:
      description: The active transaction (C(id), C(name)), or null.
      type: dict
    provision_date:
      description: When it was (re)provisioned.
      type: str
    last_os_reload_id:
      description: Id of the last OS reload transaction.
      type: int
    last_os_reload:
      description: The last OS reload (C(id), C(created), C(status) - C(COMPLETE) once done), or null.
      type: dict
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    CLASSIC_ARGUMENT_SPEC,
    MACHINE_ARGUMENT_SPEC,
    ClassicClient,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client


def main():
    module = AnsibleModule(
        argument_spec=dict(CLASSIC_ARGUMENT_SPEC, **MACHINE_ARGUMENT_SPEC),
        supports_check_mode=True,
    )

    def action(client):
        kind, machine = client.find_for_module(module.params)
        return {"server": client.describe(kind, machine["id"])}

    run_client(module, ClassicClient.from_module, action)


if __name__ == "__main__":
    main()
