"""The progress lines of the waiting modules: budgets, the line, the job's result, and the follow loop (no I/O)."""

from __future__ import annotations

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


@pytest.mark.parametrize("budget_, check_mode, async_val, native, expected", [
    (3600, False, 0, False, True),
    (61, False, 0, False, True),
    (60, False, 0, False, False),      # a minute or less is silent
    (0, False, 0, False, False),
    (None, False, 0, False, False),    # arguments the module refuses: as always
    (3600, True, 0, False, False),     # check mode sends nothing and waits for nothing
    (3600, False, 600, False, False),  # async already: the task's own async
    (3600, False, 0, True, False),     # a connection that runs async natively (winrm)
])
def test_follows(budget_, check_mode, async_val, native, expected):
    assert waiting.follows(budget_, check_mode, async_val, native) is expected


def test_async_limit_leaves_a_margin():
    assert waiting.async_limit(3600) == 3600 + 900 + 900
    assert waiting.async_limit(61) > 61 + 900


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


def test_poll_interval_stays_short():
    assert waiting.poll_interval(0) == 1.0
    assert waiting.poll_interval(59) == 1.0
    assert waiting.poll_interval(3000) == 2.0


RESULT = {"changed": True, "sent": True, "command": "rebootSoft", "server": {"power_state": "on"},
          "waited": {"seconds": 38.2, "polls": 19}, "retries": [], "invocation": {"module_args": {"action": "reboot_soft"}}}


def test_module_result_is_the_synchronous_one():
    job = dict(RESULT, ansible_job_id="j1.2", finished=True, stderr="a warning of urllib3", stderr_lines=["a"])
    assert waiting.module_result(job, "m", 100) == RESULT


def test_module_failure_stays_a_failure_with_its_message():
    failure = {"failed": True, "changed": False, "msg": "IBM Cloud classic: no virtual guest or bare metal server x",
               "error": {"kind": "NotFoundError"}, "retries": []}
    assert waiting.module_result(dict(failure, ansible_job_id="j1.2", finished=True), "m", 100) == failure


def test_the_async_limit_and_a_crash_read_as_failures():
    stopped = waiting.module_result({"msg": "Timeout exceeded", "failed": True, "child_pid": 7, "finished": True,
                                     "ansible_job_id": "j1.2"}, "conductors.nessus_compliance.jenkins_build", 5400)
    assert stopped["failed"] and stopped["msg"].startswith("conductors.nessus_compliance.jenkins_build did not end "
                                                           "within 5400s")
    crashed = waiting.module_result({"failed": True, "cmd": "/tmp/x/AnsiballZ_m.py _", "data": "Traceback ...",
                                     "stderr": "boom", "msg": "Traceback (most recent call last): ...\n",
                                     "ansible_job_id": "j1.2", "finished": True}, "m", 100)
    assert crashed == {"failed": True, "changed": False, "msg": "MODULE FAILURE: Traceback (most recent call last): ...",
                       "module_stdout": "Traceback ...", "module_stderr": "boom"}
    gone = waiting.module_result({"failed": True, "msg": "could not find job", "ansible_job_id": "j1.2",
                                  "started": True, "finished": True}, "m", 100)
    assert gone["failed"] and "j1.2 is gone" in gone["msg"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Plugin(waiting.WaitingAction):
    def wait_budget(self, args):
        return args["budget"]

    def wait_subject(self, args):
        return "the thing to happen"


def plugin(args, statuses=None, name="", check_mode=False, async_val=0, clock=None):
    """A WaitingAction on fake task and connection; its _execute_module answers ``statuses`` in turn."""
    action = Plugin.__new__(Plugin)
    action._task = SimpleNamespace(args=args, name=name, action="conductors.nessus_compliance.thing",
                                   async_val=async_val, check_mode=check_mode)
    action._connection = SimpleNamespace(has_native_async=False, always_pipeline_modules=False,
                                         _shell=SimpleNamespace(tmpdir=None), reset=lambda: None)
    action._cleanup_remote_tmp = False
    action.calls = []
    answers = list(statuses or [])

    def execute(module_name=None, module_args=None, task_vars=None, wrap_async=False):
        action.calls.append({"module": module_name, "args": module_args, "wrap_async": wrap_async,
                             "async_val": action._task.async_val})
        if clock is not None:
            clock.now += 0.2  # what a look costs
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    action._execute_module = execute
    action._remote_expand_user = lambda path: path.replace("~", "/home/me")
    action.get_shell_option = lambda name, default=None: default
    action._remove_tmp_path = lambda path: None
    return action


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(waiting.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(waiting.time, "sleep", fake.sleep)
    return fake


@pytest.fixture
def shown(monkeypatch):
    lines = []
    monkeypatch.setattr(waiting.display, "display", lambda msg, *a, **k: lines.append(msg))
    monkeypatch.setattr(waiting.display, "warning", lambda msg, *a, **k: lines.append("WARNING " + msg))
    return lines


def test_a_long_wait_runs_as_a_job_prints_its_progress_and_returns_the_module_result(clock, shown):
    running = {"started": True, "finished": False, "ansible_job_id": "j7.1", "results_file": "/home/me/.ansible_async/j7.1"}
    done = dict(RESULT, finished=True, ansible_job_id="j7.1")
    launch = {"started": True, "finished": False, "ansible_job_id": "j7.1", "results_file": "x", "changed": True}
    action = plugin({"budget": 600}, [launch] + [running] * 70 + [done, {"erased": "x"}], name="Reboot it", clock=clock)
    assert action.run(task_vars={"inventory_hostname": "zone1"}) == RESULT
    # the module ran as an async job with the budget and a margin, then async_status looked at it until it ended
    assert action.calls[0]["wrap_async"] and action.calls[0]["async_val"] == waiting.async_limit(600)
    assert action._task.async_val == 0  # the task is not async for the task executor afterwards
    looks = [c for c in action.calls[1:] if c["module"] == "ansible.legacy.async_status"]
    assert len(looks) == 72 and looks[-1]["args"] == {"jid": "j7.1", "mode": "cleanup", "_async_dir": "/home/me/.ansible_async"}
    assert all(c["args"]["mode"] == "status" for c in looks[:-1])
    # a line every 30 s with the task's name
    assert shown == ["  waiting for Reboot it [zone1]: 30s so far, at most 9m30s more",
                     "  waiting for Reboot it [zone1]: 1m00s so far, at most 9m00s more",
                     "  waiting for Reboot it [zone1]: 1m31s so far, at most 8m29s more"]


def test_a_task_without_a_name_says_what_it_waits_for(clock, shown):
    running = {"started": True, "finished": False, "ansible_job_id": "j7.1"}
    action = plugin({"budget": 600}, [{"ansible_job_id": "j7.1"}] + [running] * 30 + [dict(RESULT, finished=True), {}],
                    clock=clock)
    action.run(task_vars={"inventory_hostname": "localhost"})
    assert shown and shown[0].startswith("  waiting for the thing to happen [localhost]: 30s so far")


@pytest.mark.parametrize("args, check_mode, async_val", [
    ({"budget": 60}, False, 0),
    ({"budget": None}, False, 0),
    ({"budget": 3600}, True, 0),
])
def test_short_budget_or_check_mode_runs_as_the_normal_action(clock, shown, args, check_mode, async_val):
    action = plugin(args, [dict(RESULT)], check_mode=check_mode, async_val=async_val, clock=clock)
    assert action.run(task_vars={}) == RESULT
    assert [c["wrap_async"] for c in action.calls] == [False] and shown == []


def test_a_task_already_async_keeps_its_own_async(clock, shown):
    launch = {"started": True, "finished": False, "ansible_job_id": "j9.1", "changed": True}
    action = plugin({"budget": 3600}, [launch], async_val=7200, clock=clock)
    assert action.run(task_vars={}) == launch  # the task executor polls it, as for any async task
    assert action.calls[0]["wrap_async"] and action.calls[0]["async_val"] == 7200 and shown == []


def test_a_module_failure_stays_the_same_failure(clock, shown):
    failure = {"failed": True, "changed": False, "msg": "no machine x", "retries": []}
    action = plugin({"budget": 3600}, [{"ansible_job_id": "j7.1"}, dict(failure, finished=True, ansible_job_id="j7.1"),
                                       {"erased": "x"}], clock=clock)
    assert action.run(task_vars={}) == failure and shown == []


def test_a_failed_look_is_looked_at_again(clock, shown):
    action = plugin({"budget": 3600}, [{"ansible_job_id": "j7.1"}, OSError("connection bounced"),
                                       dict(RESULT, finished=True), {}], clock=clock)
    assert action.run(task_vars={}) == RESULT


def test_a_job_that_never_ends_is_given_up_after_its_async_limit(clock, shown):
    running = {"started": True, "finished": False, "ansible_job_id": "j7.1"}
    action = plugin({"budget": 61}, [{"ansible_job_id": "j7.1"}] + [running] * 2000, clock=clock)
    out = action.run(task_vars={})
    assert out["failed"] and "did not end within its async limit of %ss" % waiting.async_limit(61) in out["msg"]
    assert shown[-1].endswith("(it ends now)")


def test_an_interrupted_wait_says_where_the_job_goes_on(clock, shown):
    action = plugin({"budget": 3600}, [{"ansible_job_id": "j7.1"}, KeyboardInterrupt()], clock=clock)
    with pytest.raises(KeyboardInterrupt):
        action.run(task_vars={"inventory_hostname": "zone1"})
    assert shown == ["WARNING conductors.nessus_compliance.thing goes on as async job j7.1 on zone1; its result will be "
                     "in /home/me/.ansible_async"]
