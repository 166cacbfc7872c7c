"""nessus_status_info through ansible-playbook against the lab's scanners, in normal and check mode: the scanners
come from Security Center's records (sc_scanner_info), passed as they are."""

from __future__ import annotations

import json
import time

import pytest

WDC06 = ["prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]
PLAYBOOK = """---
- name: Ask the zone's Nessus scanners whether they are ready
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the zone's scanners from Security Center
      conductors.nessus_compliance.sc_scanner_info:
        name: "{{ nessus_test_names }}"
      register: nessus_test_sc

    - name: Ask each scanner's Nessus
      conductors.nessus_compliance.nessus_status_info:
        scanners: "{{ nessus_test_sc.scanners }}"
        wait: "{{ nessus_test_wait }}"
        wait_timeout: "{{ nessus_test_wait_timeout }}"
        poll_interval: "{{ nessus_test_poll_interval }}"
      register: nessus_test_status

    - name: Keep the answer for the test
      ansible.builtin.copy:
        content: "{{ nessus_test_status | to_json }}"
        dest: "{{ nessus_test_out }}"
        mode: "0600"
      check_mode: false
"""


def listening(lab, timeout=60):
    """Wait until the lab's Nessus listens on each WDC06 scanner whose nessusd runs (the lab opens them in a thread)."""
    now = lab.world.clock.now()
    running = {n for n in WDC06 if lab.world.classic.by_name(n).nessusd(now) != "stopped"}
    deadline = time.monotonic() + timeout
    while not running <= set(lab.lab.nessus_servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running <= set(lab.lab.nessus_servers), "the lab's Nessus did not open in %ss" % timeout


def extra_vars(tmp_path, name, wait="none", wait_timeout=60, poll_interval=0.3):
    return {"nessus_test_names": WDC06, "nessus_test_wait": wait, "nessus_test_wait_timeout": wait_timeout,
            "nessus_test_poll_interval": poll_interval, "nessus_test_out": str(tmp_path / (name + ".json"))}


def run(lab, tmp_path, name, *args, **wait):
    playbook = tmp_path / "nessus_status.yml"
    playbook.write_text(PLAYBOOK)
    proc = lab.playbook(str(playbook), *args, extra_vars=extra_vars(tmp_path, name, **wait))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return by_name(tmp_path / (name + ".json"))


def by_name(path):
    return {s["name"]: s for s in json.loads(path.read_text())["scanners"]}


@pytest.mark.parametrize("mode", [[], ["--check"]])
def test_stopped_nessusd_is_down_and_the_other_ready_in_both_modes(lab, tmp_path, mode):
    listening(lab)
    machines = {n: lab.world.classic.by_name(n).address for n in WDC06}
    got = run(lab, tmp_path, "default", *mode)
    down, ready = got["prod-wdc06-infra-nessus-01"], got["prod-wdc06-infra-nessus-02"]
    assert (down["ip"], down["state"], down["http_status"], down["ready"]) == (
        machines["prod-wdc06-infra-nessus-01"], "down", None, False)
    assert "Connection refused" in down["detail"]
    assert (ready["ip"], ready["state"], ready["http_status"], ready["status"], ready["ready"]) == (
        machines["prod-wdc06-infra-nessus-02"], "ready", 200, "ready", True)
    assert all(s["waited"]["polls"] == 1 and not s["waited"]["timed_out"] for s in got.values())
    # the probe ran (in check mode too): -02 answered, nothing listens on -01
    assert lab.calls("nessus") == ["GET /server/status"]


def test_a_loading_scanner_is_loading_and_settled_gives_up_after_its_timeout(lab_factory, tmp_path):
    lab = lab_factory("scanner_loading")
    listening(lab)
    got = run(lab, tmp_path, "settled", "--check", wait="settled", wait_timeout=2, poll_interval=0.3)
    loading, ready = got["prod-wdc06-infra-nessus-01"], got["prod-wdc06-infra-nessus-02"]
    assert (loading["state"], loading["http_status"], loading["status"]) == ("loading", 503, "loading")
    assert isinstance(loading["progress"], int) and loading["detail"].startswith("Nessus is loading its plugins")
    assert loading["waited"]["timed_out"] is True and loading["waited"]["polls"] >= 2
    assert loading["waited"]["seconds"] >= 2
    assert (ready["state"], ready["waited"]["polls"], ready["waited"]["timed_out"]) == ("ready", 1, False)


def test_wait_ready_follows_a_scanner_through_loading_in_check_mode(lab_factory, tmp_path):
    lab = lab_factory("scanner_loading")
    listening(lab)
    playbook = tmp_path / "nessus_status.yml"
    playbook.write_text(PLAYBOOK)
    with open(tmp_path / "wait.log", "w", encoding="utf-8") as output:
        proc = lab.start_playbook(str(playbook), "--check", output=output,
                                  extra_vars=extra_vars(tmp_path, "ready", wait="ready", wait_timeout=120))
        try:
            deadline = time.monotonic() + 120
            while sum(e["status"] == 503 for e in lab.requests("nessus")) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            lab.world.clock.advance(36000)  # ten simulated hours: the plugins are loaded
            assert proc.wait(timeout=120) == 0, (tmp_path / "wait.log").read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    lab.outputs.append((tmp_path / "wait.log").read_text())
    got = by_name(tmp_path / "ready.json")
    came_up, ready = got["prod-wdc06-infra-nessus-01"], got["prod-wdc06-infra-nessus-02"]
    assert (came_up["state"], came_up["ready"], came_up["waited"]["timed_out"]) == ("ready", True, False)
    assert came_up["waited"]["polls"] >= 3
    assert (ready["state"], ready["waited"]["polls"]) == ("ready", 1)
    statuses = [e["status"] for e in lab.requests("nessus")]
    assert statuses.count(503) >= 2 and statuses[-1] == 200
