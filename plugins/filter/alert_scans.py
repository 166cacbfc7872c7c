# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: alert_scans
short_description: The failing scan names of the runbook's alert
version_added: 0.1.0
description:
  - Reads the scan names in square brackets of the alert text (the GHE issue body, the PagerDuty summary),
    in order and without duplicates; names may be separated by spaces or commas.
  - A malformed alert (no bracketed list, or something that is not a scan name) or an empty one fails with what
    was expected.
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The alert text.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The scans of the alert
  ansible.builtin.debug:
    msg: "{{ alert | conductors.nessus_compliance.alert_scans }}"
  vars:
    alert: |
      The following scans are identified as failing and need investigation:

      [ALC_all_envs_public_import ALC_Prod_WDC06_private_import]
  # -> [ALC_all_envs_public_import, ALC_Prod_WDC06_private_import]
"""

RETURN = r"""
_value:
  description: The scan names.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.alert import AlertError, alert_scans


def scans(text):
    try:
        return alert_scans(text)
    except AlertError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"alert_scans": scans}
