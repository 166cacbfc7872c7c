"""Stand-in for the Nessus daemon of a lab scanner host.

While it runs, /opt/nessus/var/nessusd.run holds a token the lab reads: the lab then serves this
scanner's Nessus API (GET /server/status on port 8834, ``loading`` then ``ready``) and Security Center
sees it. If /opt/nessus/etc/fail-start exists it dies at once, as a broken installation does.
"""
import os
import secrets
import signal
import sys
import time

RUN = "/opt/nessus/var/nessusd.run"


def stop(*_):
    try:
        os.unlink(RUN)
    except OSError:
        pass
    sys.exit(0)


def main():
    with open("/proc/self/comm", "w") as comm:
        comm.write("nessusd")  # pgrep -x nessusd finds it, as it finds the real daemon
    if os.path.exists("/opt/nessus/etc/fail-start"):
        sys.stderr.write("nessusd: cannot load the plugins database\n")
        return 1
    os.makedirs(os.path.dirname(RUN), exist_ok=True)
    with open(RUN + ".tmp", "w") as handle:
        handle.write("%d %s\n" % (os.getpid(), secrets.token_hex(8)))
    os.replace(RUN + ".tmp", RUN)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
