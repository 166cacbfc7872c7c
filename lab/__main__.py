"""``python -m lab up|down|serve|status``: the lab's command line (``make lab-up``/``make lab-down`` call it)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from .server import serve
from .world import SCENARIO_DIR, scenario_path


def _state(lab_dir):
    try:
        with open(os.path.join(lab_dir, "state.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def down(lab_dir, quiet=False):
    state = _state(lab_dir)
    if not state:
        if not quiet:
            print("no lab running in %s" % lab_dir)
        return 0
    pid = int(state["pid"])
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(100):
            if not alive(pid):
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
    try:
        os.unlink(os.path.join(lab_dir, "state.json"))
    except OSError:
        pass
    if not quiet:
        print("lab stopped (pid %d)" % pid)
    return 0


def scenarios():
    return sorted(name[:-5] for name in os.listdir(SCENARIO_DIR) if name.endswith(".yaml"))


def up(args):
    lab_dir = os.path.abspath(args.dir)
    if not os.path.exists(scenario_path(args.scenario)):
        sys.stderr.write("no scenario %r (lab/scenarios/%s.yaml); the scenarios are:\n  %s\n"
                         % (args.scenario, args.scenario, "\n  ".join(scenarios())))
        return 2
    state = _state(lab_dir)
    if state and alive(int(state["pid"])) and not args.replace:
        sys.stderr.write("a lab is already running in %s (pid %s, scenario %s): make lab-down first, or replace it with "
                         "make lab-up REPLACE=1 (python -m lab up --replace)\n"
                         % (lab_dir, state["pid"], state.get("scenario", "?")))
        return 2
    down(lab_dir, quiet=True)
    os.makedirs(lab_dir, exist_ok=True)
    for name in ("requests.jsonl", "state.json"):
        try:
            os.unlink(os.path.join(lab_dir, name))
        except OSError:
            pass
    command = [sys.executable, "-m", "lab", "serve", "--scenario", args.scenario, "--dir", lab_dir,
               "--bind", args.bind, "--ttl", str(args.ttl)]
    if args.speed is not None:
        command += ["--speed", str(args.speed)]
    if args.ssh:
        command += ["--ssh"]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p))
    with open(os.path.join(lab_dir, "lab.log"), "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        state = _state(lab_dir)
        if state and state.get("pid") == process.pid:
            print("lab up (scenario %s): settings in %s" % (args.scenario, os.path.join(lab_dir, "env.sh")))
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.05)
    with open(os.path.join(lab_dir, "lab.log"), encoding="utf-8", errors="replace") as log:
        sys.stderr.write(log.read()[-4000:])
    sys.stderr.write("the lab did not start (scenario %s)\n" % args.scenario)
    if process.poll() is None:
        process.kill()
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--scenario", default=os.environ.get("SCENARIO") or "default")
        p.add_argument("--dir", default=".lab")
        p.add_argument("--bind", default="127.0.0.1")
        p.add_argument("--ttl", type=float, default=float(os.environ.get("LAB_TTL", 7200)),
                       help="seconds after which the lab stops by itself")
        p.add_argument("--speed", type=float, help="simulated seconds per real second (overrides the scenario)")
        p.add_argument("--ssh", action="store_true", default=os.environ.get("LAB_SSH", "") not in ("", "0"),
                       help="run each scanner as an SSH host (needs root, unshare and sshd; also LAB_SSH=1)")
        p.add_argument("--replace", action="store_true", help="stop a lab already running in --dir first")
    for name in ("down", "status"):
        p = sub.add_parser(name)
        p.add_argument("--dir", default=".lab")
    args = parser.parse_args(argv)
    if args.command == "up":
        return up(args)
    if args.command == "serve":
        serve(args.scenario, args.dir, args.bind, args.ttl, args.speed, True if args.ssh else None)
        return 0
    if args.command == "down":
        return down(os.path.abspath(args.dir))
    state = _state(os.path.abspath(args.dir))
    if state and alive(int(state["pid"])):
        print("lab running in %s: scenario %s, pid %s; settings in %s" % (
            os.path.abspath(args.dir), state.get("scenario", "?"), state["pid"], os.path.join(args.dir, "env.sh")))
    else:
        print("no lab running in %s (make lab-up SCENARIO=name)" % os.path.abspath(args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
