# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The remediation record: what a run found, did and left for a human. Pure functions and one writer.

The record is the run's own evidence. It is written after every entry, JSON and Markdown side by side,
each through a temporary file and an atomic rename, so that a run that stops half-way (a timeout, a
killed job) leaves a whole file describing everything up to that point.
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import secrets
import tempfile

KINDS = (("found", "Found"), ("done", "Done"), ("left", "Left for a human"))


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_record(branch, subject, play="", check_mode=False, now=None):
    now = now or utc_now()
    run_id = "%s-%s" % (now.replace("-", "").replace(":", ""), secrets.token_hex(3))
    return {"run_id": run_id, "branch": branch, "subject": subject, "play": play, "check_mode": bool(check_mode),
            "started": now, "finished": None, "outcome": None, "entries": []}


def add_entry(record, kind, step, text, details=None, now=None):
    if kind not in dict(KINDS):
        raise ValueError("kind must be one of %s, not %r" % (", ".join(k for k, dummy in KINDS), kind))
    entry = {"at": now or utc_now(), "kind": kind, "step": step, "text": " ".join(str(text).split()),
             "details": details or {}}
    return dict(record, entries=list(record.get("entries") or []) + [entry])


def finish(record, outcome, now=None):
    return dict(record, finished=now or utc_now(), outcome=" ".join(str(outcome).split()))


def markdown(record):
    title = "### Remediation %s: %s - %s" % (record["run_id"], record["branch"], record["subject"])
    if record.get("check_mode"):
        title += " (check mode: nothing was changed)"
    finished = (", finished %s" % record["finished"]) if record.get("finished") else ""
    lines = [title, "", "Play `%s`, started %s%s." % (record.get("play", ""), record["started"], finished), ""]
    for kind, title in KINDS:
        entries = [e for e in record.get("entries") or [] if e["kind"] == kind]
        if entries:
            lines += ["**%s**" % title, ""] + ["- %s - %s: %s" % (e["at"], e["step"], e["text"]) for e in entries] + [""]
    if record.get("outcome"):
        lines += ["**Outcome:** %s" % record["outcome"], ""]
    return "\n".join(lines)


def paths(directory, record):
    base = os.path.join(directory, "remediation-%s" % record["run_id"])
    return base + ".json", base + ".md"


def _atomic_write(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o640)  # what a run found and did: for the team, not for every user of the machine
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write(directory, record):
    """Write the record as JSON and Markdown; returns both paths."""
    os.makedirs(directory, mode=0o755, exist_ok=True)
    json_path, md_path = paths(directory, record)
    _atomic_write(json_path, json.dumps(record, indent=2, sort_keys=False, default=str) + "\n")
    _atomic_write(md_path, markdown(record))
    return json_path, md_path


def load_all(directory, on_error=None):
    """Each record of ``directory`` as (path, record), in file-name order; ``on_error(path, exc)`` hears of a file
    that cannot be read, which is skipped."""
    for path in sorted(glob.glob(os.path.join(directory, "remediation-*.json"))):
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError) as exc:
            if on_error is not None:
                on_error(path, exc)
            continue
        yield path, record


def unfinished(directory, branch, subject, since_hours=24.0, now=None):
    """Records of the same branch and subject, not in check mode, started in the last ``since_hours`` and never
    closed: runs that were interrupted (or are still running elsewhere). Oldest first; unreadable files are skipped."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    cutoff = (now - datetime.timedelta(hours=since_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = []
    for dummy, record in load_all(directory):
        if not isinstance(record, dict) or record.get("finished") or record.get("check_mode"):
            continue
        if record.get("branch") == branch and record.get("subject") == subject and record.get("started", "") >= cutoff:
            found.append(record)
    return sorted(found, key=lambda r: r.get("started", ""))


def read(directory, record):
    """The record as last written (the file is the source of truth across loop items), or ``record``."""
    json_path = paths(directory, record)[0]
    try:
        with open(json_path, encoding="utf-8") as handle:
            on_disk = json.load(handle)
    except (OSError, ValueError):
        return record
    return on_disk if on_disk.get("run_id") == record.get("run_id") else record
