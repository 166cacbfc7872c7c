"""The private branch with SSH checks, against the lab's scanners as real SSH hosts (sshd in namespaces).

Each scanner of the scenario is an sshd on its own loopback address with its own hostname, process list and
stand-in systemd; the lab serves its Nessus API while the host's nessusd process runs. Needs root, unshare and
sshd (.ci/run and make test install openssh-server).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from lab.hosts import unavailable

from private_branch import PUBLIC_LEFT, RELOAD, SPEED, power, record, reloads, run  # pylint: disable=import-error

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=unavailable() or "")

BAD = "prod-wdc06-infra-nessus-01"


def on_host(lab, host, command):
    """Run a command on a lab scanner host over SSH, as an SRE would."""
    with open(os.path.join(lab.dir, "group_vars", "scanners.yml"), encoding="utf-8") as handle:
        group = json.loads(handle.read().split("\n", 2)[2])
    with open(os.path.join(lab.dir, "host_vars", host + ".yml"), encoding="utf-8") as handle:
        address = json.loads(handle.read().split("\n", 1)[1])["ansible_host"]
    proc = subprocess.run(["ssh", "-i", group["ansible_ssh_private_key_file"], "-p", str(group["ansible_port"]),
                           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                           "root@" + address, command], capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout.strip()


def health_entry(rec, host):
    return next(e for e in rec["entries"] if e["step"] == "Check the scanzones for any issues" and e["text"].startswith(host))


def test_hosts_are_separate_machines_with_their_own_services(lab_factory):
    lab = lab_factory("private_ssh", speed=SPEED)
    assert on_host(lab, BAD, "hostname; systemctl is-active nessusd; pgrep -x nessusd | wc -l") == f"{BAD}\ninactive\n0"
    other = "prod-wdc06-infra-nessus-02"
    assert on_host(lab, other, "hostname; systemctl is-active nessusd; pgrep -x nessusd | wc -l") == f"{other}\nactive\n1"


def test_restart_nessusd_first_heals_without_a_reboot(lab_factory, tmp_path):
    lab = lab_factory("private_ssh", speed=SPEED)
    proc = run(lab, tmp_path, scanner_ssh_checks=True, restart_nessusd_first=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == []  # no power command at all
    rec = record(tmp_path)
    health = health_entry(rec, BAD)
    assert health["details"]["nessusd_service"] == "stopped" and health["details"]["ssh"] == "nessusd.service stopped"
    assert "[SSH: nessusd.service stopped]" in health["text"]
    assert health_entry(rec, "prod-wdc06-infra-nessus-02")["details"]["ssh"] == "nessusd.service running"
    texts = [e["text"] for e in rec["entries"]]
    assert f"nessusd restart of {BAD}: restarted nessusd over SSH" in texts
    assert f"{BAD} works again after the nessusd restart" in texts
    assert rec["outcome"] == "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." + PUBLIC_LEFT
    assert on_host(lab, BAD, "systemctl is-active nessusd") == "active"


def test_ssh_checks_alone_still_reboot(lab_factory, tmp_path):
    lab = lab_factory("private_ssh", speed=SPEED)
    proc = run(lab, tmp_path, scanner_ssh_checks=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [(BAD, "rebootSoft")]
    assert health_entry(record(tmp_path), BAD)["details"]["situation"] == "nessusd_not_running"


def test_a_restart_that_does_not_heal_goes_on_to_the_soft_reboot(lab_factory, tmp_path):
    lab = lab_factory("private_ssh_broken", speed=SPEED)
    proc = run(lab, tmp_path, scanner_ssh_checks=True, restart_nessusd_first=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [(BAD, "rebootSoft")]
    texts = [e["text"] for e in record(tmp_path)["entries"]]
    restart = next(t for t in texts if t.startswith(f"nessusd restart of {BAD}:"))
    assert "could not restart nessusd over SSH" in restart
    assert f"{BAD} works again after the soft reboot" in texts
    assert on_host(lab, BAD, "systemctl is-active nessusd") == "active"


def test_a_dead_host_is_unreachable_over_ssh_and_is_not_restarted(lab_factory, tmp_path):
    lab = lab_factory("private_ssh_dead", speed=SPEED)
    proc = run(lab, tmp_path, scanner_ssh_checks=True, restart_nessusd_first=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    rec = record(tmp_path)
    health = health_entry(rec, BAD)
    assert health["details"]["situation"] == "server_down"
    assert health["details"]["ssh"].startswith("unreachable")
    assert not any(e["text"].startswith(f"nessusd restart of {BAD}") for e in rec["entries"])
    assert power(lab)[-1] == (BAD, "powerCycle")


def test_check_mode_restarts_nothing(lab_factory, tmp_path):
    lab = lab_factory("private_ssh", speed=SPEED)
    proc = run(lab, tmp_path, "--check", scanner_ssh_checks=True, restart_nessusd_first=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == []
    assert on_host(lab, BAD, "systemctl is-active nessusd") == "inactive"
    assert [c for c in lab.calls() if not c.startswith("GET ")] == []


def test_os_reload_bootstrap_is_checked_over_ssh_and_a_reload_without_script_leaves_no_marker(lab_factory, tmp_path):
    lab = lab_factory("private_reload_ssh", speed=SPEED)
    assert on_host(lab, BAD, "test -f /var/lib/bootstrap/complete && echo yes") == ""  # hung: no SSH at all
    proc = run(lab, tmp_path, scanner_ssh_checks=True, **RELOAD)
    assert proc.returncode == 0, proc.stdout[-3000:]
    bootstrap = [e for e in record(tmp_path)["entries"] if e["details"].get("event") == "bootstrap_confirmed"]
    assert bootstrap[0]["text"] == "%s: bootstrapped - Nessus ready; `test -f /var/lib/bootstrap/complete` succeeded" % BAD
    assert on_host(lab, BAD, "cat /var/lib/bootstrap/complete; hostname") == "bootstrap complete\n" + BAD
    assert len(reloads(lab)) == 1


def test_a_reload_without_the_post_provision_script_comes_back_without_bootstrap(lab_factory):
    import time  # pylint: disable=import-outside-toplevel

    import requests  # pylint: disable=import-outside-toplevel
    lab = lab_factory("private_ssh", speed=1800)  # a reload takes 1,800 simulated seconds: one real second
    machine = lab.world.classic.by_name("prod-wdc06-infra-nessus-02")
    assert on_host(lab, machine.hostname, "test -f /var/lib/bootstrap/complete && echo yes") == "yes"
    answer = requests.post("%s/SoftLayer_Virtual_Guest/%d/reloadOperatingSystem.json" % (lab.settings["SL_ENDPOINT_URL"], machine.id),
                           json={"parameters": ["FORCE", {}]}, auth=(lab.settings["SL_USERNAME"], lab.settings["SL_API_KEY"]),
                           verify=lab.settings["SL_CA_PATH"], timeout=10)
    assert answer.status_code == 200 and answer.json() == "1"
    deadline, seen = time.monotonic() + 30, ""
    while time.monotonic() < deadline and not seen:  # down while reloading, then the host boots again
        time.sleep(0.5)
        if machine.phase(lab.world.clock.now()) == "up":
            seen = on_host(lab, machine.hostname, "test -f /var/lib/bootstrap/complete && echo yes || echo no; "
                                                  "systemctl is-active nessusd")
    assert seen == "no\ninactive"
