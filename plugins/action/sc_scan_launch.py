# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sc_scan_launch with progress lines while it waits (see plugins/plugin_utils/waiting.py)."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils.waiting import WaitingAction, seconds

TARGETS = {"started": "start", "scanning": "scan", "completed": "complete"}


class ActionModule(WaitingAction):
    def wait_budget(self, args):
        return seconds(args, "wait_timeout", 1800.0) if args.get("wait", "none") in TARGETS else 0.0

    def wait_subject(self, args):
        return "the resubmitted scan%s to %s" % ("s" if args.get("names") else "", TARGETS.get(args.get("wait"), "scan"))
