"""PID 1 of a lab scanner host (it names itself systemd, so that Ansible's service manager fact says systemd).

Starts the units marked enabled (/opt/fake-systemd/state/NAME.enabled) as a booting host does, runs
sshd in the foreground, reaps every orphan, and ends the host - every process in its PID namespace -
when sshd exits, on SIGTERM, or when the lab that started it goes away (its lifeline pipe closes).
"""
import os
import select
import signal
import subprocess
import sys

STATE = "/opt/fake-systemd/state"


def main(argv):
    with open("/proc/self/comm", "w") as comm:
        comm.write("systemd")  # what Ansible's service manager fact reads from /proc/1/comm
    lifeline = int(os.environ.pop("LAB_LIFELINE_FD", "-1"))
    for name in sorted(os.listdir(STATE)) if os.path.isdir(STATE) else []:
        if name.endswith(".enabled"):
            subprocess.call(["/usr/bin/systemctl", "start", name[: -len(".enabled")]])
    sshd = subprocess.Popen(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        if lifeline < 0:
            select.select([], [], [], 0.2)
        elif select.select([lifeline], [], [], 0.2)[0] and not os.read(lifeline, 1):
            return 0  # the lab is gone: so is its host
        while True:
            try:
                pid, dummy = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return 0
            if pid == 0:
                break
            if pid == sshd.pid:
                return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
