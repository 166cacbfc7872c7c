# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ladder_start
short_description: Where a scanner's reboot ladder starts, from its records and a first look at it
version_added: 0.1.0
description:
  - The remediation planner's first answer for one scanner. A scanner that is already healthy needs no step.
    Otherwise the ladder starts at its first step; a step an earlier run recorded since the scanner last healed
    is resumed (its outcome is waited for), never taken again.
  - The returned state is advanced after each step by P(conductors.nessus_compliance.ladder_next#filter).
author:
  - Conductors SRE (@conductors)
options:
  _input:
    description: The scanner's record entries (the P(conductors.nessus_compliance.remediation_history#lookup) lookup).
    type: list
    elements: dict
    required: true
  scanner:
    description: The scanner's name.
    type: str
    required: true
  steps:
    description: The ladder's steps, in order (V(restart_nessusd), V(reboot_soft), V(reboot_hard), V(power_cycle)).
    type: list
    elements: str
    required: true
  nessus:
    description: The state the scanner's Nessus answered (V(ready), V(loading), V(down), V(error)).
    type: str
    required: true
  sc:
    description: Security Center's record of the scanner (M(conductors.nessus_compliance.sc_scanner_info)), when asked.
    type: dict
  then:
    description: What the caller does when no step heals the scanner, for the check-mode plan's text.
    type: str
    default: ""
  resume_hours:
    description:
      - The records' steps of the last this many hours are resumed. V(0) takes every step whatever the records say.
    type: float
    default: 12
  max_per_day:
    description:
      - At most this many reboot ladders are started on the scanner in 24 hours (the records of the last 24 hours
        say how many were); when they were, the ladder is not started again and its outcome is V(failed) with
        C(limited). V(0) sets no limit.
    type: int
    default: 2
  now:
    description: The time to judge the records' times against (ISO 8601, UTC); default the controller's clock, the
      clock the records' times come from.
    type: str
"""

EXAMPLES = r"""
- name: Start the ladder
  ansible.builtin.set_fact:
    ladder: "{{ history | conductors.nessus_compliance.ladder_start(scanner='nessus-01', steps=['reboot_soft'], nessus='down') }}"
  # -> {outcome: null, next: {step: reboot_soft, how: take, ...}, taken: [], done: [], ...}
"""

RETURN = r"""
_value:
  description:
    - The ladder's state. C(outcome) is null while a step is next (C(next) - C(step), C(how) V(take) or V(resume),
      C(earlier) the earlier run's entry), else V(already_healthy), V(healed), V(reenable), V(failed) or V(planned).
      C(limited) is true when the ladder was not started for the daily limit.
    - C(text) is what the record says about the outcome; C(taken) the earlier runs' steps; C(done) this run's.
  type: dict
"""

import datetime

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.planner import ladders_started, start


def ladder_start(history, scanner, steps, nessus, sc=None, then="", resume_hours=12.0, max_per_day=2, now=None):
    now = (datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc) if now
           else datetime.datetime.now(datetime.timezone.utc))

    def since(hours):
        return (now - datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")

    history = list(history or [])
    hours = float(resume_hours or 0)  # 0: every step is taken, whatever the records say
    resumable = [e for e in history if (e.get("at") or "") >= since(hours)] if hours > 0 else []
    return start(scanner, steps, resumable, nessus, sc or None, then or "",
                 ladders_today=ladders_started(history, since(24)), max_ladders=int(max_per_day or 0))


class FilterModule:
    def filters(self):
        return {"ladder_start": ladder_start}
