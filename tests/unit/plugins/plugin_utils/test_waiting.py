"""The progress lines of the waiting modules: budgets, the line, the job's result, and the follow loop (no I/O)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.action import (
    classic_server_power,
    classic_server_reload,
    jenkins_build,
    nessus_status_info,
    sc_scan_launch,
)
from ansible_collections.conductors.nessus_compliance.plugins.plugin_utils import waiting


def budget(plugin, args):
    return plugin.ActionModule.__new__(plugin.ActionModule).wait_budget(args)


def subject(plugin, args):
    return plugin.ActionModule.__new__(plugin.ActionModule).wait_subject(args)


@pytest.mark.parametrize("args, expected", [
    ({}, 7.5),
    ({"t": 600}, 600.0),
    ({"t": "600"}, 600.0),          # a templated value before ansible-core 2.19 is a string
    ({"t": "0.5"}, 0.5),
    ({"t": None}, 7.5),             # omitted
    ({"t": 0}, None),               # the module refuses it, at once
    ({"t": -3}, None),
    ({"t": "an hour"}, None),
    ({"t": True}, None),
    ({"t": float("inf")}, None),
])
def test_seconds(args, expected):
    assert waiting.seconds(args, "t", 7.5) == expected


@pytest.mark.parametrize("value, expected", [
    (None, True), (True, True), (False, False), ("yes", True), ("false", False), ("0", False), ("maybe", None),
])
def test_flag(value, expected):
    assert waiting.flag({"wait": value}, "wait", True) is expected


@pytest.mark.parametrize("plugin, args, expected", [
    # power: the wait for the machine, and the spacing of bare metal (20 minutes between commands)
    (classic_server_power, {"action": "reboot_soft"}, 1800 + 1500),
    (classic_server_power, {"action": "reboot_soft", "wait_timeout": 600}, 600 + 1500),
    (classic_server_power, {"action": "reboot_soft", "wait_timeout": 50, "spacing": "fail"}, 50),
    (classic_server_power, {"action": "reboot_soft", "wait": False, "spacing": "fail"}, 0),
    (classic_server_power, {"action": "power_off", "spacing_timeout": 30}, 30),     # no wait after power_off
    (classic_server_power, {"action": "reboot_hard", "wait": "sure"}, None),
    (classic_server_power, {"action": "reboot_hard", "wait_timeout": "x"}, None),
    # reload: the bare-metal default when none is given (the machine's kind is the module's to find out)
    (classic_server_reload, {}, 14400),
    (classic_server_reload, {"wait_timeout": 5400}, 5400),
    (classic_server_reload, {"wait": False}, 0),
    # Jenkins: the queue, then the build
    (jenkins_build, {"job": "a/b"}, 600 + 3600),
    (jenkins_build, {"job": "a/b", "queue_timeout": 30, "build_timeout": 20}, 50),
    (jenkins_build, {"job": "a/b", "wait": False}, 600),
    # Security Center: only with a wait target
    (sc_scan_launch, {"name": "s"}, 0),
    (sc_scan_launch, {"name": "s", "wait": "none", "wait_timeout": 3600}, 0),
    (sc_scan_launch, {"name": "s", "wait": "scanning"}, 1800),
    (sc_scan_launch, {"names": ["a", "b"], "wait": "completed", "wait_timeout": "3600"}, 3600),
    # Nessus: only with a wait
    (nessus_status_info, {"scanners": []}, 0),
    (nessus_status_info, {"scanners": [], "wait": "ready"}, 900),
    (nessus_status_info, {"scanners": [], "wait": "settled", "wait_timeout": 120}, 120),
    (nessus_status_info, {"scanners": [], "wait": "ready", "wait_timeout": -1}, None),
])
def test_wait_budget(plugin, args, expected):
    assert budget(plugin, args) == expected


def test_wait_subjects():
    assert subject(classic_server_power, {"action": "reboot_soft"}) == "the machine to run again"
    assert subject(classic_server_power, {"action": "power_off"}) == "the power command to be accepted"
    assert subject(classic_server_reload, {}) == "the OS reload to finish"
    assert subject(jenkins_build, {"wait": False}) == "the Jenkins build to start"
    assert subject(jenkins_build, {}) == "the Jenkins build to end"
    assert subject(sc_scan_launch, {"names": ["a", "b"], "wait": "scanning"}) == "the resubmitted scans to scan"
    assert subject(sc_scan_launch, {"name": "a", "wait": "started"}) == "the resubmitted scan to start"
    assert subject(nessus_status_info, {"wait": "ready"}) == "Nessus to answer ready"
    assert subject(nessus_status_info, {"wait": "settled"}) == "Nessus to finish loading its plugins"


@pytest.mark.parametrize("budget_, check_mode, async_val, expected", [
    (3600, False, 0, True),
    (61, False, 0, True),
    (60, False, 0, False),      # a minute or less is silent
    (0, False, 0, False),
    (None, False, 0, False),    # arguments the module refuses: as always
    (3600, True, 0, False),     # check mode sends nothing and waits for nothing
    (3600, False, 600, False),  # async already: the task's own async
])
def test_follows(budget_, check_mode, async_val, expected):
    assert waiting.follows(budget_, check_mode, async_val) is expected


@pytest.mark.parametrize("value, text", [
    (0, "0s"), (0.9, "0s"), (45.7, "45s"), (60, "1m00s"), (150, "2m30s"), (3450, "57m30s"), (3599.9, "59m59s"),
    (3600, "1h00m"), (3900, "1h05m"), (14400, "4h00m"), (-5, "0s"),
])
def test_duration(value, text):
    assert waiting.duration(value) == text


def test_progress_line():
    assert waiting.progress_line("Reboot the scanner", "localhost", 150.2, 3600) == \
        "  waiting for Reboot the scanner [localhost]: 2m30s so far, at most 57m30s more"
    assert waiting.progress_line("the OS reload to finish", "", 30.0, 14400) == \
        "  waiting for the OS reload to finish: 30s so far, at most 3h59m more"
    # "at most" never says less than is left: 9m29.5s left reads 9m30s
    assert waiting.progress_line("x", "h", 30.5, 600).endswith("at most 9m30s more")
    assert waiting.progress_line("x", "h", 601, 600) == "  waiting for x [h]: 10m01s so far, past its budget of 10m00s (it ends now)"


RESULT = {"changed": True, "sent": True, "command": "rebootSoft", "server": {"power_state": "on"},
          "waited": {"seconds": 38.2, "polls": 19}, "retries": [], "invocation": {"module_args": {"action": "reboot_soft"}}}


class Clock:
    """A monotonic clock that moves only when the progress thread waits (its Event.wait), by the whole wait, and only
    ``ticks`` times: which lines are printed does not depend on the machine's load."""

    def __init__(self):
        self.now = 1000.0
        self.ticks = 0

    def monotonic(self):
        return self.now


def clocked_event(clock):
    class Event:
        def __init__(self):
            self.flag = threading.Event()

        def set(self):
            self.flag.set()

        def wait(self, timeout):
            if self.flag.is_set():
                return True
            if clock.ticks <= 0:
                return self.flag.wait()
            clock.ticks -= 1
            clock.now += timeout
            return False

    return Event


class Plugin(waiting.WaitingAction):
    def wait_budget(self, args):
        return args["budget"]

    def wait_subject(self, args):
        return "the thing to happen"


def plugin(args, answer, name="", check_mode=False, async_val=0, lines_before_answer=0, shown=None, clock=None):
    """A WaitingAction on a fake task and connection; its _execute_module answers ``answer`` (a result, or an
    exception to raise) once the progress thread has printed ``lines_before_answer`` lines (and then prints no more
    until the module returns)."""
    if clock is not None:
        clock.ticks = lines_before_answer
    action = Plugin.__new__(Plugin)
    action._task = SimpleNamespace(args=args, name=name, action="conductors.nessus_compliance.thing",
                                   async_val=async_val, check_mode=check_mode)
    action._connection = SimpleNamespace(has_native_async=False, _shell=SimpleNamespace(tmpdir="/tmp/x"))
    action._cleanup_remote_tmp = False
    action.calls = []
    action.removed = []

    def execute(module_name=None, module_args=None, task_vars=None, wrap_async=False):
        action.calls.append({"module": module_name, "wrap_async": wrap_async})
        deadline = time.perf_counter() + 10
        while shown is not None and len(shown) < lines_before_answer and time.perf_counter() < deadline:
            time.sleep(0.001)
        if isinstance(answer, BaseException):
            raise answer
        return dict(answer)

    action._execute_module = execute
    action._remove_tmp_path = action.removed.append
    return action


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(waiting.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(waiting, "STOP", clocked_event(fake))
    return fake


@pytest.fixture
def shown(monkeypatch):
    lines = []
    monkeypatch.setattr(waiting.display, "display", lambda msg, *a, **k: lines.append(msg))
    return lines


def test_a_long_wait_prints_its_progress_and_returns_the_module_result(clock, shown):
    action = plugin({"budget": 600}, RESULT, name="Reboot it", lines_before_answer=3, shown=shown, clock=clock)
    assert action.run(task_vars={"inventory_hostname": "zone1"}) == RESULT
    # the module ran once, as the normal action runs it (no async job, no async_status)
    assert action.calls == [{"module": None, "wrap_async": False}] and action.removed == ["/tmp/x"]
    # a line every 30 s with the task's name, and none after the module returned
    assert shown == ["  waiting for Reboot it [zone1]: 30s so far, at most 9m30s more",
                     "  waiting for Reboot it [zone1]: 1m00s so far, at most 9m00s more",
                     "  waiting for Reboot it [zone1]: 1m30s so far, at most 8m30s more"]
    assert not [t for t in threading.enumerate() if t.name.startswith("progress of ")]


def test_a_task_without_a_name_says_what_it_waits_for(clock, shown):
    action = plugin({"budget": 600}, RESULT, lines_before_answer=1, shown=shown, clock=clock)
    action.run(task_vars={"inventory_hostname": "localhost"})
    assert shown[0] == "  waiting for the thing to happen [localhost]: 30s so far, at most 9m30s more"


def test_a_wait_past_its_budget_says_so(clock, shown):
    action = plugin({"budget": 61}, RESULT, name="Reboot it", lines_before_answer=3, shown=shown, clock=clock)
    action.run(task_vars={})
    assert shown[1] == "  waiting for Reboot it: 1m00s so far, at most 1s more"
    assert shown[2] == "  waiting for Reboot it: 1m30s so far, past its budget of 1m01s (it ends now)"


@pytest.mark.parametrize("args, check_mode, async_val", [
    ({"budget": 60}, False, 0),
    ({"budget": None}, False, 0),
    ({"budget": 3600}, True, 0),
])
def test_short_budget_or_check_mode_runs_as_the_normal_action(clock, shown, args, check_mode, async_val):
    action = plugin(args, RESULT, check_mode=check_mode, async_val=async_val)
    assert action.run(task_vars={}) == RESULT
    assert action.calls == [{"module": None, "wrap_async": False}] and shown == []


def test_a_task_already_async_keeps_its_own_async(clock, shown):
    launch = {"started": True, "finished": False, "ansible_job_id": "j9.1", "changed": True}
    action = plugin({"budget": 3600}, launch, async_val=7200)
    assert action.run(task_vars={}) == launch  # the task executor polls it, as for any async task
    assert action.calls == [{"module": None, "wrap_async": True}] and shown == [] and action.removed == []


def test_a_module_failure_stays_the_same_failure(clock, shown):
    failure = {"failed": True, "changed": False, "msg": "no machine x", "retries": []}
    action = plugin({"budget": 3600}, failure)
    assert action.run(task_vars={}) == failure


def test_an_interrupted_wait_stops_its_progress_lines(clock, shown):
    action = plugin({"budget": 3600}, KeyboardInterrupt(), lines_before_answer=1, shown=shown, clock=clock)
    with pytest.raises(KeyboardInterrupt):
        action.run(task_vars={"inventory_hostname": "zone1"})
    printed = len(shown)
    assert printed == 1 and not [t for t in threading.enumerate() if t.name.startswith("progress of ")]
