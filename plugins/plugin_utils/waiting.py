# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines for the modules that wait inside one call (the base of their action plugins).

A module whose wait budget (its own timeout options, or their documented defaults) is longer than a minute runs as
an async job on the host that runs it (the controller, for ``delegate_to: localhost``), exactly as ``async:`` would
run it; the action polls ``async_status`` every second or two and prints, every 30 seconds::

      waiting for <the task's name> [<host>]: 2m30s so far, at most 57m30s more

then removes the job's file and returns the module's own result, as a synchronous run returns it. A short budget,
check mode, a task that is ``async`` already, and connections that run async natively run as the ``normal`` action.

What the modules send does not change: each sends its command (launch, power command, reload, trigger) at the
start of the call, and only reads after it. If the controller dies during the wait (SIGKILL), the job goes on,
detached, on the host that ran it: it keeps reading until it sees the end or its own timeout (ansible's async limit,
the budget plus a margin, stops it at the latest). From ansible-core 2.19 the task's worker outlives the controller
(it is a session of its own) and removes the job's file when the job ends; before, the result stays in the async
directory (``~/.ansible_async/<job id>``). The job's id is printed with ``-vvv``. A re-run sends nothing twice: sc_scan_launch
follows the result queued or running, classic_server_power the active transaction (and the reboot ladder records a
step before taking it), classic_server_reload the reload made since ``previous_reload_id``; Jenkins folds a trigger
into an identical item still queued (a build that started is triggered again, as without this plugin). The one
wait before a command is classic_server_power's on bare metal (20 minutes between commands): a job detached there
keeps trying its command until accepted or ``spacing_timeout``, and the platform refuses another command while
that one's transaction runs and for 20 minutes after it.
"""

from __future__ import annotations

import math
import time

from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

# A wait at most this long is silent (the requirement: every wait longer than a minute prints its progress).
SILENT_WAIT = 60.0
# A progress line at least this often.
LINE_EVERY = 30.0
# The async limit is the wait budget plus this margin (the requests before and after the wait, their retries and
# timeouts); only a module far past its own timeout meets it.
MARGIN_FACTOR = 0.25
MARGIN_SECONDS = 900.0
# When the job has not ended this long after the async limit, the async wrapper is gone: stop polling.
GRACE = 60.0
# Keys the async machinery adds to the module's result; a synchronous run has none of them.
ASYNC_KEYS = ("ansible_job_id", "started", "finished", "results_file", "stderr", "stderr_lines")


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


def follows(budget, check_mode=False, async_val=0, native_async=False):
    """Whether a call with this wait budget runs as a job with progress lines (else: synchronously, as always)."""
    return budget is not None and budget > SILENT_WAIT and not check_mode and not async_val and not native_async


def async_limit(budget):
    """Seconds the async wrapper lets the job run: the budget and a margin."""
    return int(math.ceil(budget * (1 + MARGIN_FACTOR) + MARGIN_SECONDS))


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


def poll_interval(elapsed):
    """Seconds between two looks at the job: 1 s in the first minute, then up to 2 s (the task ends within 2 s of
    the module, and a long wait costs few polls)."""
    return 1.0 if elapsed < SILENT_WAIT else 2.0


def module_result(job, module, limit):
    """The result of the finished job as a synchronous run of ``module`` returns it."""
    keys = set(job) - set(ASYNC_KEYS)
    if job.get("failed") and keys == {"failed", "msg", "child_pid"}:
        return {"failed": True, "changed": False,
                "msg": "%s did not end within %ss (its wait budget and a margin): ansible's async limit stopped it; "
                       "what it had sent stays under way" % (module, limit)}
    if job.get("failed") and keys in ({"failed", "cmd", "msg", "data"}, {"failed", "cmd", "msg", "outdata"}):
        # the async wrapper could not run the module, or read what it printed (a crash): as a synchronous run says it
        return {"failed": True, "changed": False, "msg": "MODULE FAILURE: %s" % to_text(job["msg"]).strip(),
                "module_stdout": job.get("data", job.get("outdata", "")), "module_stderr": job.get("stderr", "")}
    if job.get("failed") and job.get("msg") == "could not find job":
        return {"failed": True, "changed": False,
                "msg": "%s: its async job %s is gone (its file was removed before it was read)"
                       % (module, job.get("ansible_job_id"))}
    return {key: value for key, value in job.items() if key not in ASYNC_KEYS}


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
        if not follows(budget, self._task.check_mode, self._task.async_val, self._connection.has_native_async
                       or self._connection.always_pipeline_modules):
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
        """Run the module as a job, print its progress while it runs, and return its result."""
        host = task_vars.get("inventory_hostname", "")
        limit = async_limit(budget)
        started = time.monotonic()
        self._task.async_val = limit
        try:
            launch = self._execute_module(task_vars=task_vars, wrap_async=True)
        finally:
            self._task.async_val = 0
        jid = launch.get("ansible_job_id")
        if launch.get("failed") or not jid:
            return module_result(launch, self._task.action, limit)
        display.vvv("%s: async job %s (async limit %ss)" % (self._task.action, jid, limit), host=host)
        async_dir = self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))
        next_line, job, trouble = LINE_EVERY, None, None
        try:
            while job is None or not (job.get("finished") or job.get("failed")):
                elapsed = time.monotonic() - started
                if elapsed >= next_line:
                    display.display(progress_line(what, host, elapsed, budget))
                    while next_line <= elapsed:
                        next_line += LINE_EVERY
                if elapsed > limit + GRACE:
                    return {"failed": True, "changed": False,
                            "msg": "%s: async job %s did not end within its async limit of %ss%s; its result, if it "
                                   "ever ends, will be in %s" % (self._task.action, jid, limit,
                                                                 " (looking at it failed: %s)" % trouble if trouble else "",
                                                                 async_dir)}
                time.sleep(poll_interval(elapsed))
                job, trouble = self._job_status(jid, async_dir, task_vars)
        except BaseException:
            # interrupted (Ctrl-C, the task's timeout): the job goes on without us; say where its result will be
            display.warning("%s goes on as async job %s on %s; its result will be in %s"
                            % (self._task.action, jid, host or "the host", async_dir))
            raise
        self._job_status(jid, async_dir, task_vars, mode="cleanup")
        self._remove_tmp_path(self._connection._shell.tmpdir)
        if job.get("stderr"):
            display.vvvv("%s wrote to stderr: %s" % (self._task.action, job["stderr"]), host=host)
        return module_result(job, self._task.action, limit)

    def _job_status(self, jid, async_dir, task_vars, mode="status"):
        """``(async_status of the job, None)`` as ansible-core's own action calls it, or ``(None, why)``."""
        try:
            return self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                        module_args={"jid": jid, "mode": mode, "_async_dir": async_dir}), None
        except Exception as exc:  # pylint: disable=broad-except
            # as ansible-core's async poll: a connection that bounced is not the module's failure; look again
            display.vvvv("async_status of %s failed, looking again (%s)" % (jid, to_text(exc)))
            try:
                self._connection.reset()
            except Exception:  # pylint: disable=broad-except
                pass
            return None, to_text(exc)
