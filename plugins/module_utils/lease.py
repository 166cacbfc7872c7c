# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run per scan zone at a time: a lease per zone, in the store every run shares (see store.py).

A run takes its zone's lease before its first change and gives it back at the end. The lease names its holder
(run id, who, where, since when) and expires: a run that died holding it does not block the zone for ever, and the
next run takes it over and says so. Taking is a compare-and-swap on the lease file, so of two runs that try at the
same moment exactly one gets it; the other finds it held, and by whom.

Across the fleet, at most ``max_zones`` zones heal at once (a loop of destruction: when many zones fail together,
something larger is wrong and more reboots will not fix it). A run that took its zone's lease then adds the zone to
:data:`FLEET`, the list of zones healing, with compare-and-swap, unless ``max_zones`` other valid leases are in it;
then it gives its zone's lease back. The list is one file so that no two runs can both see room for one more.

``decide`` is the rule (pure); ``take`` and ``give_back`` carry it out against a store.
"""

from __future__ import annotations

import json
import random
import re
import time

from .store import Conflict

FOLDER = "leases"
# The zones healing across the fleet: one file, changed by compare-and-swap only (a counting semaphore).
FLEET = "healing.json"
FLEET_ATTEMPTS = 40
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


def valid(lease, now, is_dead=None):
    """Whether ``lease`` (parsed) still holds its zone: readable, not expired, its run not known dead."""
    if not isinstance(lease, dict) or "unreadable" in lease or not isinstance(lease.get("expires"), (int, float)):
        return False
    return lease["expires"] > now and not (is_dead and is_dead(lease))


def _fleet(text):
    try:
        zones = json.loads(text).get("zones") if text else []
    except (ValueError, AttributeError):
        zones = []  # not ours: rewritten (each zone's own lease still says who holds it)
    return [item for item in zones or [] if isinstance(item, dict) and isinstance(item.get("zone"), str)]


def pause():
    """A short random wait before reading again what another run just changed: spreads the retries of runs that
    start together."""
    time.sleep(random.uniform(0.05, 0.25))


def _change_fleet(store, change):
    """Apply ``change(zones)`` to the zones healing (:data:`FLEET`) by compare-and-swap, reading again when another
    run wrote between. ``change`` returns ``(zones to write, or None to write nothing, answer)``; returns the answer."""
    for _attempt in range(FLEET_ATTEMPTS):
        text, version = store.read(FLEET)
        zones, answer = change(_fleet(text))
        if zones is None:
            return answer
        try:
            store.write(FLEET, json.dumps({"zones": zones}, sort_keys=True, indent=1) + "\n", version)
        except Conflict:
            pause()
            continue
        return answer
    raise Conflict("the zones healing across the fleet (%s) kept changing (%d attempts)" % (FLEET, FLEET_ATTEMPTS))


def join_fleet(store, lease, now, max_zones, is_dead=None, dry=False):
    """Add ``lease``'s zone to the zones healing across the fleet (:data:`FLEET`, a compare-and-swap semaphore)
    unless ``max_zones`` other zones heal already. Returns the other zones' leases when it is full, else [].
    ``dry`` (a check-mode run) only looks: a dry run takes no place another run may need."""

    def change(zones):
        others = [item for item in zones if item["zone"] != lease["zone"] and valid(item, now, is_dead)]
        if len(others) >= max_zones:
            return None, others
        return (None if dry else others + [lease]), []

    return _change_fleet(store, change)


def leave_fleet(store, zone, run_id):
    """Remove ``zone`` from the zones healing, if ``run_id`` is the one healing it there."""

    def change(zones):
        kept = [item for item in zones if not (item["zone"] == zone and item.get("run_id") == run_id)]
        return (kept if len(kept) < len(zones) else None), None

    _change_fleet(store, change)


def take(store, zone, holder, ttl_seconds, now, is_dead=None, max_zones=0, dry=False):
    """Take ``zone``'s lease for ``holder`` (a dict with at least ``run_id``; ``who``, ``where`` are shown to the
    others) until ``now + ttl_seconds``. ``is_dead(lease)``, when given, says whether the run holding a lease is known
    to be gone (its process on this machine has ended): its lease is taken over before it expires.

    With ``max_zones`` (0: no limit), the zone joins the zones healing across the fleet (:func:`join_fleet`); when
    ``max_zones`` other zones heal already, the lease is given back at once: the verdict is then ``fleet_full`` and
    ``healing`` lists those zones' leases.

    Returns ``{"taken": bool, "verdict": take|renew|take_over|held|fleet_full, "lease": the lease now stored (or
    held), "previous": the lease taken over or held, "healing": the zones ahead when the fleet is full}``. Raises
    Conflict when other runs kept changing the lease (ATTEMPTS times in a row).
    """
    name = lease_name(zone)
    for _attempt in range(ATTEMPTS):
        text, version = store.read(name)
        current = parse(text)
        dead = bool(current and "unreadable" not in current and is_dead is not None and is_dead(current))
        verdict = decide(current, holder["run_id"], now, dead)
        if verdict == "held":
            return {"taken": False, "verdict": verdict, "lease": current, "previous": current, "healing": []}
        since = current["since"] if verdict == "renew" and current.get("since") else now
        lease = dict(holder, zone=zone, since=since, expires=now + ttl_seconds, renewed=now)
        if verdict == "take_over":
            lease["took_over"] = {key: current.get(key) for key in ("run_id", "who", "where", "since", "expires",
                                                                    "unreadable") if key in current}
            lease["took_over"]["why"] = ("unreadable" if "unreadable" in current else "dead" if dead else "expired")
        try:
            written = store.write(name, json.dumps(lease, sort_keys=True, indent=1) + "\n", version)
        except Conflict:
            pause()  # another run wrote it between our read and our write: read again
            continue
        try:
            ahead = join_fleet(store, lease, now, max_zones, is_dead, dry) if max_zones else []
        except BaseException:
            _drop(store, name, written)  # a lease of a run that fails here must not hold the zone until it expires
            raise
        if ahead:
            _drop(store, name, written)
            return {"taken": False, "verdict": "fleet_full", "lease": lease, "previous": current, "healing": ahead}
        return {"taken": True, "verdict": verdict, "lease": lease,
                "previous": current if verdict == "take_over" else None, "healing": []}
    raise Conflict("the lease of %s kept changing while it was being taken (%d attempts)" % (zone, ATTEMPTS))


def _drop(store, name, version):
    """Remove the lease this run just wrote, if it is still the one written (else it is another run's now)."""
    try:
        store.delete(name, version)
    except Conflict:
        pass


def give_back(store, zone, run_id):
    """Remove ``zone``'s lease if ``run_id`` holds it. Returns whether it did (a lease taken over by another run,
    because ours expired, is left to that run)."""
    name = lease_name(zone)
    for _attempt in range(ATTEMPTS):
        text, version = store.read(name)
        current = parse(text)
        if current is None or current.get("run_id") != run_id:
            return False
        leave_fleet(store, zone, run_id)
        try:
            store.delete(name, version)
        except Conflict:
            continue
        return True
    raise Conflict("the lease of %s kept changing while it was being given back" % zone)
