"""Soak (make bench): 50 consecutive runs of the daily compliance check against one lab with 1% injected 5xx.

The lab runs as users run it (``python -m lab up``, a background process); every request to any of its systems
has a 1% chance of a 503 (a seeded generator: the same requests fail on every soak). Each run is the whole job -
``ansible-playbook playbooks/scan_compliance.yml`` with its report, JUnit file, GitHub issue (opened by the first
run, commented on by the others) and PagerDuty alert. The PagerDuty event carries a dedup key and is retried; a
GitHub POST whose answer is lost is looked up before it is sent again. Any duplicate issue fails the soak.
Prints: runs, failures (target 0), requests, 5xx injected, and the lab process's open files and threads after the
first run and after the last (target: no growth), and whether anything is left running after ``lab down``.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNS = int(os.environ.get("SOAK_RUNS", 50))
RATE = float(os.environ.get("SOAK_5XX_RATE", 0.01))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, ROOT)

from lab.__main__ import alive  # noqa: E402  the check `lab down` itself makes


def lab(*args):
    subprocess.run([sys.executable, "-m", "lab"] + list(args), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def usage(pid):
    """Open file descriptors and threads of a process."""
    with open("/proc/%d/status" % pid, encoding="utf-8") as handle:
        threads = int(next(line.split()[1] for line in handle if line.startswith("Threads:")))
    return len(os.listdir("/proc/%d/fd" % pid)), threads


def main():
    work = tempfile.mkdtemp(prefix="bench-soak-")
    lab_dir = os.path.join(work, "lab")
    lab("up", "--scenario", "default", "--dir", lab_dir)
    with open(os.path.join(lab_dir, "env.json"), encoding="utf-8") as handle:
        settings = json.load(handle)
    with open(os.path.join(lab_dir, "state.json"), encoding="utf-8") as handle:
        pid = int(json.load(handle)["pid"])
    failures, seconds, seen = [], [], {}
    try:
        body = json.dumps({"probability": RATE, "seed": 11, "action": {"status": 503}}).encode()
        request = urllib.request.Request(settings["LAB_ADMIN_URL"] + "/faults", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=settings["TSC_CA_PATH"]),
                                    timeout=10):  # loopback only
            pass
        env = dict(os.environ, **settings, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        for run in range(1, RUNS + 1):
            started = time.perf_counter()
            proc = subprocess.run(
                [os.path.join(BIN, "ansible-playbook"), "playbooks/scan_compliance.yml",
                 "-e", json.dumps({"scan_compliance_report_dir": os.path.join(work, "reports"),
                                   "scan_compliance_pagerduty": True, "scan_compliance_github_issue": True})],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
            seconds.append(time.perf_counter() - started)
            if proc.returncode != 0:
                failures.append((run, (proc.stdout + proc.stderr)[-1500:]))
            if run in (1, RUNS):
                time.sleep(1)  # let the lab close the run's connections before counting
                seen[run] = usage(pid)
        with open(settings["LAB_REQUEST_LOG"], encoding="utf-8") as handle:
            logged = [json.loads(line) for line in handle if line.strip()]
        issues = sum(1 for entry in logged if entry["method"] == "POST" and entry["path"].endswith("/issues")
                     and entry["status"] == 201)
    finally:
        lab("down", "--dir", lab_dir)
    deadline = time.time() + 10
    while alive(pid) and time.time() < deadline:
        time.sleep(0.1)
    left = alive(pid)
    if left:
        os.kill(pid, signal.SIGKILL)
    injected = sum(1 for entry in logged if entry["fault"])
    figures = {
        "runs": RUNS, "failures": len(failures), "requests": len(logged), "injected_5xx": injected,
        "issues_opened": issues,
        "run_seconds_median": round(statistics.median(seconds), 2),
        "lab_open_files_after_first_run": seen[1][0], "lab_open_files_after_last_run": seen[RUNS][0],
        "lab_threads_after_first_run": seen[1][1], "lab_threads_after_last_run": seen[RUNS][1],
        "lab_process_left_after_down": left,
    }
    print("soak: %d compliance runs, 1 lab, %.0f%% injected 5xx" % (RUNS, RATE * 100))
    print(json.dumps(figures, indent=2))
    for run, tail in failures:
        print("run %d failed:\n%s" % (run, tail))
    grew = seen[RUNS][0] > seen[1][0] or seen[RUNS][1] > seen[1][1]
    print("failures %d, 5xx injected %d of %d requests, lab open files %d -> %d, threads %d -> %d, left running: %s"
          % (len(failures), injected, len(logged), seen[1][0], seen[RUNS][0], seen[1][1], seen[RUNS][1], left))
    if failures or grew or left or not injected or issues != 1:
        raise SystemExit("soak: FAILED")
    print("soak: OK")


if __name__ == "__main__":
    main()
