# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nessus_status_info with progress lines while it waits for Nessus (see plugins/plugin_utils/waiting.py)."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils.waiting import WaitingAction, seconds


class ActionModule(WaitingAction):
    def wait_budget(self, args):
        if args.get("wait", "none") == "none":
            return 0.0
        return seconds(args, "wait_timeout", 900.0)

    def wait_subject(self, args):
        return "Nessus to answer ready" if args.get("wait") == "ready" else "Nessus to finish loading its plugins"
