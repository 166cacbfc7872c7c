# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""classic_server_power with progress lines while it waits (see plugins/plugin_utils/waiting.py)."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils.waiting import WaitingAction, flag, seconds, total


class ActionModule(WaitingAction):
    def wait_budget(self, args):
        # the wait for the machine (none after power_off), and on bare metal the spacing of 20 minutes between commands
        wait = flag(args, "wait", True)
        if wait is None:
            return None
        return total(seconds(args, "wait_timeout", 1800.0) if wait and args.get("action") != "power_off" else 0.0,
                     seconds(args, "spacing_timeout", 1500.0) if args.get("spacing", "wait") == "wait" else 0.0)

    def wait_subject(self, args):
        if flag(args, "wait", True) and args.get("action") != "power_off":
            return "the machine to run again"
        return "the power command to be accepted"
