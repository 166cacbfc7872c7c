"""Helpers for tests that run against the lab: start one in-process, read what it recorded, run playbooks."""

from __future__ import annotations

import json
import os
import time
import subprocess
import sys
import urllib.request
import ssl

from lab.server import Lab

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LabRun:
    """A lab started in this process for one test; ``stop()`` ends it."""

    def __init__(self, scenario, lab_dir, speed=None):
        self.lab = Lab(scenario, str(lab_dir), speed=speed).start()
        self.dir = str(lab_dir)
        self.settings = self.lab.settings()
        self.world = self.lab.world
        self.sc = self.lab.world.sc
        self.outputs = []  # what every playbook run printed, searched for secrets when the test ends
        self._violations_taken = 0

    def violations(self):
        """The contract violations the lab counted (requests the vendors refuse, answers that do not fit), in order."""
        return self.world.violations.read()[self._violations_taken:]

    def take_violations(self):
        """The violations so far, taken: a test that sends a refused request on purpose asserts on them here;
        the ones not taken fail the test when it ends."""
        seen = self.world.violations.read()
        taken, self._violations_taken = seen[self._violations_taken:], len(seen)
        return taken

    def stop(self):
        self.lab.stop()

    def requests(self, system=None):
        """Every request the lab recorded, in order, optionally for one system."""
        with open(self.settings["LAB_REQUEST_LOG"], encoding="utf-8") as handle:
            entries = [json.loads(line) for line in handle if line.strip()]
        return [e for e in entries if system is None or e["system"] == system]

    def calls(self, system=None):
        """``METHOD path`` for each recorded request."""
        return ["%s %s" % (e["method"], e["path"]) for e in self.requests(system)]

    def secrets(self):
        with open(os.path.join(self.dir, "secrets.json"), encoding="utf-8") as handle:
            return json.load(handle)

    def env(self, **extra):
        env = dict(os.environ)
        env.update(self.settings)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def admin(self, path, body=None, method="POST"):
        """Call a ``/_lab/`` hook (faults, clock, sessions)."""
        ctx = ssl.create_default_context(cafile=self.settings["TSC_CA_PATH"])
        data = json.dumps(body or {}).encode() if method != "GET" else None
        req = urllib.request.Request(self.settings["LAB_ADMIN_URL"] + "/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:  # loopback only
            return json.loads(resp.read() or b"{}")

    @staticmethod
    def controller_now():
        """The controller's clock as ``ansible-playbook`` reads it here (shifted by CONTROLLER_CLOCK_SHIFT, libfaketime's
        relative offset such as ``+400d``): what a run compares the times it wrote itself with, such as a lease's."""
        shift = os.environ.get("CONTROLLER_CLOCK_SHIFT") or "+0"
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}
        number, unit = (shift[:-1], shift[-1]) if shift[-1] in units else (shift, "s")
        return time.time() + float(number) * units[unit]

    def command(self, playbook, *args, extra_vars=None, env=None):
        """The ``ansible-playbook`` command line and environment for a playbook of the checkout against this lab."""
        bindir = os.path.dirname(sys.executable)
        cmd = [os.path.join(bindir, "ansible-playbook"), os.path.join(REPO_ROOT, playbook)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        cmd += list(args)
        shift = os.environ.get("CONTROLLER_CLOCK_SHIFT")
        if shift:  # the controller's clock moved (libfaketime), the lab's not: nothing may judge by the controller's
            cmd = ["faketime", "-f", shift] + cmd
        # every scenario runs at -vvv: the most a user shows in a ticket is what is searched for secrets
        run_env = self.env(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
                           ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_VERBOSITY="3",
                           ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                           **dict({"NESSUS_COMPLIANCE_RECORD_DIR": os.path.join(self.dir, "records")}, **(env or {})))
        return cmd, run_env

    def playbook(self, playbook, *args, extra_vars=None, env=None, timeout=600):
        """Run ``ansible-playbook`` from the checkout against this lab; returns the CompletedProcess."""
        cmd, run_env = self.command(playbook, *args, extra_vars=extra_vars, env=env)
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=run_env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        self.outputs.append(proc.stdout + proc.stderr)
        return proc

    def leaked(self, *texts):
        """The secrets the lab handed out that appear in ``texts``, the playbook output or the lab's request log."""
        with open(self.settings["LAB_REQUEST_LOG"], encoding="utf-8") as handle:
            written = "".join(texts) + "".join(self.outputs) + handle.read()
        return [secret for secret in self.secrets() if secret and secret in written]

    def start_playbook(self, playbook, *args, extra_vars=None, env=None, output=None):
        """Start ``ansible-playbook`` in a session of its own (``os.killpg`` ends it and its workers); returns the Popen."""
        cmd, run_env = self.command(playbook, *args, extra_vars=extra_vars, env=env)
        return subprocess.Popen(cmd, cwd=REPO_ROOT, env=run_env, stdout=output, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                text=True, start_new_session=True)
