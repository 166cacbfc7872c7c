"""Scanner hosts you can SSH into: one sshd per scanner machine, each in its own namespaces.

Each host is ``unshare --mount --uts --pid`` around a PID 1 named ``systemd`` (lab/hostroot/systemd) that
runs sshd on the scanner's own loopback address. Inside a host: its hostname, its own process list, its
own ``/opt`` (``<lab dir>/hosts/<name>/opt``), a tmpfs ``/run`` with ``/run/systemd/system`` (so Ansible
sees systemd), a tmpfs ``/var/lib`` whose ``bootstrap/complete`` marker says whether the last OS reload ran
the post-provision script, and the stand-in ``systemctl`` bound over ``/usr/bin/systemctl``; nothing leaks to the
machine running the lab. ``nessusd.service`` runs lab/hostroot/nessusd, whose token file tells the lab
that the daemon runs.

The lab keeps the hosts in step with the machines of the classic infrastructure stand-in: a host
runs while its machine is up and reachable, is killed when a reboot takes the machine down, and boots
again - with ``nessusd`` enabled or not, as the scenario says the command leaves it - when the machine
is back. Hosts die with the lab (a lifeline pipe) and on ``stop()``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time

HOSTROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostroot")
SSH_PORT = 2222
NESSUSD_UNIT = "[Unit]\nDescription=Nessus scanner daemon\n\n[Service]\nExecStart=/opt/nessus/sbin/nessusd\n"
BOOT = r"""set -e
hostname "$LAB_HOSTNAME"
mount --bind "$LAB_HOST_DIR/opt" /opt
mount -t tmpfs -o mode=0755 lab-run /run
mkdir -p /run/sshd /run/systemd/system
mount -t tmpfs -o mode=0755 lab-var-lib /var/lib
mkdir -p /var/lib/bootstrap
mount --bind "$LAB_HOST_DIR/bootstrap" /var/lib/bootstrap
mount --bind "$LAB_HOST_BIN/systemctl" /usr/bin/systemctl
exec /usr/bin/python3 "$LAB_HOSTROOT/systemd.py" "$(command -v sshd || echo /usr/sbin/sshd)" -D -e -f "$LAB_HOST_DIR/sshd_config"
"""


def unavailable():
    """Why SSH hosts cannot run here, or None."""
    if os.geteuid() != 0:
        return "SSH scanner hosts need root (mount and PID namespaces)"
    for tool in ("unshare", "ssh-keygen"):
        if not shutil.which(tool):
            return "SSH scanner hosts need %s" % tool
    if not (shutil.which("sshd") or os.path.exists("/usr/sbin/sshd")):
        return "SSH scanner hosts need sshd (apt-get install openssh-server)"
    if not os.path.exists("/usr/bin/systemctl"):
        return "SSH scanner hosts need /usr/bin/systemctl to bind the stand-in over (apt-get install systemd)"
    return None


def _wrapper(path, script):
    """An executable that runs one of the stand-ins with the system's Python (the hosts have no venv)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' % shlex.quote(script))
    os.chmod(path, 0o755)


def _keygen(path):
    if not os.path.exists(path):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lab", "-f", path], check=True)


class Host:
    def __init__(self, machine, base, authorized_keys):
        self.machine = machine
        self.dir = os.path.join(base, machine.hostname)
        self.opt = os.path.join(self.dir, "opt")
        self.process = None
        for sub in ("fake-systemd/units", "fake-systemd/state", "nessus/sbin", "nessus/var", "nessus/etc"):
            os.makedirs(os.path.join(self.opt, sub), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "bootstrap"), exist_ok=True)
        _wrapper(os.path.join(self.opt, "nessus/sbin/nessusd"), os.path.join(HOSTROOT, "nessusd.py"))
        with open(os.path.join(self.opt, "fake-systemd/units/nessusd.service"), "w", encoding="utf-8") as handle:
            handle.write(NESSUSD_UNIT)
        _keygen(os.path.join(self.dir, "ssh_host_ed25519_key"))
        with open(os.path.join(self.dir, "sshd_config"), "w", encoding="utf-8") as handle:
            handle.write("\n".join([
                "ListenAddress %s:%d" % (machine.address, SSH_PORT),
                "HostKey %s" % os.path.join(self.dir, "ssh_host_ed25519_key"),
                "PidFile none", "AuthorizedKeysFile %s" % authorized_keys, "PubkeyAuthentication yes",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
                "UsePAM no", "StrictModes no", "LogLevel ERROR", "Subsystem sftp internal-sftp", ""]))
        if machine.nessusd_fails_to_start:
            open(os.path.join(self.opt, "nessus/etc/fail-start"), "w").close()

    @property
    def run_file(self):
        return os.path.join(self.opt, "nessus/var/nessusd.run")

    def nessusd_token(self):
        """The running daemon's token, or None."""
        if not self.running():
            return None
        try:
            with open(self.run_file, encoding="utf-8") as handle:
                return handle.read().strip() or None
        except OSError:
            return None

    def running(self):
        return self.process is not None and self.process.poll() is None

    def boot(self, nessusd_enabled, lifeline):
        enabled = os.path.join(self.opt, "fake-systemd/state/nessusd.service.enabled")
        if nessusd_enabled:
            open(enabled, "w").close()
        elif os.path.exists(enabled):
            os.unlink(enabled)
        marker = os.path.join(self.dir, "bootstrap", "complete")  # /var/lib/bootstrap/complete on the host
        if self.machine.bootstrapped():
            with open(marker, "w", encoding="utf-8") as handle:
                handle.write("bootstrap complete\n")
        elif os.path.exists(marker):
            os.unlink(marker)  # a reload without the post-provision script is not bootstrapped
        fail_start = os.path.join(self.opt, "nessus/etc/fail-start")
        if self.machine.events and os.path.exists(fail_start):
            os.unlink(fail_start)  # what kept nessusd from starting does not survive a reboot
        for stale in (self.run_file, os.path.join(self.opt, "fake-systemd/state/nessusd.service.pid")):
            if os.path.exists(stale):
                os.unlink(stale)
        env = dict(os.environ, LAB_HOSTNAME=self.machine.hostname, LAB_HOST_DIR=self.dir, LAB_HOSTROOT=HOSTROOT,
                   LAB_HOST_BIN=os.path.join(os.path.dirname(self.dir), "bin"),
                   LAB_LIFELINE_FD=str(lifeline))
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            ["unshare", "--mount", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "bash", "-c", BOOT],
            env=env, pass_fds=(lifeline,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "host.log"), "ab"), start_new_session=True)  # pylint: disable=consider-using-with

    def kill(self):
        """The machine went down: every process of the host dies at once, as in a power loss."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # unshare --kill-child takes the host's PID 1 with it
            self.process.wait(timeout=10)
        self.process = None
        if os.path.exists(self.run_file):
            os.unlink(self.run_file)


class Hosts:
    """The scanner hosts of a lab, reconciled with their machines by ``sync(now)``."""

    def __init__(self, lab_dir, machines):
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.base = os.path.join(lab_dir, "hosts")
        os.makedirs(os.path.join(self.base, "bin"), exist_ok=True)
        _wrapper(os.path.join(self.base, "bin", "systemctl"), os.path.join(HOSTROOT, "systemctl.py"))
        self.client_key = os.path.join(lab_dir, "ssh", "client_key")
        os.makedirs(os.path.dirname(self.client_key), exist_ok=True)
        _keygen(self.client_key)
        authorized = os.path.join(lab_dir, "ssh", "authorized_keys")
        shutil.copy(self.client_key + ".pub", authorized)
        os.chmod(authorized, 0o600)
        self.hosts = {m.hostname: Host(m, self.base, authorized) for m in machines}
        self._lifeline_read, self._lifeline_write = os.pipe()
        os.set_inheritable(self._lifeline_read, True)
        self._lock = threading.Lock()
        for host in self.hosts.values():
            host.machine.service_probe = host.nessusd_token

    def sync(self, now):
        with self._lock:
            for host in self.hosts.values():
                machine = host.machine
                wanted = machine.reachable(now)
                if wanted and not host.running():
                    host.boot(machine.outcome(now) not in ("stopped", "hung"), self._lifeline_read)
                elif host.running() and not wanted:
                    host.kill()

    def wait_ready(self, timeout=15.0):
        """Until the sshd of every running host accepts connections (a lab that says "up" can be reached)."""
        deadline = time.monotonic() + timeout
        pending = [h for h in self.hosts.values() if h.running()]
        while pending and time.monotonic() < deadline:
            still = []
            for host in pending:
                try:
                    socket.create_connection((host.machine.address, SSH_PORT), timeout=0.5).close()
                except OSError:
                    still.append(host)
            pending = still
            if pending:
                time.sleep(0.05)
        if pending:
            raise RuntimeError("SSH hosts did not start: %s (see %s/*/host.log)"
                               % (", ".join(h.machine.hostname for h in pending), self.base))

    def inventory_vars(self):
        """Connection variables for the scanners (group_vars/scanners.yml) and each one's address."""
        group = {"ansible_user": "root", "ansible_port": SSH_PORT, "ansible_ssh_private_key_file": self.client_key,
                 "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                                            "-o ConnectTimeout=5",
                 "ansible_python_interpreter": "/usr/bin/python3", "ansible_ssh_pipelining": True}
        return group, {name: {"ansible_host": h.machine.address} for name, h in self.hosts.items()}

    def stop(self):
        with self._lock:
            for host in self.hosts.values():
                host.kill()
            for fd in (self._lifeline_read, self._lifeline_write):
                try:
                    os.close(fd)
                except OSError:
                    pass
