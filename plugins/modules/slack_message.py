#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: slack_message
short_description: Post a run's short summary to Slack, with a link to its record
version_added: 0.1.0
description:
  - Posts one message - a title, the summary's lines and a link to the run's record - through an incoming webhook
    (O(webhook_url)) or the Web API's C(chat.postMessage) (O(bot_token) and O(channel)).
  - The title and the lines are outside text (scan names, error details) and are sent inert - C(&), C(<) and C(>)
    escaped, control characters removed, C(verbatim) set - so that no C(<!channel>), C(<@U...>) or
    C(<https://...|label>) in them mentions anyone or links anywhere.
  - The message keeps to Slack's limits - section text of at most 3000 characters, at most 50 blocks - and has a
    top-level text for notifications; lines that do not fit are counted in a note that points to the record.
  - An error names Slack and its error code (for example C(channel_not_found), C(invalid_auth), C(invalid_payload)),
    never the token or the webhook URL.
author:
  - Conductors SRE (@conductors)
options:
  title:
    description: What the run did, in a few words (at most 150 characters are shown).
    type: str
    required: true
  lines:
    description: The summary, one item per line (outside text, sent inert).
    type: list
    elements: str
    default: []
  link:
    description:
      - Where the run's record is. An http(s) URL becomes a link; anything else (a local path) is shown as text.
    type: str
  outcome:
    description: How the run ended; sets the message's leading emoji.
    type: str
    choices: [changed, escalated, failed, unchanged]
    default: changed
  via:
    description:
      - V(api) posts with C(chat.postMessage) (needs O(bot_token) and O(channel)); V(webhook) with O(webhook_url).
      - V(auto) uses the Web API when O(bot_token) is set, else the webhook.
    type: str
    choices: [auto, webhook, api]
    default: auto
extends_documentation_fragment:
  - conductors.nessus_compliance.slack
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
"""

EXAMPLES = r"""
- name: Tell the team's channel what the remediation run did
  conductors.nessus_compliance.slack_message:
    title: "Nessus remediation: 2 scans resubmitted, 1 escalated to SOS"
    lines:
      - "ALC_Prod_WDC06_private_import: resubmitted after a soft reboot of prod-wdc06-infra-nessus-02"
      - "ALC_FR2_public_import: escalated to SOS (CHG0012345)"
    link: https://ghe.example.com/alchemy-conductors/compliance-records/blob/main/records/2026-11-26.md
    outcome: escalated
  delegate_to: localhost

- name: Through an incoming webhook only, even when a bot token is set
  conductors.nessus_compliance.slack_message:
    via: webhook
    title: Nessus remediation finished
    lines: "{{ remediation_summary_lines }}"
"""

RETURN = r"""
sent:
  description: The message was posted (false in check mode).
  returned: success
  type: bool
via:
  description: How it was (or would be) posted, V(webhook) or V(api).
  returned: success
  type: str
  sample: api
message:
  description:
    - The JSON body posted, or that would be posted in check mode - C(text) (the notification's fallback), C(blocks)
      and, with the Web API, C(channel).
  returned: success
  type: dict
  sample:
    text: ":rotating_light: *Nessus remediation: 1 escalated*\nALC_FR2_public_import: escalated to SOS"
    blocks:
      - {type: section, text: {type: mrkdwn, text: ":rotating_light: *Nessus remediation: 1 escalated*", verbatim: true}}
channel:
  description: The channel's ID, as Slack answered it.
  returned: when posted with the Web API
  type: str
  sample: C0123456789
ts:
  description: The message's timestamp (its ID in the channel, for a thread or an update).
  returned: when posted with the Web API
  type: str
  sample: "1764151200.000100"
warning:
  description: A warning Slack sent with its answer (for example C(missing_charset)).
  returned: when Slack sent one
  type: str
rate_limit_waits:
  description: Each HTTP 429 that was waited out (C(seconds), from C(Retry-After)) before the message was sent again.
  returned: always
  type: list
  elements: dict
retries:
  description: Requests the transport retried; empty when none (a post is never retried by the transport).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.slack import (
    OUTCOMES,
    ROUTES,
    SLACK_ARGUMENT_SPEC,
    SlackClient,
    build_message,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SLACK_ARGUMENT_SPEC,
            title=dict(type="str", required=True),
            lines=dict(type="list", elements="str", default=[]),
            link=dict(type="str"),
            outcome=dict(type="str", default="changed", choices=list(OUTCOMES)),
            via=dict(type="str", default="auto", choices=list(ROUTES)),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        message = build_message(p["title"], p["lines"], p["link"], p["outcome"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    def action(client):
        result = dict(via=client.via, message=client.body(message), rate_limit_waits=client.rate_limit_waits)
        if module.check_mode:
            return dict(result, changed=True, sent=False)
        answer = client.post(message)
        result.update({k: v for k, v in answer.items() if k in ("channel", "ts", "warning") and v})
        return dict(result, changed=True, sent=True)

    run_client(module, SlackClient.from_module, action)


if __name__ == "__main__":
    main()
