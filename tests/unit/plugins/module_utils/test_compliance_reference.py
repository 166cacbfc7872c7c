"""The compliance check at scale gives what a plain reading gives: the same rows, verdicts, evidence and alert.

``check`` indexes the results by scan once and reads each distinct schedule and scan name once (issue 16: 20,000
definitions, 600,000 results). The reference below does neither: for every definition it reads the schedule and
the durations again and looks through every result. Both run on generated sets (shared and unique schedules,
unreadable ones, dependent scans, results of other or unknown scans, every status, maintenance windows) and must
agree on the whole outcome.
"""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import compliance
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.schedules import (
    ScheduleError,
    dependent_on,
    describe,
    due_runs,
)

NOW = datetime.fromisoformat("2026-11-26T13:00:00+00:00").timestamp()
ZONES = ["ALC_Prod_WDC06_SZ", "ALC_Prod_TOK02_SZ", "ALC_SOS_SZ", "ALC_SOS~FR2_SZ", "", None]
TZS = ["America/New_York", "Europe/London", "Asia/Tokyo", "UTC", "Australia/Lord_Howe", "Mars/Olympus"]
RULES = ["FREQ=DAILY;INTERVAL=1", "FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH",
         "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE,TH,FR", "FREQ=MONTHLY;BYMONTHDAY=25,26", "FREQ=HOURLY", "", "FREQ=DAILY;BYSETPOS=1"]
STATUSES = ["Completed", "Completed", "Completed", "Partial", "Error", "Running", "Queued", "Preparing", "Paused",
            "Canceled"]
NAMES = ["ALC_Prod_WDC06_private_import", "ALC_all_envs_public_import", "ALC_Prod_TOK02_CM7_All-ports",
         "ALC_Sup CM7-All-ports", "odd name", "", None]


def reference(definitions, results, now, period_hours=24.0, grace_minutes=60.0, durations=compliance.DEFAULT_DURATIONS,
              default_hours=compliance.DEFAULT_HOURS, maintenance=(), public_zones=compliance.PUBLIC_ZONES,
              tolerance_minutes=10.0, stall_minutes=compliance.STALL_MINUTES):
    """The check read plainly: no index, no shared readings; each due run looks through every result."""
    end = now - grace_minutes * 60
    start = end - period_hours * 3600
    ordered = sorted(results, key=lambda r: (r.get("createdTime") or 0, r.get("id") or 0))
    rows = []
    for scan in definitions:
        label = scan.get("name") or "scan #%s" % scan.get("id")
        zone = (scan.get("zone") or {}).get("name") or ""
        seen_as = compliance.visibility(zone, public_zones)
        schedule = scan.get("schedule") or {}
        hours = compliance.allowed_hours(label, durations, default_hours)
        head = {"name": label, "id": scan.get("id"), "zone": zone, "visibility": seen_as,
                "schedule": describe(schedule), "allowed_hours": hours}
        try:
            after = dependent_on(schedule)
            if after is not None:
                parents = [d for d in definitions if d.get("id") == after]
                if not parents:
                    raise ScheduleError("it runs after scan #%s, which is not among the checked definitions" % after)
                schedule = parents[-1].get("schedule") or {}
                hours += compliance.allowed_hours(parents[-1].get("name"), durations, default_hours)
                head["allowed_hours"] = hours
            times = due_runs(schedule, start, end + hours * 3600)
        except ScheduleError as exc:
            rows.append(dict(head, due=None, due_local=None, deadline=None, verdict="unknown_schedule", failing=False,
                             reason="cannot read the schedule: %s" % exc, evidence=None, results_in_window=0,
                             runbook_step=compliance.runbook_step("unknown_schedule", seen_as)))
            continue
        for position, due in enumerate(times):
            at = due.timestamp()
            if at >= end:
                break
            deadline = at + hours * 3600
            closes = min(deadline, times[position + 1].timestamp() if position + 1 < len(times) else deadline)
            mine = [r for r in ordered if (r.get("scan") or {}).get("id") == scan.get("id")
                    and at - tolerance_minutes * 60 <= (r.get("createdTime") or 0) < closes - tolerance_minutes * 60]
            verdict, found, reason = compliance.judge(mine, deadline, now, stall_minutes)
            if verdict in compliance.FAILING:
                window = compliance.in_maintenance(maintenance, at, deadline, label, zone)
                if window:
                    verdict, reason = "maintenance", "%s; during maintenance %s" % (reason, window.get("reason") or "")
            rows.append(dict(head, due=int(at), due_local=due.isoformat(), deadline=int(deadline), verdict=verdict,
                             failing=verdict in compliance.FAILING, reason=reason, results_in_window=len(mine),
                             evidence=compliance.evidence(found, due.tzinfo) if found else None,
                             runbook_step=compliance.runbook_step(verdict, seen_as)))
    rows.sort(key=lambda row: (row["name"].lower(), row["due"] or 0))
    return compliance.summarize(rows, {"start": int(start), "end": int(end), "now": int(now)})


def generated(seed, count):
    """Definitions and results as Security Center gives them (normalized), many schedules shared, some unreadable."""
    pick = random.Random(seed)
    shared = []
    for _shared in range(6):
        parts = (pick.choice(TZS[:5]), pick.randint(1, 11), pick.randint(1, 28), pick.randint(0, 23), pick.choice((0, 30)))
        start = "TZID=%s:2026%02d%02dT%02d%02d00" % parts
        shared.append({"type": "ical", "start": start, "repeatRule": pick.choice(RULES[:5]), "enabled": True})
    definitions = []
    for index in range(count):
        sid = index + 1
        kind = pick.random()
        if kind < 0.5:
            schedule = dict(pick.choice(shared), id=sid + 500, nextRun=int(NOW) + sid)  # per-scan keys, as SC sends
        elif kind < 0.75:
            schedule = {"type": "ical", "start": "TZID=%s:2026%02d%02dT%02d%02d%02d" % (
                pick.choice(TZS), pick.randint(1, 12), pick.randint(1, 28), pick.randint(0, 23), pick.randint(0, 59),
                pick.choice((0, 0, 30))), "repeatRule": pick.choice(RULES), "enabled": pick.choice((True, True, "true", False))}
        elif kind < 0.85:
            parent = pick.randint(1, count + 3)  # sometimes a scan that is not among the definitions
            schedule = pick.choice(({"type": "dependent", "dependentID": parent, "enabled": True},
                                    {"type": "dependent", "dependent": {"id": parent, "name": "parent %d" % parent},
                                     "enabled": True}))
        else:
            schedule = pick.choice(({"type": "template"}, {"type": "now", "enabled": True}, {"type": "rollover"},
                                    {"type": "ical", "start": "20261126T0700", "repeatRule": "FREQ=DAILY", "enabled": True},
                                    {"type": "ical", "start": "20261126T070000Z", "repeatRule": "", "enabled": True},
                                    {"type": "weird"}, None))
        name = pick.choice(NAMES)
        definitions.append({"id": sid, "name": "%s_%d" % (name, sid) if name and pick.random() < 0.8 else name,
                            "zone": {"id": 3, "name": pick.choice(ZONES)} if pick.random() < 0.9 else None,
                            "schedule": schedule})
    results = []
    for rid in range(1, count * 4):
        status = pick.choice(STATUSES)
        scanned = pick.choice((0, 0, 5, 120, None))
        total = pick.choice((None, 120, 300))
        created = NOW - pick.randint(-600, 3 * 86400) if pick.random() < 0.95 else None
        results.append({
            "id": rid if pick.random() < 0.97 else None, "scan": {"id": pick.randint(0, count + 2)} if pick.random() < 0.97 else None,
            "status": status, "createdTime": created, "startTime": (created or NOW) + 60,
            "finishTime": (created or NOW) + 3600 if status in ("Completed", "Partial", "Error") else None,
            "scannedIPs": scanned, "totalIPs": total, "completedChecks": (scanned or 0) * pick.choice((0, 10)),
            "totalChecks": (total or 0) * 10, "importStatus": pick.choice(("Finished", "Error", "No Results", None)),
            "importErrorDetails": pick.choice(("", "Scan import error (code #139).", None)),
            "errorDetails": pick.choice(("", "scanner timeout", None)),
        })
    return definitions, results


@pytest.mark.parametrize("seed", range(8))
def test_check_gives_what_the_plain_reading_gives(seed):
    definitions, results = generated(seed, 150)
    maintenance = [{"start": NOW - 30 * 3600, "end": NOW - 20 * 3600, "zones": ["ALC_Prod_TOK02_SZ"], "reason": "patching"},
                   {"start": NOW - 10 * 3600, "end": NOW - 9 * 3600, "scans": [definitions[3]["name"]]}]
    durations = list(compliance.DEFAULT_DURATIONS) + [{"pattern": "private", "hours": 12}]
    for kwargs in ({}, {"maintenance": maintenance, "durations": durations, "period_hours": 48.0, "grace_minutes": 0.0,
                        "tolerance_minutes": 0.0, "stall_minutes": 5.0, "default_hours": 6}):
        expected = reference(definitions, results, NOW, **kwargs)
        assert expected["scans"], "the generated set has due runs to judge"
        assert compliance.check(definitions, results, NOW, **kwargs) == expected


def test_the_generated_sets_cover_every_verdict():
    seen = set()
    for seed in range(8):
        definitions, results = generated(seed, 150)
        seen.update(row["verdict"] for row in compliance.check(definitions, results, NOW)["scans"])
    assert seen >= set(compliance.VERDICTS) - {"maintenance"}


def test_split_remediable_keeps_the_order_and_other_types():
    names = ["ALC_A_private_import", "A B", 7, "ALC_A_private_import", None, "ALC_B_private_import"]
    assert compliance.split_remediable(names) == (
        ["ALC_A_private_import", "ALC_A_private_import", "ALC_B_private_import"], ["A B", 7, None])
