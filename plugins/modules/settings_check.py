#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: settings_check
short_description: Check the connection settings of the systems a run will call, without calling them
version_added: 0.1.0
description:
  - Reads each system's settings from the environment variables its modules fall back to (C(TSC_*), C(SL_*),
    C(SN_*), C(PAGERDUTY_*), C(JENKINS_*), C(GITHUB_*)), the way AWX credential types, the execution environment and
    the lab provide them, and checks them as the modules would when they start - every required setting present,
    credential pairs complete, URLs absolute with a scheme, timeouts positive numbers, CA bundles that exist.
  - It sends nothing. The playbooks run it first, so that a missing or partial credential, or an endpoint without a
    scheme, stops the run before anything is launched, rebooted or opened, rather than half-way through.
  - Reports every problem of every system at once. The values themselves are never returned.
  - Connection options given to the modules directly or through C(module_defaults) are not seen; playbooks that set
    them that way skip this check (C(-e preflight=false) for the collection's playbooks).
author:
  - Conductors SRE (@conductors)
options:
  systems:
    description: The systems the run will call.
    type: list
    elements: str
    required: true
    choices: [securitycenter, classic, servicenow, pagerduty, jenkins, github]
  pagerduty_routing_key:
    description:
      - The routing key the run will page with, when it is not C(PAGERDUTY_ROUTING_KEY) (for example the
        escalation policy's C(PAGERDUTY_ESCALATION_ROUTING_KEY)).
    type: str
extends_documentation_fragment:
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
seealso:
  - module: conductors.nessus_compliance.sc_scan_launch
  - module: conductors.nessus_compliance.classic_server_power
"""

EXAMPLES = r"""
- name: Check the settings of every system the private branch may call, before calling any
  conductors.nessus_compliance.settings_check:
    systems: [securitycenter, classic, servicenow, pagerduty]
"""

RETURN = r"""
checked:
  description: The systems whose settings were checked and found complete.
  returned: always
  type: list
  elements: str
  sample: [securitycenter, classic]
problems:
  description: What is missing or wrong, one sentence per problem, naming the system and the setting.
  returned: always
  type: list
  elements: str
  sample: ["IBM Cloud classic: not set: api_key (SL_API_KEY)"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import require_requests
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.settings import SYSTEMS, from_environment, problems


def main():
    module = AnsibleModule(
        argument_spec=dict(
            systems=dict(type="list", elements="str", required=True, choices=list(SYSTEMS)),
            pagerduty_routing_key=dict(type="str", no_log=True),
        ),
        supports_check_mode=True,
    )
    require_requests(module)
    checked, found = [], []
    for system in dict.fromkeys(module.params["systems"]):
        params, wrong = from_environment(system)
        if system == "pagerduty" and module.params["pagerduty_routing_key"]:
            params["routing_key"] = module.params["pagerduty_routing_key"]
        wrong += problems(system, params)
        found += wrong
        if not wrong:
            checked.append(system)
    if found:
        module.fail_json(msg="Settings missing or wrong (nothing was called): %s" % "; ".join(found),
                         checked=checked, problems=found)
    module.exit_json(changed=False, checked=checked, problems=[])


if __name__ == "__main__":
    main()
