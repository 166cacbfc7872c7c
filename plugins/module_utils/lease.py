# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run per scan zone at a time: a lease per zone, in the store every run shares (see store.py).

A run takes its zone's lease before its first change and gives it back at the end. The lease names its holder
(run id, who, where, since when) and expires: a run that died holding it does not block the zone for ever, and the
next run takes it over and says so. Taking is a compare-and-swap on the lease file, so of two runs that try at the
same moment exactly one gets it; the other finds it held, and by whom.

``decide`` is the rule (pure); ``take`` and ``give_back`` carry it out against a store.
"""

from __future__ import annotations

import json
import re

from .store import Conflict

FOLDER = "leases"
# Attempts of one take when other runs keep writing the lease between our read and our write.
ATTEMPTS = 5
ZONE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def lease_name(zone):
    if not isinstance(zone, str) or not ZONE.match(zone):
        raise ValueError("not a scan zone name: %r" % (zone,))
    return "%s/%s.json" % (FOLDER, zone)


def parse(text):
    """The lease in ``text``; None for no lease; ``{"unreadable": ...}`` for a file that is not one (it is taken over,
    as an expired lease is: a run cannot tell who holds it)."""
    if text is None:
        return None
    try:
        lease = json.loads(text)
    except ValueError as exc:
        return {"unreadable": str(exc)}
    if not isinstance(lease, dict) or not isinstance(lease.get("expires"), (int, float)) or not lease.get("run_id"):
        return {"unreadable": "not a lease"}
    return lease


def decide(current, run_id, now, dead=False):
    """``take`` (free), ``renew`` (ours already), ``take_over`` (expired, unreadable, or its run is known to be
    dead: ``dead``) or ``held`` (another run's, still valid)."""
    if current is None:
        return "take"
    if "unreadable" in current:
        return "take_over"
    if current.get("run_id") == run_id:
        return "renew"
    if current["expires"] <= now or dead:
        return "take_over"
    return "held"


def take(store, zone, holder, ttl_seconds, now, is_dead=None):
    """Take ``zone``'s lease for ``holder`` (a dict with at least ``run_id``; ``who``, ``where`` are shown to the
    others) until ``now + ttl_seconds``. ``is_dead(lease)``, when given, says whether the run holding a lease is known
    to be gone (its process on this machine has ended): its lease is taken over before it expires.

    Returns ``{"taken": bool, "verdict": take|renew|take_over|held, "lease": the lease now stored, "previous": the
    lease taken over or held}``. Raises Conflict when other runs kept changing the lease (ATTEMPTS times in a row).
    """
    name = lease_name(zone)
    for _attempt in range(ATTEMPTS):
        text, version = store.read(name)
        current = parse(text)
        dead = bool(current and "unreadable" not in current and is_dead is not None and is_dead(current))
        verdict = decide(current, holder["run_id"], now, dead)
        if verdict == "held":
            return {"taken": False, "verdict": verdict, "lease": current, "previous": current}
        since = current["since"] if verdict == "renew" and current.get("since") else now
        lease = dict(holder, zone=zone, since=since, expires=now + ttl_seconds, renewed=now)
        if verdict == "take_over":
            lease["took_over"] = {key: current.get(key) for key in ("run_id", "who", "where", "since", "expires",
                                                                    "unreadable") if key in current}
            lease["took_over"]["why"] = ("unreadable" if "unreadable" in current else "dead" if dead else "expired")
        try:
            store.write(name, json.dumps(lease, sort_keys=True, indent=1) + "\n", version)
        except Conflict:
            continue  # another run wrote it between our read and our write: read again
        return {"taken": True, "verdict": verdict, "lease": lease,
                "previous": current if verdict == "take_over" else None}
    raise Conflict("the lease of %s kept changing while it was being taken (%d attempts)" % (zone, ATTEMPTS))


def give_back(store, zone, run_id):
    """Remove ``zone``'s lease if ``run_id`` holds it. Returns whether it did (a lease taken over by another run,
    because ours expired, is left to that run)."""
    name = lease_name(zone)
    for _attempt in range(ATTEMPTS):
        text, version = store.read(name)
        current = parse(text)
        if current is None or current.get("run_id") != run_id:
            return False
        try:
            store.delete(name, version)
        except Conflict:
            continue
        return True
    raise Conflict("the lease of %s kept changing while it was being given back" % zone)
