#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pagerduty_incident_info
short_description: List the open PagerDuty incidents that name given hosts
version_added: 0.1.0
description:
  - Reads the triggered and acknowledged incidents through the PagerDuty REST API and returns those whose title
    or summary names one of O(hosts) - for example the C(sensu-uptime) alerts the runbook says fire when a scanner is
    down or its nessusd stopped.
author:
  - Conductors SRE (@conductors)
options:
  hosts:
    description: Host names to look for in the incidents' titles and summaries.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - conductors.nessus_compliance.pagerduty
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.pagerduty.action_group
"""

EXAMPLES = r"""
- name: Alerts already firing for the zone's scanners
  conductors.nessus_compliance.pagerduty_incident_info:
    hosts: [prod-wdc06-infra-nessus-01, prod-wdc06-infra-nessus-02]
  register: firing
  delegate_to: localhost
"""

RETURN = r"""
incidents:
  description: The matching open incidents (C(id), C(status), C(title), C(created_at), C(html_url), C(hosts) named).
  returned: success
  type: list
  elements: dict
by_host:
  description: For each host, the titles of the open incidents that name it.
  returned: success
  type: dict
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.pagerduty import (
    PAGERDUTY_ARGUMENT_SPEC,
    PagerDutyClient,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(PAGERDUTY_ARGUMENT_SPEC, hosts=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    hosts = module.params["hosts"]

    def action(client):
        found, by_host = [], {host: [] for host in hosts}
        for incident in client.list_open_incidents():
            text = "%s %s" % (incident.get("title") or "", incident.get("summary") or "")
            named = [host for host in hosts if host in text]
            if named:
                found.append({"id": incident.get("id"), "status": incident.get("status"), "title": incident.get("title"),
                              "created_at": incident.get("created_at"), "html_url": incident.get("html_url"), "hosts": named})
                for host in named:
                    by_host[host].append(incident.get("title"))
        return {"incidents": found, "by_host": by_host}

    run_client(module, PagerDutyClient.from_module, action)


if __name__ == "__main__":
    main()
