#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: servicenow_ticket
short_description: Open a ServiceNow ticket once per correlation id, or add a work note to the open one
version_added: 0.1.0
description:
  - Looks for an active record of O(table) with O(correlation_id). When there is one, adds O(work_note)
    to it; otherwise creates it with O(fields) (Table API), or orders O(catalog_item) (Service Catalog
    C(order_now)) when given. A re-run for the same correlation id never opens a second ticket, even when
    ServiceNow answered the first create with 429.
  - Reference fields may be given by display value (C(assignment_group=SOS Vulnerability Scanning)).
  - With O(catalog_item), ServiceNow stores O(fields) as the catalog variables of the requested item (C(sc_req_item)),
    not on the request; the module then sets the request's C(correlation_id) with a Table API C(PATCH) on
    C(sc_request), which is what later runs look it up by.
  - An instance with two-step checkout answers C(order_now) with a cart only and creates no request; the module then
    fails and says so.
author:
  - Conductors SRE (@conductors)
options:
  table:
    description: The table the ticket lives in (C(sc_request) for a service request, C(incident), ...).
    type: str
    default: sc_request
  correlation_id:
    description: What makes the ticket unique (for example the failing scans and the day); stored in C(correlation_id).
    type: str
    required: true
  fields:
    description:
      - Fields of a new record (names are site-specific, for example C(u_c_code), C(u_severity)).
      - With O(catalog_item), they are sent as the catalog item's C(variables) instead (names of the item's variables).
    type: dict
    default: {}
  work_note:
    description: Work note to add when the ticket exists already. Nothing is added when empty.
    type: str
  catalog_item:
    description: sys_id of a Service Catalog item to order (C(order_now)) instead of creating a record of O(table).
    type: str
extends_documentation_fragment:
  - conductors.nessus_compliance.servicenow
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.servicenow.action_group
"""

EXAMPLES = r"""
- name: Ask SOS Vulnerability Scanning to investigate (one request per scan set and day)
  conductors.nessus_compliance.servicenow_ticket:
    correlation_id: nessus-sos-3f2a9c1d7e20-2026-11-26
    fields:
      short_description: "Nessus scans failing: ALC_all_envs_public_import"
      description: "{{ escalation_text }}"
      assignment_group: SOS Vulnerability Scanning
      u_c_code: ALC
      u_severity: "2"
    work_note: "Re-run of the remediation at {{ now(utc=true) }}: still failing."
  delegate_to: localhost
"""

RETURN = r"""
action:
  description:
    - V(created), V(work_note) (added to the open ticket), V(unchanged) (open ticket, no note given),
      V(found) (a create refused with 429 was retried and found the ticket another run had opened meanwhile),
      or in check mode V(would_create) / V(would_add_work_note).
  returned: success
  type: str
ticket:
  description: The ticket (C(number), C(sys_id), C(table)); null when one would be created in check mode.
  returned: success
  type: dict
  sample: {number: REQ0010012, sys_id: cf56a3fcdb3a2300e890f71fbf9619ac, table: sc_request}
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.servicenow import (
    SERVICENOW_ARGUMENT_SPEC,
    ServiceNowClient,
)


def brief(record, table):
    if not record:
        return None
    return {"number": record.get("number") or record.get("request_number"), "sys_id": record.get("sys_id"),
            "table": record.get("table") or table}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SERVICENOW_ARGUMENT_SPEC,
            table=dict(type="str", default="sc_request"),
            correlation_id=dict(type="str", required=True),
            fields=dict(type="dict", default={}),
            work_note=dict(type="str"),
            catalog_item=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    table = "sc_request" if p["catalog_item"] else p["table"]

    def action(client):
        existing = client.find_open(table, p["correlation_id"])
        if existing is not None:
            if not p["work_note"]:
                return {"changed": False, "action": "unchanged", "ticket": brief(existing, table)}
            if module.check_mode:
                return {"changed": True, "action": "would_add_work_note", "ticket": brief(existing, table)}
            client.add_work_note(table, existing["sys_id"], p["work_note"])
            return {"changed": True, "action": "work_note", "ticket": brief(existing, table)}
        if module.check_mode:
            return {"changed": True, "action": "would_create", "ticket": None}
        if p["catalog_item"]:
            # the variables go to the requested item; the request itself gets the correlation id (Table API PATCH)
            ordered = client.order(p["catalog_item"], p["fields"], p["correlation_id"])
            return {"changed": True, "action": "created", "ticket": brief(ordered, table)}
        record, how = client.create(table, dict(p["fields"], correlation_id=p["correlation_id"]))
        return {"changed": how == "created", "action": how, "ticket": brief(record, table)}

    run_client(module, ServiceNowClient.from_module, action)


if __name__ == "__main__":
    main()
