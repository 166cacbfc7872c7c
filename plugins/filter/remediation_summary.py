# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: remediation_summary
short_description: The summary a person reads at the end of a remediation run
version_added: 0.1.0
description:
  - The record's outcome, what was done and what is left (its entries that are not findings), and where the
    record is.
  - With O(zone_hosts) (a run from the alert), also each zone's outcome (or that it was not handled, when the run
    was limited), the records' directory, and the scans escalated by the run and its zones.
author:
  - Conductors SRE (@conductors)
positional: zone_hosts, public
options:
  _input:
    description: The remediation record (C(remediation_record_data)).
    type: dict
    required: true
  zone_hosts:
    description:
      - The variables of each zone host of a run from the alert (C(remediation_zone), and C(remediation_record_data)
        and C(remediate_private_scan_result) when the zone was handled). When given, the answer is a dict.
    type: list
    elements: raw
  public:
    description: The public branch's result (C(remediate_public_scan_result)), for the scans it escalated.
    type: dict
  chat:
    description:
      - The team's chat message instead (a dict) - C(send) (the run, or with O(zone_hosts) one of its zones, changed
        something or escalated, and was no dry run), C(outcome) (V(failed), V(escalated), V(changed) or V(unchanged)), C(title), C(lines) (the summary) and
        C(link) (the record's Markdown).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summary
  ansible.builtin.debug:
    msg: "{{ remediation_record_data | conductors.nessus_compliance.remediation_summary }}"
"""

RETURN = r"""
_value:
  description:
    - Without O(zone_hosts), the summary's lines; with it, C(lines) and C(escalated) (the scans escalated to SOS); with
      O(chat), the chat message.
  type: raw
"""

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import (
    alert_summary, chat_message, record_summary)


def summary(record, zone_hosts=None, public=None, chat=False):
    if zone_hosts is None:
        return chat_message(record or {}) if chat else record_summary(record or {})
    hosts = [h if h is not None else {} for h in zone_hosts]
    if chat:
        return chat_message(record or {}, [h.get("remediation_record_data") for h in hosts],
                            alert_summary(record or {}, hosts, public)["lines"])
    return alert_summary(record or {}, hosts, public)  # each read by key


class FilterModule:
    def filters(self):
        return {"remediation_summary": summary}
