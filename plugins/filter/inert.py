# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: inert
short_description: Outside text made inert for the people who read it
version_added: 0.1.0
description:
  - What Security Center, Jenkins and ServiceNow send back (error details, scan names, consoles) is shown in
    GitHub issues, ServiceNow tickets and PagerDuty summaries. This filter makes it inert there - no mention of a
    team, no link, no HTML, no way out of the place it is shown in.
  - V(code) is a Markdown code span on one line (its C(|) escaped for table cells); V(block) a fenced code block
    with the text's real line breaks (a list gives a line per item), fenced with more backticks than the text
    holds; V(plain) is for plain-text fields - control characters removed and ServiceNow's C([code]) HTML escape
    defused.
author:
  - Conductors SRE (@conductors)
positional: how, limit
options:
  _input:
    description: The text, or a list of lines.
    type: raw
    required: true
  how:
    description: Where it is shown.
    type: str
    choices: [code, block, plain]
    default: plain
  limit:
    description: Cut the text to this many characters (with C(...)).
    type: int
"""

EXAMPLES = r"""
- name: A Jenkins console in a GitHub issue
  ansible.builtin.debug:
    msg: "{{ ['Started by user sre', '@org/team see http://x'] | conductors.nessus_compliance.inert('block') }}"
  # -> "```text\nStarted by user sre\n@org/team see http://x\n```"
"""

RETURN = r"""
_value:
  description: The inert text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.inert import inert


def inert_filter(value, how="plain", limit=None):
    try:
        return inert(value, how, limit)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"inert": inert_filter}
