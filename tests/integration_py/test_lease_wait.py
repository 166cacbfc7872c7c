"""zone_lease's wait (remediation_lease_wait): a run that finds its zone held asks again every poll interval, says
whom it waits for, and gives up at the end of the wait without taking anything; once the zone is given back, it takes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZONE = "ALC_Prod_WDC06_SZ"


def play(tmp_path, tasks):
    path = tmp_path / "lease.yml"
    path.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(path), "-i", "localhost,",
           "-c", "local"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc, time.monotonic() - started


def lease(tmp_path, run_id, register, **args):
    return {"name": "lease %s" % register, "register": register,
            "conductors.nessus_compliance.zone_lease": dict(
                {"zone": ZONE, "store": {"kind": "local", "dir": str(tmp_path / "store")}, "run_id": run_id}, **args)}


def kept(tmp_path, name):
    return {"ansible.builtin.copy": {"content": "{{ %s | to_json }}" % name, "dest": str(tmp_path / (name + ".json")),
                                     "mode": "0600"}}


def registered(tmp_path, name):
    return json.loads((tmp_path / (name + ".json")).read_text())


def test_a_held_zone_is_waited_for_poll_by_poll_then_left_untouched(tmp_path):
    proc, _took = play(tmp_path, [
        lease(tmp_path, "run-a", "first"),
        lease(tmp_path, "run-b", "second", wait=1.2, poll_interval=0.3, max_zones=0),
        kept(tmp_path, "second"),
    ])
    assert proc.returncode == 0, proc.stdout[-3000:]
    waits = [line for line in proc.stdout.splitlines() if "waiting for the lease of %s, held by" % ZONE in line]
    assert 3 <= len(waits) <= 5, proc.stdout  # asked at 0, 0.3, 0.6, 0.9 and 1.2 s: a line before each sleep
    second = registered(tmp_path, "second")
    assert second["taken"] is False and second["verdict"] == "held"
    assert "(waited 1s)" in second["text"]
    held = json.loads((tmp_path / "store" / "leases" / (ZONE + ".json")).read_text())
    assert held["run_id"] == "run-a"  # still the first run's


def test_no_wait_asks_once(tmp_path):
    proc, _took = play(tmp_path, [lease(tmp_path, "run-a", "first"), lease(tmp_path, "run-b", "second", max_zones=0),
                                  kept(tmp_path, "second")])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "waiting for" not in proc.stdout
    assert registered(tmp_path, "second")["taken"] is False
