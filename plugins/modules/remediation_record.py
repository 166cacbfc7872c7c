#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: remediation_record
short_description: Start, extend and close the record of a remediation run
version_added: 0.1.0
description:
  - One record per remediation run - what was found (statuses, progress), what was done (launch ids, ticket
    numbers), when, by which play, and what is left for a human.
  - The record is the fact C(remediation_record_data) of the host the run works on, and two files in the record
    directory, C(remediation-<run id>.json) and C(.md) (the Markdown reads as a comment on the alert's issue).
  - Both files are rewritten after every entry, each through a temporary file and an atomic rename, so a run that
    stops half-way leaves whole files with everything up to that point. In a loop each item adds its entry to the
    file the previous item wrote.
  - O(event=start) looks for records of the same branch and subject, started in the last 24 hours, that were never
    closed (a killed job, a lost control node). The new record names them in C(continues) and in a C(found) entry
    with their last entry, so that the records of an interrupted run and of the run that continued it read as one;
    the unfinished records themselves are set as the fact C(remediation_record_continued) for the roles that
    continue them.
  - This is an action plugin - it runs on the controller, where the records are kept - with no module to transfer.
author:
  - Conductors SRE (@conductors)
options:
  event:
    description:
      - V(start) begins a record (needs O(branch), O(subject), and O(dir) with O(store=local)); V(add) appends an
        entry (needs O(step), O(text)); V(finish) records the outcome (needs O(outcome)).
    type: str
    required: true
    choices: [start, add, finish]
  dir:
    description: Directory of the records, created when missing; for O(event=start) with O(store=local).
    type: path
  store:
    description:
      - Where the records live, for O(event=start); later events write where the record started.
      - V(local) is O(dir). V(github) is the C(remediation/) folder of the GitHub repository named by C(GITHUB_REPOSITORY)
        (with C(GITHUB_API_URL), C(GITHUB_TOKEN), and C(GITHUB_CA_PATH) when needed, from the environment), written
        through the contents API, so that every run reads the same history wherever it ran (AWX execution
        environments, Jenkins agents, laptops). Each write is a commit; a write whose version is stale is read again.
    type: str
    default: local
    choices: [local, github]
  branch:
    description: The runbook branch (public scan, private scan, alert); for O(event=start).
    type: str
  subject:
    description: What the run works on (scan names, a zone); for O(event=start).
    type: str
  kind:
    description: What was seen (V(found)), what was done (V(done)), or what is left for a human (V(left)).
    type: str
    default: done
    choices: [found, done, left]
  step:
    description: The runbook step of the entry.
    type: str
  text:
    description: The entry, in a sentence (white space is folded).
    type: str
  details:
    description: Evidence kept in the JSON record (statuses, progress, ids, ticket numbers).
    type: dict
    default: {}
  outcome:
    description: The outcome of the run, in a sentence; for O(event=finish).
    type: str
  incident:
    description:
      - For O(event=start), the PagerDuty incident the run was started for (its id, as the compliance alert's webhook
        or C(-e pagerduty_incident=...) gives it). Each later O(event=add) of O(kind=done) or O(kind=left) adds a note
        to it (C(POST /incidents/{id}/notes), with C(PAGERDUTY_API_URL), C(PAGERDUTY_API_TOKEN) and C(PAGERDUTY_FROM),
        the email of a user of the account).
      - Likewise, once an entry has recorded a ServiceNow ticket (C(details.ticket) with C(table) and C(sys_id) - the SOS
        escalation, a re-enable request), each later such entry is a work note on it (C(SN_*) settings).
      - The entry is written first. A note that cannot be added is a warning and is kept in the record
        (C(timeline_failed)); that target is not told again in the run. Nothing is told in check mode.
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    details: The record is the run's own output and is written in check mode too; nothing else changes.
  diff_mode:
    support: none
  platform:
    platforms: all
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
  connection:
    support: none
  delegation:
    support: none
    details: It always writes on the controller.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
"""

EXAMPLES = r"""
- name: Start the record
  conductors.nessus_compliance.remediation_record:
    event: start
    dir: "{{ playbook_dir }}/reports"
    branch: private scan
    subject: ALC_Prod_WDC06_SZ

- name: Record each resubmission
  conductors.nessus_compliance.remediation_record:
    event: add
    kind: done
    step: Resubmitting the failed scan
    text: "{{ item.item }}: resubmitted as result #{{ item.scan_result_id }}"
    details: "{{ {'scan_result_id': item.scan_result_id} }}"
  loop: "{{ launches.results }}"

- name: Close it
  conductors.nessus_compliance.remediation_record:
    event: finish
    outcome: Scanning again after a soft reboot of prod-wdc06-infra-nessus-01.
"""

RETURN = r"""
record:
  description:
    - The whole record (C(run_id), C(branch), C(subject), C(play), C(check_mode), C(started), C(finished),
      C(outcome), C(entries) with C(at), C(kind), C(step), C(text), C(details), C(store) (C(kind) local with C(dir), or
      github with C(repository) and C(root)), C(files) (paths, or C(github:<repository>/<path>)), and C(continues) - the
      run ids of unfinished earlier runs - when there were any), C(incident), C(tickets) and C(timeline_failed) when
      the run tells an incident or tickets. Also set as the fact C(remediation_record_data).
  returned: success
  type: dict
told:
  description: For O(event=add), whom the entry was told (C(PagerDuty incident <id>), C(ServiceNow <number>)).
  returned: event=add
  type: list
  elements: str
"""
