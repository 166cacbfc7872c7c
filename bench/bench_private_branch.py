"""Benchmarks of the private-scan branch (make bench).

Overhead: the lab runs in real time (speed 1) with scripted waits that total 60 s - the first resubmission is
given up on after 10 s (the zone's scanner is dead), the soft reboot takes the machine down 10 s, boots it in
20 s and loads Nessus in 10 s, and the resubmitted scan then queues 5 s and prepares 5 s before it scans. The
branch's wall time divided by 60 s is its overhead (issue target <= 1.10). Since sc_scan_launch stops following
at once when Security Center shows the zone's scanner not working (stop_on_bad_scanner), the first 10 s are no
longer waited: the waits the run really spends are the reboot's 40 s and the resubmitted scan's 10 s, 50 s, and
the lab starts the resubmitted run's queue time when it is first looked at after the zone works again (not when
the scanner comes back), so the work in between adds to the wall time. BENCH_PROFILE=1 prints both.

Fan-out: remediate.yml for the failing private scans of all 9 private zones in one run (resubmitted and followed
together in one task; zones whose scans still fail are healed side by side, one host each), against one zone
(scanners healthy, resubmission only, lab at speed 300).
Target <= 1.15x.

Every figure is printed with the machine's load average (1, 5, 15 min) when it was taken: on a shared machine a
figure taken under load is not comparable to one taken on an idle machine.

BENCH_PROFILE=1: the overhead run also enables the profile_tasks and profile_roles callbacks (ansible.posix, taken
from the ansible package's wheel in .venv/wheels) and writes their output, the playbook's output and a summary of
where the time beyond the scripted waits goes (per task, per role, per module start-up, per wait) next to the
lab's request log; the summary is printed. BENCH_SKIP_FANOUT=1 skips the fan-out runs. BENCH_ROUNDS=N repeats the
overhead and the fan-out measurements N times (each figure with its load).
"""

from __future__ import annotations

import collections
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import conftest  # noqa: E402,F401  pylint: disable=unused-import
from labtools import LabRun  # noqa: E402

PRIVATE = ["ALC_Dev_MON01", "ALC_PreStage_MON01", "ALC_Stage_DAL09", "ALC_stgiks_DAL10", "ALC_Prod_TOK02",
           "ALC_Prod_DAL09", "ALC_Prod_WDC06", "ALC_Prod_LON02", "ALC_Sup_WDC04"]
SCRIPTED_WAITS = 60.0
OVERHEAD_TARGET = 1.10
FANOUT_TARGET = 1.15
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 1))
# BENCH_VERBOSITY=0: run the playbooks at that verbosity instead of the tests' -vvv (the output of large results
# costs wall time at -vvv: the nine zones' follow prints about 0.5 MB)
VERBOSITY = os.environ.get("BENCH_VERBOSITY") or None


def load():
    """The machine's load average (1, 5, 15 minutes), printed beside every figure."""
    return tuple(round(value, 2) for value in os.getloadavg())


def scenario(path, spec):
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(spec, handle)
    return path


def profile_env(work, timeline="timeline.jsonl"):
    """Callbacks for a profiled run: profile_tasks/profile_roles (ansible.posix, from the bundled ansible wheel) and
    the bench's own timeline (bench/callback/bench_timeline.py)."""
    enabled = ["bench_timeline"]
    env = {"ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback"), "BENCH_TIMELINE": os.path.join(work, timeline),
           "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all", "PROFILE_TASKS_SORT_ORDER": "descending"}
    wheels = glob.glob(os.path.join(ROOT, ".venv", "wheels", "ansible-*.whl"))
    if wheels:
        target = os.path.join(work, "collections")
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in wheel.namelist():
                if name.startswith("ansible_collections/ansible/posix/") and (
                        "/plugins/callback/" in name or name.endswith(("MANIFEST.json", "FILES.json", "runtime.yml"))):
                    wheel.extract(name, target)
        env["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join([target, os.path.join(ROOT, ".venv", "collections")])
        enabled += ["ansible.posix.profile_tasks", "ansible.posix.profile_roles"]
    env["ANSIBLE_CALLBACKS_ENABLED"] = ",".join(enabled)
    return env


def timed(lab, playbook, variables, env=None, output=None):
    started_wall = time.time()
    started = time.perf_counter()
    if VERBOSITY is None:  # as the scenario tests run playbooks (-vvv: all a user may show in a ticket)
        proc = lab.playbook(playbook, "-i", lab.settings["LAB_INVENTORY"], extra_vars=variables, env=env, timeout=1800)
    else:
        cmd, run_env = lab.command(playbook, "-i", lab.settings["LAB_INVENTORY"], extra_vars=variables, env=env)
        run_env["ANSIBLE_VERBOSITY"] = VERBOSITY
        proc = subprocess.run(cmd, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.perf_counter() - started
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        print(proc.stdout[-2000:])
        raise SystemExit("%s failed" % playbook)
    return elapsed, started_wall, started_wall + elapsed


def overhead(work, label="overhead"):
    path = scenario(os.path.join(work, label + ".yaml"), {
        "extends": "default",
        "overrides": [{"scan": "ALC_Prod_WDC06_private_import", "set": {"launch": {"queue": 5, "prepare": 5}}}],
        "classic": {"machines": {"prod-wdc06-infra-nessus-01": {
            "nessusd": "stopped", "heals": {"rebootSoft": "running"}, "down_seconds": 10, "boot_seconds": 20,
            "loading_seconds": 10}}},
    })
    lab = LabRun(path, os.path.join(work, "lab-" + label), speed=1)
    env = profile_env(work) if PROFILE else None
    try:
        seconds, began, ended = timed(lab, "playbooks/remediate_private_scan.yml", {
            "zone": "ALC_Prod_WDC06_SZ", "remediation_record_dir": os.path.join(work, "records"),
            "remediate_private_scan_wait_timeout": 10, "remediate_private_scan_poll_interval": 1,
            "remediate_private_scan_poll_max_interval": 2, "reboot_ladder_poll_interval": 1,
            "reboot_ladder_nessus_timeout": 120, "reboot_ladder_sc_timeout": 60},
            env=env, output=os.path.join(work, label + ".out") if PROFILE else None)
        requests = lab.requests()
        launched = [(run.id, run.created, run.ready_at) for run in lab.sc.runs.values() if run.zone_ready is not None]
    finally:
        lab.stop()
    if PROFILE:
        report(work, seconds, began, ended, requests)
        waits(began, requests, launched)
    return seconds


def report(work, seconds, began, ended, requests, timeline="timeline.jsonl"):
    """Where the wall time beyond the scripted waits goes, from the timeline and the lab's request log."""
    with open(os.path.join(work, timeline), encoding="utf-8") as handle:
        events = [json.loads(line) for line in handle if line.strip()]
    starts = [e for e in events if e["event"] in ("task_start", "stats", "include")]
    first = next(e["t"] for e in events if e["event"] == "task_start")
    stats = next((e["t"] for e in events if e["event"] == "stats"), ended)
    print("profile: %.1f s total; ansible-playbook start-up (process start to first task) %.2f s; "
          "after the last task (stats to exit) %.2f s" % (seconds, first - began, ended - stats))
    # each task's span: from its start to the next task's (or include's) start; that covers its results, its
    # retries and delays, and the controller's work before the next task (conditionals, templating, includes)
    spans = []
    task_events = [e for e in starts if e["event"] in ("task_start", "stats")]
    for index, event in enumerate(task_events[:-1]):
        if event["event"] != "task_start":
            continue
        following = task_events[index + 1]["t"]
        results = [e for e in events if e["event"] == "result" and e["uuid"] == event["uuid"] and event["t"] <= e["t"] <= following]
        done = max((e["t"] for e in results), default=event["t"])
        statuses = collections.Counter(e["status"] for e in results)
        retries = statuses.get("retry", 0)
        spans.append({"task": event["task"], "action": event["action"], "role": event["role"], "span": following - event["t"],
                      "run": done - event["t"], "after": following - done, "retries": retries,
                      "skipped": bool(results) and set(statuses) <= {"skipped", "item_skipped"},
                      "ran": bool(results) and not set(statuses) <= {"skipped", "item_skipped"}})
    by_action = collections.defaultdict(lambda: [0, 0.0, 0])
    for span in spans:
        key = span["action"] + (" (skipped)" if span["skipped"] else "")
        by_action[key][0] += 1
        by_action[key][1] += span["span"]
        by_action[key][2] += span["retries"]
    print("per action (tasks, seconds incl. the controller's work up to the next task, until-retries):")
    for key, (count, total, retries) in sorted(by_action.items(), key=lambda kv: -kv[1][1]):
        extra = ", %d retries" % retries if retries else ""
        print("  %-55s %3d tasks %7.2f s  %.2f s/task%s" % (key, count, total, total / count, extra))
    by_role = collections.defaultdict(float)
    for span in spans:
        by_role[span["role"] or "(playbook)"] += span["span"]
    print("per role: " + ", ".join("%s %.1f s" % kv for kv in sorted(by_role.items(), key=lambda kv: -kv[1])))
    includes = [e for e in events if e["event"] == "include"]
    print("includes: %d (%s)" % (len(includes), ", ".join(sorted({os.path.basename(e["path"]) for e in includes}))))
    print("slowest tasks (span = run + controller's work after):")
    for span in sorted(spans, key=lambda x: -x["span"])[:15]:
        print("  %6.2f s = %6.2f run + %5.2f after  %s [%s]%s" % (span["span"], span["run"], span["after"], span["task"][:90],
                                                                  span["action"].split(".")[-1],
                                                                  " retries %d" % span["retries"] if span["retries"] else ""))
    ran = [x for x in spans if x["ran"]]
    skipped = [x for x in spans if x["skipped"]]
    module = [x for x in ran if x["action"].startswith("conductors.")]
    short = [x["run"] for x in module if x["run"] < 3 and not x["retries"]]
    print("tasks: %d started, %d ran, %d skipped (%.2f s in skipped tasks); %d collection module tasks, "
          "%d of them short (< 3 s, no retry): median %.2f s, sum %.2f s (module start-up and its requests); "
          "controller's work between tasks %.2f s"
          % (len(spans), len(ran), len(skipped), sum(x["span"] for x in skipped), len(module), len(short),
             statistics.median(short) if short else 0, sum(short), sum(x["after"] for x in spans)))
    lab_requests = collections.Counter("%s %s" % (r["system"], r["method"]) for r in requests)
    print("lab requests: %s" % ", ".join("%s %d" % kv for kv in lab_requests.most_common()))
    profile = timeline.replace("timeline", "profile").replace(".jsonl", ".json")
    with open(os.path.join(work, profile), "w", encoding="utf-8") as handle:
        json.dump({"spans": spans, "requests": requests, "began": began, "ended": ended}, handle)
    print("profile files: %s (%s, %s, the playbook's output in *.out)" % (work, timeline, profile))


def waits(began, requests, launched):
    """The scripted waits the run actually spent, from the lab's request log (wall times from the playbook's start)."""
    sim_offset = statistics.median(r["t"] - r["sim"] for r in requests)  # speed 1: simulated = wall - offset

    def at(entry_t):
        return entry_t - began
    reboot = next((r for r in requests if r["path"].endswith("/rebootSoft.json")), None)
    if reboot is not None:
        ready = next((r for r in requests if r["system"] == "nessus" and r["status"] == 200 and r["t"] > reboot["t"]), None)
        print("reboot: command at %.2f s, Nessus first answered ready at %s (scripted 40 s from the command)"
              % (at(reboot["t"]), "%.2f s" % at(ready["t"]) if ready else "never"))
    for rid, created, ready_at in launched:
        polls = [r for r in requests if r["path"] == "/rest/scanResult/%d" % rid]
        print("resubmitted run #%d: launched at %.2f s, its zone read ready by the lab at %s (the 10 s of queue and "
              "prepare start then), last poll at %s" % (
                  rid, at(created + sim_offset), "%.2f s" % at(ready_at + sim_offset) if ready_at else "never",
                  "%.2f s" % at(polls[-1]["t"]) if polls else "none"))


def fan_out(work):
    path = scenario(os.path.join(work, "fanout.yaml"), {
        "extends": "default",
        "overrides": [{"scan": zone + "_private_import", "set": {"latest": "missing"}} for zone in PRIVATE],
        "classic": {"machines": {"prod-wdc06-infra-nessus-01": {"nessusd": "running"}}},
    })
    fast = {"remediate_private_scan_poll_interval": 0.5, "remediate_private_scan_poll_max_interval": 1,
            "remediation_record_dir": os.path.join(work, "records")}
    times = {}
    for label, scans in (("one zone", PRIVATE[-3:-2]), ("nine zones", PRIVATE)):
        lab = LabRun(path, os.path.join(work, "lab-" + label.replace(" ", "-")), speed=300)
        timeline = "timeline-%s.jsonl" % label.replace(" ", "-")
        env = profile_env(work, timeline) if PROFILE else None
        try:
            alert = "[%s]" % " ".join(zone + "_private_import" for zone in scans)
            times[label], began, ended = timed(lab, "playbooks/remediate.yml", dict(fast, alert=alert), env=env,
                                               output=os.path.join(work, "fanout-%s.out" % label.replace(" ", "-"))
                                               if PROFILE else None)
            requests = lab.requests()
        finally:
            lab.stop()
        if PROFILE:
            print("== fan-out, %s (%.1f s):" % (label, times[label]))
            report(work, times[label], began, ended, requests, timeline)
    return times


def main():
    figures = {"overhead": [], "fanout": []}
    for round_ in range(ROUNDS):
        work = tempfile.mkdtemp(prefix="bench-private-")
        before = load()
        seconds = overhead(work)
        ratio = seconds / SCRIPTED_WAITS
        after = load()
        figures["overhead"].append({"seconds": round(seconds, 1), "ratio": round(ratio, 3), "load_before": before,
                                    "load_after": after})
        print("private branch overhead: %.1f s for %d s of scripted waits, ratio %.2f (target <= %.2f: %s); "
              "load average %s before, %s after" % (seconds, SCRIPTED_WAITS, ratio, OVERHEAD_TARGET,
                                                    "met" if ratio <= OVERHEAD_TARGET else "MISSED", before, after),
              flush=True)
        if os.environ.get("BENCH_SKIP_FANOUT", "") not in ("", "0"):
            continue
        before = load()
        times = fan_out(work)
        after = load()
        fan = times["nine zones"] / times["one zone"]
        figures["fanout"].append({"one_zone_seconds": round(times["one zone"], 1),
                                  "nine_zones_seconds": round(times["nine zones"], 1), "ratio": round(fan, 3),
                                  "load_before": before, "load_after": after})
        print("fan-out: one zone %.1f s, nine zones %.1f s, ratio %.2fx (target <= %.2fx: %s); load average %s before, "
              "%s after" % (times["one zone"], times["nine zones"], fan, FANOUT_TARGET,
                            "met" if fan <= FANOUT_TARGET else "MISSED", before, after), flush=True)
    if ROUNDS > 1:
        print("medians over %d rounds: overhead ratio %.2f%s" % (
            ROUNDS, statistics.median(x["ratio"] for x in figures["overhead"]),
            ", fan-out ratio %.2fx" % statistics.median(x["ratio"] for x in figures["fanout"]) if figures["fanout"] else ""))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
