# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""classic_server_reload with progress lines while it waits (see plugins/plugin_utils/waiting.py)."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils.waiting import WaitingAction, flag, seconds

# The module's default wait_timeout is 5400 for a virtual guest and 14400 for bare metal; which one the machine is,
# only the module finds out: the longer one is the budget.
DEFAULT_WAIT = 14400.0


class ActionModule(WaitingAction):
    def wait_budget(self, args):
        return seconds(args, "wait_timeout", DEFAULT_WAIT) if flag(args, "wait", True) else 0.0

    def wait_subject(self, args):
        return "the OS reload to finish"
