"""A module that waits longer than a minute prints its progress, and returns what a synchronous run returns.

It runs as the normal action runs it, not as an async job (ansible-core's async_wrapper loses a job that is slow to
start on a loaded machine, ansible/ansible#87387): no job file is ever written.

The lab's guest machine is down for 120 s of lab time after a soft reboot: at 3.2 times real time the module waits
about 37 s, so its task prints one progress line (at 30 s), and the run stays under a minute.
"""

from __future__ import annotations

import json
import os
import re

import yaml

SCANNER = "prod-wdc06-infra-nessus-01"
SPEED = 3.2  # 120 s of lab time down: 37.5 s of real time
TASK = "Reboot the scanner and wait until it runs again"
# What classic_server_power returns after a command and a wait, run synchronously (no async key among them).
RESULT_KEYS = {"changed", "command", "failed", "retries", "sent", "server", "waited"}
ASYNC_KEYS = {"ansible_job_id", "started", "finished", "results_file", "stderr", "stderr_lines"}
LINE = re.compile(r"^  waiting for (.+) \[localhost\]: (?:(\d+)m)?(\d+)s so far, at most (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)? more$")


def power_task(name, register, **options):
    task = {"name": name, "register": register, "delegate_to": "localhost",
            "conductors.nessus_compliance.classic_server_power": dict(
                {"hostname": SCANNER, "domain": "{{ domain }}", "action": "reboot_soft", "wait": True, "poll_interval": 1},
                **options)}
    return task


def play(tmp_path, tasks, registered):
    """A playbook of ``tasks`` that prints and keeps (in registered.json) the results registered as ``registered``."""
    out = str(tmp_path / "registered.json")
    tasks = tasks + [
        {"name": "Show what was registered", "ansible.builtin.debug": {"var": registered[0]}},
        {"name": "Keep what was registered", "delegate_to": "localhost", "ansible.builtin.copy": {
            "dest": out, "mode": "0600",
            "content": "{{ {%s} | to_json }}" % ", ".join("'%s': %s" % (name, name) for name in registered)}},
    ]
    path = tmp_path / "wait.yml"
    path.write_text(yaml.safe_dump([{"name": "Waits", "hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                                   sort_keys=False))
    return str(path), out


def run(lab, tmp_path, tasks, registered):
    path, out = play(tmp_path, tasks, registered)
    async_dir = tmp_path / "async"
    proc = lab.playbook(path, "-i", "localhost,", "-c", "local",
                        extra_vars={"domain": lab.world.classic.by_name(SCANNER).domain},
                        env={"ANSIBLE_ASYNC_DIR": str(async_dir)}, timeout=240)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    with open(out, encoding="utf-8") as handle:
        return proc.stdout, json.load(handle), async_dir


def section(output, task):
    """What the run printed for one task (its banner to the next one's)."""
    return output.split("TASK [%s]" % task, 1)[1].split("TASK [", 1)[0]


def same(result):
    """A result with the name of the module's temporary directory (random) left out of its traceback."""
    return json.loads(re.sub(r"_payload_[A-Za-z0-9_]+", "_payload_", json.dumps(result)))


def power_commands(lab):
    return [(lab.world.classic.machines[mid].hostname, method) for _t, _s, mid, method in lab.world.classic.commands]


def test_a_long_wait_prints_its_progress_and_returns_the_synchronous_result(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    output, registered, async_dir = run(lab, tmp_path, [power_task(TASK, "power", wait_timeout=600)], ["power"])
    printed = section(output, TASK)
    lines = [LINE.match(line) for line in printed.splitlines() if line.startswith("  waiting for ")]
    assert lines and all(lines), printed
    times = []
    for match in lines:
        assert match.group(1) == TASK
        elapsed = int(match.group(2) or 0) * 60 + int(match.group(3))
        left = int(match.group(4) or 0) * 3600 + int(match.group(5) or 0) * 60 + int(match.group(6) or 0)
        # the budget: wait_timeout 600 and spacing_timeout 1500 (bare metal refuses a command within 20 minutes)
        assert elapsed + left == 2100
        times.append(elapsed)
    assert 30 <= times[0] < 45 and all(b - a >= 29 for a, b in zip(times, times[1:])), times
    result = registered["power"]
    assert set(result) == RESULT_KEYS, sorted(result)
    assert result["changed"] is True and result["failed"] is False and result["sent"] is True
    assert result["command"] == "rebootSoft" and result["server"]["power_state"] == "on"
    assert result["server"]["active_transaction"] is None and result["waited"]["seconds"] >= 30
    shown = section(output, "Show what was registered")
    assert "power:" in shown and "command: rebootSoft" in shown and "ansible_job_id" not in shown
    assert power_commands(lab) == [(SCANNER, "rebootSoft")]
    assert not os.path.exists(async_dir)  # no async job


def test_a_short_budget_runs_synchronously_and_failures_read_the_same(lab_factory, tmp_path):
    lab = lab_factory("default", speed=300)
    tasks = [
        power_task("Reboot with a short budget", "short", wait_timeout=30, spacing="fail"),
        # no such machine: the module fails at once, run as a job (long budget) or not (short)
        dict(power_task("Reboot a machine that is not there, long budget", "missing_long", hostname="nosuchhost",
                        wait_timeout=600), ignore_errors=True),
        dict(power_task("Reboot a machine that is not there, short budget", "missing_short", hostname="nosuchhost",
                        wait_timeout=30, spacing="fail"), ignore_errors=True),
        dict(power_task("Reboot a machine that is not there, quietly", "missing_quiet", hostname="nosuchhost",
                        wait_timeout=600), no_log=True, failed_when="missing_quiet.msg is not defined",
             until="missing_quiet.error is defined", retries=1, delay=0),
    ]
    output, registered, async_dir = run(lab, tmp_path, tasks, ["short", "missing_long", "missing_short", "missing_quiet"])
    printed = section(output, "Reboot with a short budget")
    assert "waiting for" not in printed and "async_wrapper" not in printed and "async job" not in printed
    short = registered["short"]
    assert set(short) == RESULT_KEYS and short["sent"] is True and short["command"] == "rebootSoft"
    assert not ASYNC_KEYS & set(short)
    # a failure with a long budget (progress lines) is the same failure, with the same message, as with a short one
    assert same(registered["missing_long"]) == same(registered["missing_short"])
    assert registered["missing_long"]["failed"] is True
    assert registered["missing_long"]["msg"].startswith("IBM Cloud classic: no virtual guest or bare metal server nosuchhost")
    # no_log, failed_when and until see the module's own result
    quiet = registered["missing_quiet"]
    assert quiet["failed"] is False and quiet["attempts"] == 1 and quiet["msg"] == registered["missing_long"]["msg"]
    assert "nosuchhost" not in section(output, "Reboot a machine that is not there, quietly")
    assert power_commands(lab) == [(SCANNER, "rebootSoft")]
    assert not os.path.exists(async_dir)
