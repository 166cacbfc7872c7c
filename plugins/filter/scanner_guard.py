# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scanner_guard
short_description: Why a reboot or OS reload of a scanner must not run (empty when it may)
version_added: 0.1.0
description:
  - The remediation planner's guards. A reboot is refused for the zone's last working scanner unless
    O(allow_last_working). An OS reload (O(action=os_reload)) must also be allowed (O(allow_osreload)) and follow a
    failed reboot ladder, in this run (O(ladder_failed)) or in a recorded earlier one (O(history)).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanner's name.
    type: str
    required: true
  working:
    description: Each scanner of the zone and whether Security Center reports it Working.
    type: dict
    required: true
  zone:
    description: The scan zone, for the message.
    type: str
    required: true
  action:
    description: The step to guard.
    type: str
    choices: [reboot, os_reload]
    default: reboot
  allow_last_working:
    description: The override allow_last_working_scanner.
    type: bool
    default: false
  allow_osreload:
    description: The override allow_osreload.
    type: bool
    default: false
  ladder_failed:
    description: The scanner's reboot ladder failed in this run.
    type: bool
    default: false
  history:
    description: The scanner's record entries (an earlier run's failed ladder counts).
    type: list
    elements: dict
    default: []
  max_reloads:
    description: At most this many OS reloads per scanner in 7 days (C(os_reload_max_per_week)); 0 for no limit.
    type: int
    default: 0
  now:
    description: The time the limit counts back from (C(%Y-%m-%dT%H:%M:%SZ), UTC); the current time when not given.
    type: str
"""

EXAMPLES = r"""
- name: May the scanner be rebooted
  ansible.builtin.debug:
    msg: "{{ 'nessus-01' | conductors.nessus_compliance.scanner_guard({'nessus-01': true, 'nessus-02': false}, zone='Z') }}"
  # -> nessus-01 is the last working scanner of Z: not rebooting it without allow_last_working_scanner=true
"""

RETURN = r"""
_value:
  description: Why not, or an empty string when the step may run.
  type: str
"""

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import last_working_guard, os_reload_guard

WEEK = datetime.timedelta(days=7)


def week_before(now):
    """The ISO time 7 days before ``now`` (an ISO time, or the current time)."""
    try:
        moment = (datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc) if now
                  else datetime.datetime.now(datetime.timezone.utc))
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("scanner_guard: now must be a UTC time like 2026-11-30T12:00:00Z, got %r" % (now,)) from exc
    return (moment - WEEK).strftime("%Y-%m-%dT%H:%M:%SZ")


def scanner_guard(scanner, working, zone, action="reboot", allow_last_working=False, allow_osreload=False,
                  ladder_failed=False, history=None, max_reloads=0, now=None):
    working = dict(working or {})
    if action == "os_reload":
        return os_reload_guard(scanner, zone, bool(allow_osreload), bool(ladder_failed), list(history or []), working,
                               bool(allow_last_working), int(max_reloads or 0), week_before(now))
    return last_working_guard(scanner, working, bool(allow_last_working), zone) or ""


class FilterModule:
    def filters(self):
        return {"scanner_guard": scanner_guard}
