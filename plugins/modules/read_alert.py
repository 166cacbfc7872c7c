#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: read_alert
short_description: Read the failing scans of the alert without ever templating it
version_added: 0.1.0
description:
  - Reads the alert from the play's variables as they were given - C(alert) (the text), C(alert_file) (a file
    holding it, such as the GHE issue body), C(report) (the compliance check's C(scan_compliance.json)) or
    C(scans) (a list of scan names, as ansible-rulebook and an AWX workflow hand them on) - and returns only the
    scan names, validated.
  - The alert is outside text. ansible-core templates an extra variable wherever a task names it, so a text
    such as C({{ lookup('pipe', ...) }}) in C(-e alert=...) would run on the controller. This action plugin reads
    the variable raw, before any templating, and never renders it; the playbooks never name these variables in
    Jinja.
  - Read strictly - the bracketed line right under C(The following scans are identified as failing and need
    investigation:), a text that is only one bracketed list, the PagerDuty summary (C(SCANS FAILED - failed nessus
    scans require investigation:) and the names), or the JSON report's C(check.failing). Brackets anywhere else (for
    example Security Center's C([Errno 111])) choose nothing. Every name must have the shape of a scan name; the
    playbook then checks each against Security Center and the scan-zone table before anything happens.
  - Anything else fails with what was expected and what was not understood, before any request.
  - This is an action plugin that runs on the controller, with no module to transfer.
  - The branch playbooks read their own outside input the same way - C(scan) (one name or a list, for the public
    branch), C(scans) (the private branch's optional list), and C(zone), whose shape is checked before any task
    names it.
author:
  - Conductors SRE (@conductors)
options:
  sources:
    description:
      - The variables the alert may come from (V(alert), V(alert_file), V(report), V(scans), V(scan)); one of
        them must be set, or none when O(required=false).
    type: list
    elements: str
    default: [alert, alert_file, report, scans]
  required:
    description: Whether one of O(sources) must be given.
    type: bool
    default: true
  zone:
    description:
      - V(optional) also reads the C(zone) variable raw and checks that it has the shape of a scan zone's name
        (whether the table has it is the scan_zone role's check).
    type: str
    choices: [ignore, optional]
    default: ignore
attributes:
  check_mode:
    support: full
    details: It only reads.
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
    details: It always reads on the controller.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
"""

EXAMPLES = r"""
# ansible-playbook conductors.nessus_compliance.remediate -e alert_file=issue_body.md
- name: Read the failing scans from the alert
  conductors.nessus_compliance.read_alert:
  register: alert

- name: Use them
  ansible.builtin.debug:
    msg: "{{ alert.scans }}"
"""

RETURN = r"""
scans:
  description: The failing scans' names, in order, without duplicates, each of the shape of a scan name.
  returned: success
  type: list
  elements: str
  sample: [ALC_all_envs_public_import, ALC_Prod_WDC06_private_import]
source:
  description: The variable the alert was read from (null when none was given and none was required).
  returned: success
  type: str
  sample: alert_file
zone:
  description: The C(zone) variable, checked, with O(zone=optional) (null otherwise or when not given).
  returned: success
  type: str
  sample: ALC_Prod_WDC06_SZ
"""
