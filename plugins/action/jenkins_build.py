# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""jenkins_build with progress lines while it waits (see plugins/plugin_utils/waiting.py)."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils.waiting import WaitingAction, flag, seconds, total


class ActionModule(WaitingAction):
    def wait_budget(self, args):
        # the queue item to become a build, then (with wait) the build to end
        wait = flag(args, "wait", True)
        if wait is None:
            return None
        return total(seconds(args, "queue_timeout", 600.0), seconds(args, "build_timeout", 3600.0) if wait else 0.0)

    def wait_subject(self, args):
        return "the Jenkins build to end" if flag(args, "wait", True) else "the Jenkins build to start"
