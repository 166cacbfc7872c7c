#!/usr/bin/env python3
"""The ansible-core matrix (make matrix): every ansible-core minor the collection claims, tested.

From the minor ``meta/runtime.yml``'s ``requires_ansible`` names to the newest, each under a Python it supports,
in its own venv (``.venv-matrix/<minor>``, from ``requirements-matrix.txt``; 2.19 is the main ``.venv``):

* ``ansible-test sanity`` (no ignore files, ``.ci/sanity.sh``) for the partner certification set (2.16, 2.18,
  2.20); 2.19's is ``make sanity``; 2.17 and 2.21 are not checked by sanity (a minor between two certified ones, and
  the newest, whose sanity rules the next certification round will bring);
* the unit tests (``tests/unit``);
* the private-branch and compliance scenarios against the lab (plus the smoke run's zone-health scenario).

Versions run side by side (``MATRIX_JOBS``, default 1: ``make test`` runs the matrix beside its other gates, and
at 2 a scenario that waits for a lab server flaked under the load; at 3 on a busy machine, more did). Each
version's output is in ``tests/output/matrix/<minor>.log``; the table is printed and written to
``tests/output/matrix.json``, and README.md's table (between the ``matrix`` markers) is rewritten from it.
``make matrix`` fails if a version failed or if README.md's table differed from what was run.

  python .ci/matrix.py run [--versions 2.16,2.20]   # build the venvs, run, print + write the table, update README.md
  python .ci/matrix.py readme [--check]             # README.md's table from tests/output/matrix.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "output")
LOGS = os.path.join(OUT, "matrix")
RESULT = os.path.join(OUT, "matrix.json")
README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- matrix:begin (make matrix writes this table) -->", "<!-- matrix:end -->"

# Every ansible-core minor up to the newest, with the Python it runs under here (2.20+ require Python >= 3.12).
# A new ansible-core minor: add it here (make matrix then tests it and adds it to README.md).
MINORS = {"2.16": "3.11", "2.17": "3.11", "2.18": "3.11", "2.19": "3.11", "2.20": "3.12", "2.21": "3.12"}
MAIN = "2.19"  # the main toolchain's ansible-core (.venv, requirements-dev.txt): make sanity checks it
SANITY = ("2.16", "2.18", "2.20")  # the partner certification checker's sanity versions (2.19: make sanity)
SCENARIOS = ["tests/integration_py/test_private_branch.py", "tests/integration_py/test_scan_compliance.py"]
SMOKE_SCENARIO = "tests/integration_py/test_zone_health.py"  # make smoke's scenario, run on the newest minor
REQUIREMENTS = ["requirements-matrix.txt", "requirements.txt"]
# One ansible-test at a time, in a HOME of its own: two ansible-test runs create the same per-test venvs under
# ~/.ansible/test/venv (the same requirements hash on two versions), and make sanity may run beside the matrix.
SANITY_LOCK = threading.Lock()
# (outside the checkout, so that a fresh clone reuses ansible-test's per-test venvs like make sanity does)
SANITY_HOME = os.environ.get("MATRIX_SANITY_HOME") or os.path.expanduser("~/.cache/ansible-test-matrix")
# CPU-bound steps yield to the scenarios, which judge (simulated) times: make test runs the matrix beside other gates.
NICE = ["nice", "-n", "10"]


def requires_ansible():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        match = re.search(r"""^requires_ansible:\s*["']?>=\s*(\d+)\.(\d+)""", handle.read(), re.M)
    if not match:
        sys.exit("meta/runtime.yml: no requires_ansible: '>=X.Y...'")
    return "%s.%s" % match.groups()


def key(minor):
    return tuple(int(p) for p in minor.split("."))


def supported():
    low = requires_ansible()
    if low not in MINORS:
        sys.exit("requires_ansible names %s, which .ci/matrix.py's MINORS does not list" % low)
    return [m for m in sorted(MINORS, key=key) if key(m) >= key(low)]


def python_for(version):
    if version == "3.11":
        return os.environ.get("PYTHON") or shutil.which("python3.11") or sys.exit("no python3.11")
    path = os.environ.get("PY312") if version == "3.12" else None
    if not path:  # pyenv's python3.12 shim fails unless 3.12 is selected: use the interpreter itself
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        found = sorted(p for p in (os.path.join(root, "versions", d, "bin", "python" + version)
                                   for d in (os.listdir(os.path.join(root, "versions"))
                                             if os.path.isdir(os.path.join(root, "versions")) else ())
                                   if d.startswith(version)) if os.access(p, os.X_OK))
        path = found[-1] if found else shutil.which("python" + version)
    if not path:
        sys.exit("no Python %s found (set PY312=/path/to/python3.12)" % version)
    return path


def sh(cmd, log, env=None):
    """Run cmd, appending its output to the log file; return (exit status, seconds)."""
    start = time.monotonic()
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("\n$ %s\n" % " ".join(cmd))
        handle.flush()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    return proc.returncode, round(time.monotonic() - start)


def venv(minor, log):
    """The minor's venv, (re)installed only when its requirements changed; returns (bin dir, seconds)."""
    if minor == MAIN:
        return os.path.join(ROOT, ".venv", "bin"), 0  # make venv built it (make matrix depends on it)
    path = os.path.join(ROOT, ".venv-matrix", minor)
    pip = os.path.join(path, "bin", "pip")
    digest = hashlib.sha256(minor.encode())
    for name in REQUIREMENTS:
        with open(os.path.join(ROOT, name), "rb") as handle:
            digest.update(handle.read())
    stamp = os.path.join(path, ".installed")
    if os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == digest.hexdigest():
        return os.path.join(path, "bin"), 0
    start = time.monotonic()
    steps = [[python_for(MINORS[minor]), "-m", "venv", "--clear", path],
             [pip, "install", "-q", "-U", "pip"],
             [pip, "install", "-q", "ansible-core==%s.*" % minor, "-r", "requirements-matrix.txt"]]
    for cmd in steps:
        status, _ = sh(cmd, log)
        if status:
            raise RuntimeError("venv for ansible-core %s: %s failed (see %s)" % (minor, " ".join(cmd[:3]), log))
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(digest.hexdigest())
    return os.path.join(path, "bin"), round(time.monotonic() - start)


def junit_counts(path):
    """(passed, failed, skipped) from a pytest JUnit file."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def junit_failures(path, lines=12):
    """Each failing test's id and the last lines of its failure text, from a pytest JUnit file (printed when a
    version fails, so that the CI log names the test and its assertion, not only a count)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return []
    found = []
    for case in root.iter("testcase"):
        for child in case:
            if child.tag in ("failure", "error"):
                text = (child.text or child.get("message") or "").strip().splitlines()
                found.append({"test": "%s::%s" % (case.get("classname", ""), case.get("name", "")),
                              "kind": child.tag, "tail": text[-lines:]})
    return found


def sanity_counts(text):
    """(passed, failed, skipped) from ansible-test sanity's output."""
    ran = len(re.findall(r'^Running sanity test "[^"]+"', text, re.M))
    skipped = len(re.findall(r"^WARNING: Skipping sanity test", text, re.M))
    match = re.search(r"^FATAL: The (\d+) sanity test\(s\) listed below \(out of \d+\) failed", text, re.M)
    failed = int(match.group(1)) if match else 0
    return ran - failed, failed, skipped


def run_pytest(minor, binpath, name, paths, workers, log, env):
    junit = os.path.join(LOGS, "%s-%s.xml" % (minor, name))
    if os.path.exists(junit):
        os.remove(junit)
    cmd = [os.path.join(binpath, "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfs",
           "-n", str(workers), "--junitxml", junit] + paths
    # the scenarios are not niced: their lab servers run in the pytest process, and a niced lab answered a Nessus probe
    # too late on a loaded machine (a scanner read as down in a clean-clone run)
    status, seconds = sh((NICE if name == "units" else []) + cmd, log, env)
    counts = junit_counts(junit)
    if counts is None:
        return {"passed": 0, "failed": 1, "skipped": 0, "seconds": seconds,
                "note": "no JUnit report (exit %d)" % status}
    passed, failed, skipped = counts
    if status and not failed:  # pytest failed without a failing test (collection error, crashed worker)
        failed = 1
    return {"passed": passed, "failed": failed, "skipped": skipped, "seconds": seconds,
            "failures": junit_failures(junit) if failed else []}


def run_version(minor, newest):
    log = os.path.join(LOGS, "%s.log" % minor)
    open(log, "w", encoding="utf-8").close()
    row = {"version": minor, "python": MINORS[minor]}
    start = time.monotonic()
    try:
        binpath, row["venv_seconds"] = venv(minor, log)
    except RuntimeError as exc:
        row.update(error=str(exc), seconds=round(time.monotonic() - start))
        return row
    out = subprocess.run([os.path.join(binpath, "python"), "-c",
                          "import ansible, sys; print(ansible.__version__, '%d.%d.%d' % sys.version_info[:3])"],
                         capture_output=True, text=True, check=False).stdout.split()
    row["ansible_core"], row["python_full"] = (out + ["?", "?"])[:2]
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([binpath, os.path.dirname(python_for(MINORS[minor])), env.get("PATH", "")])
    env.pop("VIRTUAL_ENV", None)
    if minor in SANITY:
        sanity_log = os.path.join(LOGS, "%s-sanity.log" % minor)
        open(sanity_log, "w", encoding="utf-8").close()
        home = dict(env, SANITY_PYTHON=MINORS[minor], HOME=SANITY_HOME,
                    PIP_CACHE_DIR=env.get("PIP_CACHE_DIR") or os.path.expanduser("~/.cache/pip"))
        with SANITY_LOCK:
            status, seconds = sh(NICE + ["bash", ".ci/sanity.sh"], sanity_log, home)
        with open(sanity_log, encoding="utf-8") as handle:
            text = handle.read()
        passed, failed, skipped = sanity_counts(text)
        if status and not failed:
            failed = 1
        row["sanity"] = {"passed": passed, "failed": failed, "skipped": skipped, "seconds": seconds}
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        row["sanity"] = {"by": "make sanity"} if minor == MAIN else None
    if minor == MAIN and os.environ.get("MATRIX_MAIN_BY_GATES") == "1":  # make test: its units and scenarios gates
        row["units"], row["scenarios"] = {"by": "make units"}, {"by": "make scenarios"}
        row["seconds"] = round(time.monotonic() - start)
        return row
    row["units"] = run_pytest(minor, binpath, "units", ["tests/unit"], 2, log, env)
    paths = SCENARIOS + ([SMOKE_SCENARIO] if minor == newest else [])
    row["scenarios"] = run_pytest(minor, binpath, "scenarios", paths, int(os.environ.get("SCENARIO_WORKERS", "4")),
                                  log, env)
    row["seconds"] = round(time.monotonic() - start)
    return row


def failed(row):
    return bool(row.get("error")) or any((row.get(k) or {}).get("failed") for k in ("sanity", "units", "scenarios"))


def cell(result):
    if result is None:
        return "-"
    if "by" in result:
        return result["by"]
    return "%d passed, %d failed" % (result["passed"], result["failed"]) + (
        ", %d skipped" % result["skipped"] if result.get("skipped") else "")


def table(rows):
    head = ["ansible-core", "Python", "sanity", "units", "scenarios", "time"]
    lines = [[r.get("ansible_core", r["version"]), r.get("python_full", r["python"]),
              "ERROR" if r.get("error") else cell(r.get("sanity")), cell(r.get("units")), cell(r.get("scenarios")),
              "%d s" % r.get("seconds", 0)] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *lines)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    return "\n".join([fmt % tuple(head), fmt % tuple("-" * w for w in widths)] + [fmt % tuple(x) for x in lines])


def readme_table(data):
    """README.md's table: which minor was tested how, under which Python. No counts, no patch releases and no
    verdicts (they change every run; make matrix fails when a version fails): it changes when what is run does."""
    lines = ["| ansible-core | Python | `ansible-test sanity` | unit tests | private-branch and compliance scenarios |",
             "|---|---|---|---|---|"]
    for r in data["rows"]:
        sanity = r.get("sanity")
        cells = [r["version"], r["python"],
                 "no" if sanity is None else "yes" + (" (`%s`)" % sanity["by"] if "by" in sanity else ""),
                 "yes" if r.get("units") else "no", "yes" if r.get("scenarios") else "no"]
        lines.append("| %s |" % " | ".join(cells))
    return "\n".join(lines)


def readme(check=False):
    """Rewrite README.md's table from tests/output/matrix.json; return True if it was already up to date."""
    with open(RESULT, encoding="utf-8") as handle:
        data = json.load(handle)
    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    if BEGIN not in text or END not in text:
        sys.exit("README.md has no %s ... %s markers" % (BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + readme_table(data) + "\n" + END + tail
    if new == text:
        return True
    if not check:
        with open(README, "w", encoding="utf-8") as handle:
            handle.write(new)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run")
    run.add_argument("--versions", help="comma-separated minors (default: every supported one)")
    run.add_argument("--jobs", type=int, default=int(os.environ.get("MATRIX_JOBS", "1")))
    check = sub.add_parser("readme")
    check.add_argument("--check", action="store_true", help="fail if README.md's table differs from the last run")
    args = parser.parse_args()
    if args.cmd == "readme":
        same = readme(check=args.check)
        if not same:
            how = "differs from" if args.check else "was rewritten from"
            print("README.md's ansible-core table %s what make matrix ran" % how)
        return 0 if same or not args.check else 1

    versions = supported()
    newest = versions[-1]
    chosen = args.versions.split(",") if args.versions else versions
    unknown = [v for v in chosen if v not in versions]
    if unknown:
        sys.exit("not a supported minor: %s (supported: %s)" % (", ".join(unknown), ", ".join(versions)))
    os.makedirs(LOGS, exist_ok=True)
    start = time.monotonic()
    print("== ansible-core %s (supported: %s to %s), %d at a time; logs in tests/output/matrix/" % (
        ", ".join(chosen), versions[0], newest, args.jobs), flush=True)
    rows = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        # the sanity versions first: their ansible-test runs queue on one lock while the others run beside them
        order = sorted(chosen, key=lambda v: (v not in SANITY, key(v)))
        futures = {pool.submit(run_version, v, newest): v for v in order}
        for future in concurrent.futures.as_completed(futures):
            row = future.result()
            rows[row["version"]] = row
            print("   %s: %s in %d s" % (row["version"], "FAILED" if failed(row) else "passed", row.get("seconds", 0)),
                  flush=True)
    ordered = [rows[v] for v in chosen]
    data = {"requires_ansible": ">=%s" % versions[0], "seconds": round(time.monotonic() - start), "rows": ordered,
            "complete": chosen == versions}
    with open(RESULT, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    print()
    print(table(ordered))
    print("\nmatrix: %d s (table in tests/output/matrix.json)" % data["seconds"])
    status = 0
    bad = [r["version"] for r in ordered if failed(r)]
    if bad:
        print("FAILED on ansible-core %s: see tests/output/matrix/<version>.log" % ", ".join(bad))
        for row in ordered:
            for name in ("units", "scenarios"):
                for failure in (row.get(name) or {}).get("failures", []):
                    print("\n-- %s %s %s: %s" % (row["version"], name, failure["kind"], failure["test"]))
                    print("\n".join("   " + line for line in failure["tail"]))
        status = 1
    if data["complete"] and not readme():
        print("README.md's ansible-core table differed from what was run: rewritten, commit it")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
