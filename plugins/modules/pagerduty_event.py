#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pagerduty_event
short_description: Trigger, acknowledge or resolve a PagerDuty alert through the Events API v2
version_added: 0.1.0
description:
  - Sends one event to C(POST /v2/enqueue). A trigger with a O(dedup_key) that is still open adds to that
    alert instead of opening another, so a re-run with the same key pages nobody twice.
  - With O(only_if_open=true), first reads the REST API for triggered or acknowledged incidents with
    O(dedup_key), and sends nothing when there is none (for example, resolve only what was raised).
author:
  - Conductors SRE (@conductors)
options:
  event_action:
    description: The event to send.
    type: str
    choices: [trigger, acknowledge, resolve]
    default: trigger
  dedup_key:
    description:
      - Identifies the alert. Required for V(acknowledge) and V(resolve); for V(trigger), PagerDuty makes one
        up when it is missing (and the event is then never retried, as a retry could open a second alert).
    type: str
  summary:
    description: What is wrong, as it shows in the page (at most 1024 characters). Required for V(trigger).
    type: str
  source:
    description: The affected system. Required for V(trigger).
    type: str
  severity:
    description: Severity of a V(trigger).
    type: str
    choices: [critical, error, warning, info]
    default: error
  component:
    description: Component of the source.
    type: str
  group:
    description: Logical grouping of the source.
    type: str
  event_class:
    description: Class or type of the event (the API's C(class)).
    type: str
  custom_details:
    description: Free-form details shown with the alert.
    type: dict
  links:
    description: Links shown with the alert.
    type: list
    elements: dict
    suboptions:
      href:
        description: URL.
        type: str
        required: true
      text:
        description: Text of the link.
        type: str
  client:
    description: Name of the monitoring client that sends the event.
    type: str
    default: conductors.nessus_compliance
  client_url:
    description: URL of the monitoring client (a Jenkins build, an AWX job).
    type: str
  only_if_open:
    description:
      - Send only when PagerDuty has a triggered or acknowledged incident with O(dedup_key); needs O(api_token).
    type: bool
    default: false
extends_documentation_fragment:
  - conductors.nessus_compliance.pagerduty
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.pagerduty.action_group
"""

EXAMPLES = r"""
- name: Page the security compliance escalation policy about failing scans (once per day)
  conductors.nessus_compliance.pagerduty_event:
    event_action: trigger
    dedup_key: "nessus-scan-compliance-2026-11-26"
    summary: "SCANS FAILED - failed nessus scans require investigation: ALC_Prod_WDC06_private_import"
    source: security-center
    custom_details:
      failing: [ALC_Prod_WDC06_private_import]
    links:
      - href: https://ghe.example.com/alchemy-conductors/team/issues/12
        text: GHE issue
  delegate_to: localhost

- name: Everything is green again - resolve today's alert if it is still open
  conductors.nessus_compliance.pagerduty_event:
    event_action: resolve
    dedup_key: "nessus-scan-compliance-2026-11-26"
    only_if_open: true
"""

RETURN = r"""
sent:
  description: An event was sent (false in check mode, or when O(only_if_open) found no open incident).
  returned: success
  type: bool
dedup_key:
  description: The alert's key (PagerDuty's own when none was given).
  returned: success
  type: str
  sample: nessus-scan-compliance-2026-11-26
status:
  description: PagerDuty's answer status.
  returned: when sent
  type: str
  sample: success
message:
  description: PagerDuty's answer message, or why nothing was sent.
  returned: success
  type: str
  sample: Event processed
open_incidents:
  description: The open incidents found with O(only_if_open) (C(id), C(status), C(title)).
  returned: when O(only_if_open=true)
  type: list
  elements: dict
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
        argument_spec=dict(
            PAGERDUTY_ARGUMENT_SPEC,
            event_action=dict(type="str", default="trigger", choices=["trigger", "acknowledge", "resolve"]),
            dedup_key=dict(type="str", no_log=False),
            summary=dict(type="str"),
            source=dict(type="str"),
            severity=dict(type="str", default="error", choices=["critical", "error", "warning", "info"]),
            component=dict(type="str"),
            group=dict(type="str"),
            event_class=dict(type="str"),
            custom_details=dict(type="dict"),
            links=dict(type="list", elements="dict", options=dict(href=dict(type="str", required=True),
                                                                  text=dict(type="str"))),
            client=dict(type="str", default="conductors.nessus_compliance"),
            client_url=dict(type="str"),
            only_if_open=dict(type="bool", default=False),
        ),
        required_if=[("event_action", "trigger", ("summary", "source")),
                     ("event_action", "acknowledge", ("dedup_key",)),
                     ("event_action", "resolve", ("dedup_key",)),
                     ("only_if_open", True, ("dedup_key", "api_token"))],
        supports_check_mode=True,
    )
    p = module.params
    if p["summary"] and len(p["summary"]) > 1024:
        module.fail_json(msg="summary is longer than PagerDuty's 1024 characters (%d)" % len(p["summary"]))
    payload = None
    if p["event_action"] == "trigger":
        payload = {"summary": p["summary"], "source": p["source"], "severity": p["severity"]}
        for option, key in (("component", "component"), ("group", "group"), ("event_class", "class"),
                            ("custom_details", "custom_details")):
            if p[option]:
                payload[key] = p[option]
    links = [{k: v for k, v in link.items() if v is not None} for link in p["links"] or []]

    def action(client):
        result = {"dedup_key": p["dedup_key"]}
        if p["only_if_open"]:
            incidents = client.open_incidents(p["dedup_key"])
            result["open_incidents"] = [{"id": i.get("id"), "status": i.get("status"), "title": i.get("title")}
                                        for i in incidents]
            if not incidents:
                return dict(result, changed=False, sent=False,
                            message="no open incident with dedup_key %s: nothing sent" % p["dedup_key"])
        if module.check_mode:
            return dict(result, changed=True, sent=False, message="check mode: would send %s" % p["event_action"])
        answer = client.send(p["event_action"], p["dedup_key"], payload, links, p["client"], p["client_url"])
        return dict(result, changed=True, sent=True, dedup_key=answer.get("dedup_key"), status=answer.get("status"),
                    message=answer.get("message"))

    run_client(module, PagerDutyClient.from_module, action)


if __name__ == "__main__":
    main()
