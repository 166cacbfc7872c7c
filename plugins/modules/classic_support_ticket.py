#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: classic_support_ticket
short_description: Open an IBM Cloud classic support ticket for a virtual guest or bare metal server, once while it is open
version_added: 0.1.0
description:
  - Opens a classic-infrastructure support ticket (C(SoftLayer_Ticket::createStandardTicket)) with the machine named by
    O(hostname) and O(domain) attached and O(contents) as its first update - the remediation's last step for a scanner
    that a power cycle did not bring back when no OS reload is allowed.
  - One ticket per machine while it is open. When one of the account's open tickets (C(SoftLayer_Account::getOpenTickets),
    every page) has the machine attached already, the module returns that ticket (RV(existing)) and opens none.
  - The subject is given by name (O(subject)) and looked up among C(SoftLayer_Ticket_Subject::getAllObjects).
  - The ticket is never sent twice. The transport retries no POST; when the answer is lost (no answer, a server error),
    the module looks for the machine's open ticket instead (RV(answer_lost)) and fails if there is none.
  - No root or administrator password is sent with the ticket.
author:
  - Conductors SRE (@conductors)
options:
  title:
    description: Title of the ticket.
    type: str
    required: true
  contents:
    description:
      - The ticket's first update - what was seen and what was tried (the evidence).
      - It is outside text and sent as data - the module never templates it, and removes control characters. Pass it
        from a variable rather than writing it into the task.
    type: str
    required: true
  subject:
    description:
      - Name of the ticket subject, as C(SoftLayer_Ticket_Subject::getAllObjects) lists them (for example
        C(Hardware Issue), C(Reboots and Console Access)).
    type: str
    default: Hardware Issue
extends_documentation_fragment:
  - conductors.nessus_compliance.classic
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.classic.machine
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.classic.action_group
"""

EXAMPLES = r"""
- name: Ask IBM Cloud support to look at the scanner a power cycle did not bring back
  conductors.nessus_compliance.classic_support_ticket:
    hostname: prod-wdc06-infra-nessus-01
    domain: "{{ classic_domain }}"
    title: "Scanner prod-wdc06-infra-nessus-01 does not come back after a power cycle"
    contents: "{{ escalation_text }}"
  delegate_to: localhost
  register: support_ticket
"""

RETURN = r"""
existing:
  description: The machine was attached to an open ticket already; that ticket is returned and none was opened.
  returned: success
  type: bool
would_create:
  description: In check mode, whether a ticket would be opened.
  returned: success
  type: bool
answer_lost:
  description: The answer to the create was lost; the ticket was found among the open tickets instead of being sent again.
  returned: success
  type: bool
ticket:
  description: The ticket opened or found; null when one would be opened in check mode.
  returned: success
  type: dict
  contains:
    id:
      description: Ticket id.
      type: int
    number:
      description: The case number people quote (C(serviceProviderResourceId)).
      type: str
    title:
      description: Title.
      type: str
    status:
      description: Status name (C(Open), ...).
      type: str
    created:
      description: When it was opened (ISO 8601, with the API's offset).
      type: str
    attached:
      description: Ids of the machines attached, by kind (C(guest), C(hardware)).
      type: dict
  sample: {id: 148200001, number: CS3100001, title: Scanner does not come back, status: Open,
           created: "2026-11-26T13:00:03+00:00", attached: {guest: [60000001], hardware: []}}
request:
  description: What is (or in check mode, would be) sent - the subject (name and id), the title and the machine attached.
  returned: when no open ticket was found
  type: dict
  sample: {subject: Hardware Issue, subject_id: 1021, title: Scanner does not come back,
           attachment_type: VIRTUAL_GUEST, attachment_id: 60000001}
machine:
  description: The machine (C(id), C(type), C(fqdn)).
  returned: success
  type: dict
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    ATTACHMENT_TYPES,
    CLASSIC_ARGUMENT_SPEC,
    MACHINE_ARGUMENT_SPEC,
    ClassicClient,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import ModuleFailure, run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.inert import inert
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CLASSIC_ARGUMENT_SPEC, **MACHINE_ARGUMENT_SPEC,
            title=dict(type="str", required=True),
            contents=dict(type="str", required=True),
            subject=dict(type="str", default="Hardware Issue"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    contents = inert(p["contents"], "plain")
    if not p["title"].strip() or not contents.strip():
        module.fail_json(msg="title and contents must not be empty: IBM Cloud classic refuses a ticket without them")
    name = "%s.%s" % (p["hostname"], p["domain"])

    def action(client):
        kind, machine = client.find_for_module(p)
        out = {"changed": False, "existing": False, "would_create": False, "answer_lost": False,
               "machine": {"id": machine["id"], "type": kind, "fqdn": machine.get("fullyQualifiedDomainName") or name}}
        existing = client.open_ticket_for(kind, machine["id"])
        if existing is not None:
            return dict(out, existing=True, ticket=existing)
        subjects = client.ticket_subjects()
        subject = next((s for s in subjects if s.get("name") == p["subject"]), None)
        if subject is None:
            raise ModuleFailure("IBM Cloud classic has no ticket subject named %s (it has: %s): no ticket opened for %s"
                                % (p["subject"], ", ".join(sorted(str(s.get("name")) for s in subjects)) or "none", name),
                                **out)
        out["request"] = {"subject": subject["name"], "subject_id": subject["id"], "title": p["title"],
                          "attachment_type": ATTACHMENT_TYPES[kind], "attachment_id": machine["id"]}
        if module.check_mode:
            return dict(out, changed=True, would_create=True, ticket=None)
        try:
            ticket, lost = client.create_ticket(subject["id"], p["title"], contents, kind, machine["id"])
        except ApiError as exc:
            raise ModuleFailure("Open the IBM Cloud classic support ticket for %s: %s" % (name, exc), error=exc.to_dict(),
                                **out) from exc
        return dict(out, changed=True, answer_lost=lost, ticket=ticket)

    run_client(module, ClassicClient.from_module, action)


if __name__ == "__main__":
    main()
