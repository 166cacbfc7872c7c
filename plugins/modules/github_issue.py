#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: github_issue
short_description: Open a GitHub (Enterprise) issue, or comment on the open one with the same title
version_added: 0.1.0
description:
  - Looks for an open issue of O(repository) with exactly O(title), reading every page of the open issues. When
    there is one, adds O(comment) to it; otherwise opens a new issue with O(body) and O(labels). A re-run for the
    same title therefore never opens a duplicate.
  - The title is the key; put what makes an issue unique (for the compliance alert, the day) in it.
  - Creating an issue or a comment is never retried blind. When the answer is lost (a 5xx, a timeout), the module
    reads the open issues (or the issue's comments) again and takes what it finds with that title (or body); only
    when there is none does it send the request once more (RV(answer_lost)).
  - A GitHub rate limit (HTTP 403 or 429 with C(x-ratelimit-remaining=0), or C(retry-after)) is waited out when the
    wait fits in O(timeout), and the refused request sent again (RV(rate_limit_waits)); otherwise the task fails
    saying when to retry.
author:
  - Conductors SRE (@conductors)
options:
  title:
    description: Issue title; an open issue with exactly this title is reused.
    type: str
    required: true
  body:
    description: Body (Markdown) of a new issue.
    type: str
    required: true
  labels:
    description:
      - Labels of a new issue.
      - They play no part in finding the existing issue - GitHub silently drops the labels of an issue opened with a
        token that may not push to the repository, so such an issue carries none.
    type: list
    elements: str
    default: []
  comment:
    description:
      - Comment (Markdown) to add when the issue exists already. Defaults to O(body).
      - Set O(comment_on_existing=false) to leave an existing issue alone.
    type: str
  comment_on_existing:
    description: Add O(comment) to an existing open issue.
    type: bool
    default: true
extends_documentation_fragment:
  - conductors.nessus_compliance.github
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.github.action_group
"""

EXAMPLES = r"""
- name: Raise the compliance alert as a GHE issue (one per day; later runs comment on it)
  conductors.nessus_compliance.github_issue:
    repository: alchemy-conductors/team
    title: "Nessus scan compliance: failing scans on 2026-11-26"
    body: "{{ lookup('ansible.builtin.file', 'reports/scan_compliance.md') }}"
    labels: [nessus-compliance]
  register: alert_issue
  delegate_to: localhost

- name: A failed bastion registration, labelled as the runbook asks
  conductors.nessus_compliance.github_issue:
    title: "bastion registration failed for prod-wdc06-infra-nessus-01"
    body: "{{ jenkins_console_tail }}"
    labels: [bastion]
"""

RETURN = r"""
action:
  description: What was done - V(created), V(commented), V(unchanged) - or in check mode V(would_create), V(would_comment).
  returned: success
  type: str
  sample: commented
issue:
  description: The issue (C(number), C(title), C(html_url), C(state)); null when one would be created in check mode.
  returned: success
  type: dict
  sample:
    number: 12
    title: "Nessus scan compliance: failing scans on 2026-11-26"
    html_url: https://ghe.example.com/alchemy-conductors/team/issues/12
    state: open
comment:
  description: The comment added (C(id), C(html_url)).
  returned: when RV(action=commented)
  type: dict
answer_lost:
  description: The answer to the POST was lost; the issue or comment was found, or sent once more.
  returned: when RV(action=created) or RV(action=commented)
  type: bool
rate_limit_waits:
  description: The rate limits waited out (C(method), C(path), C(status), C(seconds), C(until)); empty when none.
  returned: always
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
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import (
    GITHUB_ARGUMENT_SPEC,
    GitHubClient,
)


def brief(issue):
    if not issue:
        return None
    return {key: issue.get(key) for key in ("number", "title", "html_url", "state", "created_at")}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            GITHUB_ARGUMENT_SPEC,
            title=dict(type="str", required=True),
            body=dict(type="str", required=True),
            labels=dict(type="list", elements="str", default=[]),
            comment=dict(type="str"),
            comment_on_existing=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params

    def action(client):
        return dict(issue_action(client), rate_limit_waits=client.rate_limit_waits)

    def issue_action(client):
        existing = client.find_open_issue(p["title"])
        if existing is None:
            if module.check_mode:
                return {"changed": True, "action": "would_create", "issue": None}
            issue, lost = client.create_issue(p["title"], p["body"], p["labels"])
            return {"changed": True, "action": "created", "issue": brief(issue), "answer_lost": lost}
        if not p["comment_on_existing"]:
            return {"changed": False, "action": "unchanged", "issue": brief(existing)}
        if module.check_mode:
            return {"changed": True, "action": "would_comment", "issue": brief(existing)}
        comment, lost = client.add_comment(existing["number"], p["comment"] or p["body"])
        return {"changed": True, "action": "commented", "issue": brief(existing), "answer_lost": lost,
                "comment": {"id": comment.get("id"), "html_url": comment.get("html_url")}}

    run_client(module, GitHubClient.from_module, action)


if __name__ == "__main__":
    main()
