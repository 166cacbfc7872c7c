# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines for the modules that wait inside one call (the base of their action plugins).

A module whose wait budget (its own timeout options, or their documented defaults) is longer than a minute runs as
the ``normal`` action runs it, on the host that runs it (the controller, for ``delegate_to: localhost``), while a
thread of the task's worker prints, every 30 seconds::

      waiting for <the task's name> [<host>]: 2m30s so far, at most 57m30s more

and the task returns the module's own result when it ends. A short budget, check mode and a task that is ``async``
already print nothing; an ``async`` task stays the async job it asked for.

The module is not run as an async job: ansible-core's ``async_wrapper`` loses a job whose process takes more than
2.5 s to start (a loaded machine; ansible/ansible#87387): the job's file says "started" for ever, no request is
sent, and the task would wait its whole async limit to fail. Run synchronously, the wait ends with the module.

What the modules send does not change: each sends its command (launch, power command, reload, trigger) at the
start of the call, and only reads after it. A run that is killed stops its module with it (nothing goes on sending
after the operator stopped the run), and a re-run sends nothing twice: sc_scan_launch follows the result queued or
running, classic_server_power the active transaction (and the reboot ladder records a step before taking it),
classic_server_reload the reload made since ``previous_reload_id``; Jenkins folds a trigger into an identical item
still queued (a build that started is triggered again, as without this plugin).
"""

from __future__ import annotations

import math
import threading
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

# A wait at most this long is silent (the requirement: every wait longer than a minute prints its progress).
SILENT_WAIT = 60.0
# A progress line at least this often.
LINE_EVERY = 30.0
# How the progress thread is told that the module returned (and waits for its next line meanwhile).
STOP = threading.Event


def seconds(args, name, default):
    """The option ``name`` of the templated task ``args`` as seconds (``default`` when absent); None when it is not a
    positive number (the module refuses it, and says so, at once)."""
    value = args.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 and math.isfinite(number) else None


def flag(args, name, default):
    """The boolean option ``name`` (``default`` when absent); None when it is not a boolean."""
    value = args.get(name)
    if value is None:
        return default
    try:
        return boolean(value, strict=True)
    except TypeError:
        return None


def total(*parts):
    """The sum of the waits that apply; None when one of them could not be read (the module fails on it)."""
    return None if any(part is None for part in parts) else float(sum(parts))


def follows(budget, check_mode=False, async_val=0):
    """Whether a call with this wait budget prints progress lines while it runs (else it runs as always)."""
    return budget is not None and budget > SILENT_WAIT and not check_mode and not async_val


def duration(value):
    """``45s``, ``2m30s``, ``1h05m``: seconds as a person reads them (whole seconds, rounded down)."""
    whole = int(max(0.0, value))
    if whole < 60:
        return "%ds" % whole
    if whole < 3600:
        return "%dm%02ds" % divmod(whole, 60)
    hours, rest = divmod(whole, 3600)
    return "%dh%02dm" % (hours, rest // 60)


def progress_line(what, host, elapsed, budget):
    """The line printed while a module waits."""
    left = budget - elapsed
    where = " [%s]" % host if host else ""
    if left <= 0:
        return "  waiting for %s%s: %s so far, past its budget of %s (it ends now)" % (
            what, where, duration(elapsed), duration(budget))
    return "  waiting for %s%s: %s so far, at most %s more" % (what, where, duration(elapsed), duration(math.ceil(left)))


class WaitingAction(ActionBase):
    """The ``normal`` action, with progress lines while a long wait runs. A subclass says how long its module may
    wait (:meth:`wait_budget`) and, for a task without a name, what it waits for (:meth:`wait_subject`)."""

    _supports_check_mode = True
    _supports_async = True

    def wait_budget(self, args):  # pragma: no cover - every subclass has its own
        """Seconds the module may wait with these (templated) arguments; 0 when it does not wait, None when they
        cannot be read (the module then refuses them)."""
        raise NotImplementedError

    def wait_subject(self, args):  # pragma: no cover - every subclass has its own
        """What the module waits for, in a few words (``the machine to run again``)."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        args = self._task.args
        budget = self.wait_budget(args)
        if not follows(budget, self._task.check_mode, self._task.async_val):
            # as ansible-core's normal action does it
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        what = self._task.name or self.wait_subject(args)
        result.update(self._follow(what, budget, task_vars))
        return result

    def _follow(self, what, budget, task_vars):
        """Run the module as the normal action does, printing a progress line every 30 s until it returns."""
        host = task_vars.get("inventory_hostname", "")
        started = time.monotonic()
        done = STOP()

        def progress():
            due = LINE_EVERY
            while not done.wait(max(0.0, started + due - time.monotonic())):
                elapsed = time.monotonic() - started
                display.display(progress_line(what, host, elapsed, budget))
                while due <= elapsed:
                    due += LINE_EVERY

        ticker = threading.Thread(target=progress, name="progress of %s" % self._task.action, daemon=True)
        ticker.start()
        try:
            result = self._execute_module(task_vars=task_vars)
        finally:
            done.set()
            ticker.join()
        self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
