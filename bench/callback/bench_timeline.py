# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A timeline of a playbook run for the benchmarks (not shipped): one JSON line per task start, result and include.

Enabled by bench/bench_private_branch.py with BENCH_PROFILE=1 (ANSIBLE_CALLBACK_PLUGINS=bench/callback,
ANSIBLE_CALLBACKS_ENABLED=bench_timeline); writes to $BENCH_TIMELINE. Nothing of a result but its status, its
attempts and the module's own timing goes in: never a value, so never a secret.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timeline
type: aggregate
short_description: JSON-lines timeline of task starts, results and includes (benchmarks only)
description: Writes one JSON line per event to the file named by BENCH_TIMELINE.
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        path = os.environ.get("BENCH_TIMELINE")
        self._fh = open(path, "a", encoding="utf-8") if path else None  # pylint: disable=consider-using-with

    def _write(self, **entry):
        if self._fh is not None:
            entry["t"] = round(time.time(), 4)
            self._fh.write(json.dumps(entry) + "\n")
            self._fh.flush()

    @staticmethod
    def _task(task):
        role = getattr(task, "_role", None)
        return {"task": task.get_name(), "action": task.action, "role": role.get_name() if role else None,
                "path": task.get_path(), "uuid": task._uuid}  # pylint: disable=protected-access

    def v2_playbook_on_start(self, playbook):
        self._write(event="playbook_start", path=playbook._file_name)  # pylint: disable=protected-access

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write(event="task_start", **self._task(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._write(event="task_start", handler=True, **self._task(task))

    def v2_playbook_on_include(self, included_file):
        self._write(event="include", path=included_file._filename)  # pylint: disable=protected-access

    def _result(self, status, result):
        data = result._result  # pylint: disable=protected-access
        self._write(event="result", status=status, attempts=data.get("attempts"), item=("item" in data),
                    **self._task(result._task))  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def v2_runner_retry(self, result):
        self._result("retry", result)

    def v2_runner_item_on_ok(self, result):
        self._result("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._result("item_failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._result("item_skipped", result)

    def v2_playbook_on_stats(self, stats):
        self._write(event="stats")
        if self._fh is not None:
            self._fh.close()
            self._fh = None
