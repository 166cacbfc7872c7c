# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The remediation record: what a run found, did and left for a human. Pure functions and one writer.

The record is the run's own evidence. It is written after every entry, JSON and Markdown side by side,
each whole (a temporary file and an atomic rename, or one commit), so that a run that stops half-way (a
timeout, a killed job) leaves a whole file describing everything up to that point.

Records live in a store (store.py): a local directory (the default), or a GitHub repository that every AWX job,
Jenkins agent and laptop shares, so that the next run reads the history of all the runs before it wherever they
ran. ``save``, ``load``, ``unfinished`` and ``current`` work on either; the directory functions below them are the
same on a local store.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets

from .store import Conflict, LocalStore

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


NAME = re.compile(r"^remediation-(\d{8}T\d{6}Z)-[0-9a-f]+\.json$")


def names(record):
    """The record's two files in its store: ``remediation-<run id>.json`` and ``.md``."""
    base = "remediation-%s" % record["run_id"]
    return base + ".json", base + ".md"


def paths(directory, record):
    return tuple(os.path.join(directory, name) for name in names(record))


def save(store, record):
    """Write the record, JSON and Markdown, over whatever version of its files the store holds (each run writes its
    own files only; one of its workers may have written the version before)."""
    for name, text in zip(names(record), (json.dumps(record, indent=2, sort_keys=False, default=str) + "\n",
                                          markdown(record))):
        for _attempt in range(3):
            _old, version = store.read(name)
            try:
                store.write(name, text, version)
                break
            except Conflict:
                continue
        else:
            raise Conflict("%s kept changing while it was written" % name)


def load(store, since=None, on_error=None):
    """Each record of the store as (name, record), in name (start time) order; ``since`` (``YYYY-MM-DDTHH:MM:SSZ``)
    skips the records started more than a day before it without reading them. ``on_error(name, exc)`` hears of a
    file that cannot be read, which is skipped."""
    floor = None
    if since:
        start = datetime.datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ") - datetime.timedelta(days=1)
        floor = start.strftime("%Y%m%dT%H%M%SZ")
    for name in store.names(""):
        match = NAME.match(name)
        if not match or (floor is not None and match.group(1) < floor):
            continue
        try:
            text, _version = store.read(name)
            record = json.loads(text) if text is not None else None
        except ValueError as exc:
            if on_error is not None:
                on_error(name, exc)
            continue
        if record is not None:
            yield name, record


def unfinished_in(store, branch, subject, since_hours=24.0, now=None):
    """Records of the same branch and subject, not in check mode, started in the last ``since_hours`` and never
    closed: runs that were interrupted (or are still running elsewhere). Oldest first; unreadable files are skipped."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    cutoff = (now - datetime.timedelta(hours=since_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = []
    for dummy, record in load(store, since=cutoff):
        if not isinstance(record, dict) or record.get("finished") or record.get("check_mode"):
            continue
        if record.get("branch") == branch and record.get("subject") == subject and record.get("started", "") >= cutoff:
            found.append(record)
    return sorted(found, key=lambda r: r.get("started", ""))


def current(store, record):
    """The record as last written (the store is the source of truth across loop items and workers), or ``record``."""
    try:
        text, _version = store.read(names(record)[0])
        stored = json.loads(text) if text is not None else None
    except ValueError:
        return record
    return stored if isinstance(stored, dict) and stored.get("run_id") == record.get("run_id") else record


# -- the same on a local directory ------------------------------------------------------------------------------------

def write(directory, record):
    """Write the record as JSON and Markdown in ``directory``; returns both paths."""
    save(LocalStore(directory), record)
    return paths(directory, record)


def load_all(directory, on_error=None):
    for name, record in load(LocalStore(directory), on_error=on_error):
        yield os.path.join(directory, name), record


def unfinished(directory, branch, subject, since_hours=24.0, now=None):
    return unfinished_in(LocalStore(directory), branch, subject, since_hours, now)


def read(directory, record):
    return current(LocalStore(directory), record)
