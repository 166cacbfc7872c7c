# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resubmitting a failed scan, with the runbook's guards, and following it until it really scans.

``launch_guard`` is pure: from the definition, the recent results and the reference time it says
whether a launch must not happen and why. ``follow`` polls one result with a backing-off interval and
never launches anything.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from .polling import poll_until
from .scan_progress import is_active, summarize_progress

WAIT_TARGETS = ("none", "started", "scanning", "completed")
PUBLIC_IMPORT_PATTERN = "^ALC_all_envs_public_import$"


def utc_text(epoch):
    """An epoch as a person reads it: ``2026-11-26 13:05 UTC`` (``an unknown time`` when there is none)."""
    try:
        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return "an unknown time"


def _scan_id(result):
    return (result.get("scan") or {}).get("id")


def _succeeded_since(result, since):
    """Completed with IPs scanned, finished at ``since`` or later."""
    return result.get("status") == "Completed" and (result.get("scannedIPs") or 0) > 0 and (result.get("finishTime") or 0) >= since


def launch_guard(definition, results, zones_by_scan, now, recent_pattern=PUBLIC_IMPORT_PATTERN,
                 recent_hours=24.0, force=False):
    """None when the launch may go ahead, else ``{guard, reason, result}``.

    1. ``already_running``: a result of the same definition is queued or running (``force`` never overrides).
    2. ``zone_busy``: another definition's run is active on the same scan zone (overlapping runs slow
       each other down).
    3. ``recently_completed``: the definition matches ``recent_pattern`` and completed successfully within
       ``recent_hours`` (the public import scans 6000+ hosts for about a day).
    """
    active = sorted((r for r in results if is_active(r.get("status"))), key=lambda r: r.get("createdTime") or 0)
    mine = [r for r in active if _scan_id(r) == definition["id"]]
    if mine:
        result = mine[-1]
        return {"guard": "already_running", "result": result,
                "reason": "result #%s of %s was %s when looked up (created %s): not launching a second run"
                          % (result.get("id"), definition["name"], result.get("status"), utc_text(result.get("createdTime")))}
    if force:
        return None
    zone = (definition.get("zone") or {}).get("name")
    if zone:
        others = [r for r in active if zones_by_scan.get(_scan_id(r)) == zone]
        if others:
            result = others[-1]
            return {"guard": "zone_busy", "result": result,
                    "reason": "%s (result #%s, %s) is active on scan zone %s: overlapping runs slow each other down"
                              % (result.get("name"), result.get("id"), result.get("status"), zone)}
    if recent_pattern and re.search(recent_pattern, definition["name"]):
        since = now - recent_hours * 3600
        done = [r for r in results if _scan_id(r) == definition["id"] and _succeeded_since(r, since)]
        if done:
            result = max(done, key=lambda r: r.get("finishTime") or 0)
            return {"guard": "recently_completed", "result": result,
                    "reason": "%s completed successfully %.1f hours ago (result #%s): leave it to its next scheduled "
                              "run" % (definition["name"], (now - result["finishTime"]) / 3600.0, result.get("id"))}
    return None


def target_reached(target, summary):
    """(reached, failed): whether a followed result reached the wait target, or can no longer reach it."""
    status = summary["status"]
    if target == "started":
        return status not in ("Queued", "Preparing"), False
    if target == "scanning":
        if summary["scanning"]:
            return True, False
        if summary["finished"]:
            return (status == "Completed" and (summary["scanned_ips"] or 0) > 0), status != "Completed" or not summary["scanned_ips"]
        return False, False
    if target == "completed":
        if summary["finished"]:
            return status == "Completed", status != "Completed"
        return False, False
    return True, False


def follow(get_result, result_id, target, timeout, interval=2.0, max_interval=30.0, clock=time.monotonic,
           sleep=time.sleep):
    """Poll ``get_result(result_id)`` until ``target`` is reached, cannot be reached, or ``timeout`` passes.

    The interval starts at ``interval`` and grows by half each poll up to ``max_interval``. Returns
    ``{reached, failed, timed_out, polls, seconds, summary, history, result}``; ``history`` keeps each change
    of status or progress. Nothing here launches a scan.
    """
    return follow_many(get_result, [result_id], target, timeout, interval, max_interval, clock, sleep)[result_id]


def _outcome(entry, elapsed, reached, failed, timed_out, stopped=None):
    """One followed result's outcome, from its state (``polls``, ``history``, the ``last`` result seen, its ``summary``)."""
    return {"reached": reached, "failed": failed, "timed_out": timed_out, "stopped": stopped, "polls": entry["polls"],
            "seconds": round(elapsed, 1), "summary": entry["summary"], "history": entry["history"],
            "result": entry["last"]}


def follow_many(get_result, result_ids, target, timeout, interval=2.0, max_interval=30.0, clock=time.monotonic,
                sleep=time.sleep, stop=None):
    """:func:`follow` for several results at once: each round polls every result still pending, then sleeps.

    Returns ``{result_id: outcome}`` with the outcome :func:`follow` gives for each. One slow scan does not
    hold the others' answers: a result leaves the rounds as soon as it reached or failed its target.
    ``stop(pending_results)``, when given, is asked after each round whose results are still pending; it answers
    ``{result_id: reason}`` for the results it knows cannot scan (a bad scanner in their zone), whose following
    then ends at once (``stopped`` holds the reason), whatever the timeout says; the others go on.
    """
    state = {rid: {"history": [], "polls": 0} for rid in result_ids}
    outcomes = {}

    def pending():
        return [rid for rid in result_ids if rid not in outcomes]

    def one_round(since):
        for rid in pending():
            result = get_result(rid)
            entry = state[rid]
            entry["polls"] += 1
            entry["last"] = result
            entry["summary"] = summary = summarize_progress(result)
            point = {"seconds": round(since(), 1), "status": summary["status"],
                     "completed_ips": summary["completed_ips"], "scanning_size": summary["scanning_size"]}
            history = entry["history"]
            if not history or {k: v for k, v in point.items() if k != "seconds"} != \
                    {k: v for k, v in history[-1].items() if k != "seconds"}:
                history.append(point)
            reached, failed = target_reached(target, summary)
            elapsed = since()
            if reached or failed or elapsed >= timeout:
                outcomes[rid] = _outcome(entry, elapsed, reached, failed and not reached, not (reached or failed))
        if stop is not None and pending():
            reasons = stop([state[rid]["last"] for rid in pending()]) or {}
            for rid in [r for r in pending() if reasons.get(r)]:
                outcomes[rid] = _outcome(state[rid], since(), False, False, False, stopped=reasons[rid])
        return not pending(), None

    waited = poll_until(one_round, timeout, interval, max_interval, clock=clock, sleep=sleep, cut_to_timeout=True)
    for rid in pending():  # the time ran out between a result's last poll and the end of its round
        outcomes[rid] = _outcome(state[rid], waited.seconds, False, False, True)
    return outcomes


def launch_outcome(out):
    """What became of one scan of sc_scan_launch, in one word (its ``scans`` entry ``out``, as the module built it).

    ``would_resubmit``: check mode, it would be launched; ``refused``: a guard held and no result is followed;
    ``error``: the launch request failed (``msg`` without a launch or a result); ``scanning``: followed and reached the
    wait target; ``not_scanning``: launched or found but it did not reach the target in time, or was stopped early
    (a bad scanner); ``not_followed``: launched (or found) without a wait.
    """
    if out.get("would_launch"):
        return "would_resubmit"
    if out.get("scan_result_id") is None:
        if out.get("guard"):
            return "refused"
        return "error" if out.get("msg") else "not_followed"
    waited = out.get("waited")
    if waited is None:
        return "not_scanning" if out.get("msg") else "not_followed"
    return "scanning" if waited.get("reached") else "not_scanning"


def escalation(out):
    """The scan as the SOS escalation names it: ``{name, zone, status, result_id, error_details}``."""
    scan = out.get("scan") or {}
    if "msg" in out:
        details = out["msg"]
    else:
        details = (out.get("guard") or {}).get("reason") or ""
    return {"name": scan.get("name"), "zone": scan.get("zone"), "status": (out.get("progress") or {}).get("status") or "",
            "result_id": out.get("scan_result_id"), "error_details": details}
