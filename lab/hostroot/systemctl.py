"""Stand-in for systemctl on lab scanner hosts, which have no systemd.

Units are /opt/fake-systemd/units/NAME.service (``[Service]`` with ``ExecStart=``, simple type); their
state is /opt/fake-systemd/state/NAME.pid and NAME.enabled. It answers what Ansible's
``systemd_service``, ``service`` and ``service_facts`` modules and an SRE's ``systemctl is-active`` ask.
"""
import configparser
import os
import shlex
import signal
import sys
import time

ROOT = "/opt/fake-systemd"
UNITS = os.path.join(ROOT, "units")
STATE = os.path.join(ROOT, "state")


def unit(name):
    return name if "." in name else name + ".service"


def exists(u):
    return os.path.isfile(os.path.join(UNITS, u))


def enabled(u):
    return os.path.exists(os.path.join(STATE, u + ".enabled"))


def main_pid(u):
    try:
        with open(os.path.join(STATE, u + ".pid")) as handle:
            pid = int(handle.read().split()[0])
        with open("/proc/%d/stat" % pid) as handle:
            alive = handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, ValueError, IndexError):
        return 0
    return pid if alive else 0


def start(u):
    if main_pid(u):
        return 0
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(os.path.join(UNITS, u))
    argv = shlex.split(parser.get("Service", "ExecStart"))
    os.makedirs(STATE, exist_ok=True)
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            with open(os.path.join(STATE, u + ".pid"), "w") as handle:
                handle.write(str(os.getpid()))
            log = os.open(os.path.join(STATE, u + ".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.execv(argv[0], argv)
        os._exit(0)
    os.waitpid(child, 0)
    time.sleep(0.3)  # a daemon that dies at once failed to start
    if main_pid(u):
        return 0
    sys.stderr.write("Job for %s failed because the control process exited with error code.\n" % u)
    return 1


def stop(u):
    pid = main_pid(u)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for dummy in range(50):
            if not main_pid(u):
                break
            time.sleep(0.1)
    try:
        os.unlink(os.path.join(STATE, u + ".pid"))
    except OSError:
        pass
    return 0


def show(u, properties):
    pid = main_pid(u)
    values = {"Id": u, "Names": u, "LoadState": "loaded" if exists(u) else "not-found",
              "ActiveState": "active" if pid else "inactive", "SubState": "running" if pid else "dead",
              "UnitFileState": ("enabled" if enabled(u) else "disabled") if exists(u) else "",
              "MainPID": str(pid), "FragmentPath": os.path.join(UNITS, u) if exists(u) else ""}
    for key, value in values.items():
        if not properties or key in properties:
            print("%s=%s" % (key, value))
    return 0


def all_units():
    return sorted(u for u in os.listdir(UNITS) if u.endswith(".service")) if os.path.isdir(UNITS) else []


def main(argv):
    properties = [a.split("=", 1)[1] for a in argv if a.startswith("--property=")]
    args = [a for a in argv if not a.startswith("-")]
    if not args:
        return 0
    command, units = args[0], [unit(a) for a in args[1:]]
    if command in ("daemon-reload", "daemon-reexec"):
        return 0
    if command == "is-active":
        states = ["active" if main_pid(u) else "inactive" for u in units]
        print("\n".join(states))
        return 0 if all(s == "active" for s in states) else 3
    if command == "is-enabled":
        if not exists(units[0]):
            sys.stderr.write("Failed to get unit file state for %s: No such file or directory\n" % units[0])
            return 1
        print("enabled" if enabled(units[0]) else "disabled")
        return 0 if enabled(units[0]) else 1
    if command == "show":
        return show(units[0], properties)
    if command == "status":
        pid = main_pid(units[0])
        print("* %s\n     Active: %s\n   Main PID: %s" % (units[0], "active (running)" if pid else "inactive (dead)", pid or "-"))
        return 0 if pid else 3
    if command == "list-units":
        for u in all_units():
            pid = main_pid(u)
            print("%s loaded %s %s %s" % (u, "active" if pid else "inactive", "running" if pid else "dead", u))
        return 0
    if command == "list-unit-files":
        for u in all_units():
            print("%s %s enabled" % (u, "enabled" if enabled(u) else "disabled"))
        return 0
    if command in ("start", "stop", "restart", "reload", "try-restart", "enable", "disable"):
        for u in units:
            if not exists(u):
                sys.stderr.write("Failed to %s %s: Unit %s not found.\n" % (command, u, u))
                return 5
            if command in ("stop", "restart", "reload", "try-restart"):
                stop(u)
            if command in ("start", "restart", "reload", "try-restart") and start(u):
                return 1
            if command == "enable":
                open(os.path.join(STATE, u + ".enabled"), "w").close()
            if command == "disable" and enabled(u):
                os.unlink(os.path.join(STATE, u + ".enabled"))
        return 0
    sys.stderr.write("systemctl (lab): unsupported command %s\n" % command)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
