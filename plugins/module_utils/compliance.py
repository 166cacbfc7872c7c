# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The daily compliance check's decisions: for each scheduled run that was due, did it complete?

Input: scan definitions and scan results (normalized, see sc_types), the reference time, settings.
Output: one row per due run with a verdict, the evidence and the runbook step that applies, the
failing scan names, and the alert text in the runbook's form. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .alert import SCAN_NAME
from .scan_progress import ACTIVE_STATUSES, summarize_progress
from .schedules import ScheduleError, dependent_on, describe, due_runs

VERDICTS = ("ok", "running", "stalled", "late", "partial", "error", "missing", "no_ips", "import_error", "maintenance",
            "unknown_schedule")
FAILING = frozenset(("stalled", "late", "partial", "error", "missing", "no_ips", "import_error"))

# Allowed duration by scan name (regular expressions, first match wins), fitting the runbook:
# daily scans within the day, weekly CM7 All-ports scans within the week, and the public import of
# 6000+ hosts, which takes about 24 hours.
DEFAULT_DURATIONS = (
    {"pattern": "^ALC_all_envs_public_import$", "hours": 26},
    {"pattern": "CM7[ _-]?All-ports", "hours": 168},
)
DEFAULT_HOURS = 24
PUBLIC_ZONES = ("ALC_SOS_SZ", "ALC_SOS~FR2_SZ")

ALERT_HEADER = "The following scans are identified as failing and need investigation:"

RUNBOOK_STEPS = {
    "missing": "A scheduled scan failed to run: resubmit the failed scan (Resubmitting the failed scan)",
    "stalled": "A run queued or running for long with no IP scanned does not scan: check the scan zone's scanners "
               "(Handling private ip scan failures); do not launch a second run while it is active",
    "late": "A scan is still in progress past its window (delays have occurred): follow its progress; "
            "do not resubmit while it runs",
    "import_error": "The scan completed but its results did not import: engage SOS with the import error",
    "no_ips": "0 IPs scanned usually means a problem with our Nessus scanners: check the scan zone's scanners "
              "(Handling private ip scan failures)",
    ("partial", "public"): "Handling public ip scan failures: resubmit the scan; if the resubmission fails, engage SOS",
    ("error", "public"): "Handling public ip scan failures: resubmit the scan; if the resubmission fails, engage SOS",
    ("partial", "private"): "Handling private ip scan failures: resubmit the scan first, then check the scan "
                            "zone's scanners",
    ("error", "private"): "Handling private ip scan failures: resubmit the scan first, then check the scan "
                          "zone's scanners",
    "maintenance": "Within a declared maintenance window: reported, not alerted",
    "unknown_schedule": "The schedule could not be read: check the scan definition in Security Center",
    "running": "Running within its allowed duration: nothing to do yet",
    "ok": "",
}


def allowed_hours(name, rules=DEFAULT_DURATIONS, default=DEFAULT_HOURS):
    for rule in rules or ():
        if re.search(rule["pattern"], name or ""):
            return float(rule["hours"])
    return float(default)


def visibility(zone_name, public_zones=PUBLIC_ZONES):
    """``public`` for scans through the SOS scanners' zones, ``private`` for our own scanners' zones."""
    return "public" if zone_name in public_zones else "private"


def runbook_step(verdict, scan_visibility):
    return RUNBOOK_STEPS.get((verdict, scan_visibility)) or RUNBOOK_STEPS.get(verdict, "")


def iso(epoch, zone=timezone.utc):
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, zone).isoformat()


def alert_text(failing_names):
    """The runbook's alert: the header, a blank line, then the names in square brackets.

    Only names of a scan name's shape go in the list (what the alert readers act on); a scan named otherwise in
    Security Center (``A B`` with a space would read as two other scans) is named after it, for a human.
    """
    if not failing_names:
        return ""
    remediable, others = split_remediable(failing_names)
    text = "%s\n\n[%s]" % (ALERT_HEADER, " ".join(remediable))
    if others:
        text += "\n\nNot remediated automatically (not the shape of a scan name): %s" % ", ".join(
            repr(name[:120]) for name in others)
    return text


def split_remediable(names):
    """``(remediable, others)``: the names of a scan name's shape, that automation may act on, and the rest."""
    remediable = [name for name in names if isinstance(name, str) and SCAN_NAME.match(name)]
    chosen = set(remediable)  # only strings: a name of another type is never among them
    return remediable, [name for name in names if not isinstance(name, str) or name not in chosen]


def _percent(result):
    """summarize_progress(result)["percent"]: completedChecks/totalChecks, from ``progress`` first (counts only)."""
    progress = result.get("progress")
    total = done = None
    if progress:  # the compliance check asks for no progress: the result's own fields then
        total, done = progress.get("totalChecks"), progress.get("completedChecks")
    if type(total) is not int:  # pylint: disable=unidiomatic-typecheck  # bool is no count
        total = result.get("totalChecks")
    if type(total) is not int or not total:  # pylint: disable=unidiomatic-typecheck
        return None
    if type(done) is not int:  # pylint: disable=unidiomatic-typecheck
        done = result.get("completedChecks")
    if type(done) is not int:  # pylint: disable=unidiomatic-typecheck
        done = 0
    return round(100.0 * done / total, 1)


_NOTHING = {}


def evidence(result, zone=timezone.utc, local=None):
    """What the report shows of the result a verdict rests on; its times in the scan's time zone.

    ``local`` reads the times (a :class:`LocalTimes` shared by the rows of one judgement); by default each is read
    on its own.
    """
    text = local.reader(zone) if local is not None else _exact_reader(zone)
    get = result.get
    created, started, finished = get("createdTime"), get("startTime"), get("finishTime")
    return {
        "result_id": get("id"),
        "status": get("status"),
        "created": created,
        "created_at": None if created is None else text(created),
        "started_at": None if started is None else text(started),
        "finished_at": None if finished is None else text(finished),
        "total_ips": get("totalIPs"),
        "scanned_ips": get("scannedIPs"),
        "percent": _percent(result),
        "error_details": get("errorDetails") or "",
        "import_status": get("importStatus"),
        "import_error_details": get("importErrorDetails") or "",
    }


_SECONDS = tuple("%02d" % second for second in range(60))


class LocalTimes:
    """ISO 8601 texts of epochs in time zones, the time zone read once per minute of UTC.

    A check shows three times for each of thousands of runs, and a scheduler starts many runs in the same minutes.
    Within one minute of UTC a zone's offset holds (zones change it at whole minutes) and, when it is a whole number
    of minutes (all zones' offsets since the 1970s), the local text differs only by its seconds: the minute's text is
    read once with ``datetime`` and each epoch in it gets its seconds. A minute that does not qualify (a change of
    offset inside it, an offset with seconds) and a time that is not a whole number of seconds are read exactly.
    The texts are those of ``datetime.fromtimestamp(epoch, zone).isoformat()`` (``test_local_times``).
    """

    def __init__(self):
        self.minutes = {}  # zone -> {minute of UTC: (text before the seconds, text after them), or () to read exactly}
        self.readers = {}

    @staticmethod
    def exact(epoch, zone):
        return datetime.fromtimestamp(epoch, zone).isoformat()

    def iso(self, epoch, zone):
        return self.reader(zone)(epoch)

    def reader(self, zone):
        """The text of an epoch in ``zone``: a function of the epoch alone."""
        read = self.readers.get(zone)
        if read is None:
            read = self.readers[zone] = self._reader(zone, self.minutes.setdefault(zone, {}))
        return read

    def _reader(self, zone, minutes):
        exact, minute_of = self.exact, self._minute

        def read(epoch):
            if type(epoch) is not int:  # pylint: disable=unidiomatic-typecheck  # a float (or a bool) is read exactly
                return exact(epoch, zone)
            minute, second = divmod(epoch, 60)
            parts = minutes.get(minute)
            if parts is None:
                parts = minutes[minute] = minute_of(minute * 60, zone)
            if not parts:
                return exact(epoch, zone)
            return parts[0] + _SECONDS[second] + parts[1]
        return read

    @staticmethod
    def _minute(start, zone):
        """``(text before the seconds, text after them)`` of the minute starting at ``start``, or ``()``."""
        try:
            first, last = datetime.fromtimestamp(start, zone), datetime.fromtimestamp(start + 59, zone)
        except (OverflowError, ValueError, OSError):  # the minute leaves datetime's range where the epoch does not
            return ()
        offset = first.utcoffset()
        if offset is None or offset != last.utcoffset() or offset.seconds % 60 or offset.microseconds:
            return ()
        text = first.isoformat()  # YYYY-MM-DDTHH:MM:00 then the offset
        if len(text) < 19 or text[16:19] != ":00" or last.minute != first.minute:
            return ()
        return text[:17], text[19:]


def _exact_reader(zone):
    return lambda epoch: LocalTimes.exact(epoch, zone)


# An active run (Queued, Preparing, Running) this many minutes old with no IP scanned does not scan: failing.
STALL_MINUTES = 30.0


def judge(candidates, deadline, now, stall_minutes=STALL_MINUTES):
    """The verdict for one due run from the results created in its window (newest last)."""
    if not candidates:
        return "missing", None, "no scan result was created for this run"
    for result in reversed(candidates):  # the newest run that completed well (most runs): nothing else to weigh
        if result.get("status") == "Completed" and result.get("importStatus") != "Error" and result.get("scannedIPs"):
            return "ok", result, "completed, %s IPs scanned" % result.get("scannedIPs")
    completed = []
    for result in candidates:
        if result.get("status") == "Completed":
            if (result.get("importStatus") or "") == "Error":
                completed.append(("import_error", result, "completed, but the import failed: %s"
                                  % (result.get("importErrorDetails") or "no details")))
            elif not result.get("scannedIPs"):
                completed.append(("no_ips", result, "completed with 0 IPs scanned"))
            else:
                completed.append(("ok", result, "completed, %s IPs scanned" % result.get("scannedIPs")))
    ok = [item for item in completed if item[0] == "ok"]
    if ok:
        return ok[-1]
    active = [r for r in candidates if r.get("status") in ACTIVE_STATUSES]
    if active:
        result = active[-1]
        percent = summarize_progress(result)["percent"]
        done = "" if percent is None else ", %s%% done" % percent
        age = now - (result.get("createdTime") or now)
        if age >= stall_minutes * 60 and not result.get("scannedIPs") and not result.get("completedChecks"):
            return "stalled", result, "%s for %d minutes with no IP scanned" % (result.get("status"), age // 60)
        if now < deadline:
            return "running", result, "%s within its allowed duration%s" % (result.get("status"), done)
        return "late", result, "still %s past its allowed duration%s" % (result.get("status"), done)
    if completed:
        return completed[-1]
    result = candidates[-1]
    status = result.get("status")
    detail = result.get("errorDetails") or "no error details"
    if status == "Partial":
        return "partial", result, "ended Partial: %s" % detail
    return "error", result, "ended %s: %s" % (status, detail)


def in_maintenance(windows, start, end, scan_name, zone_name):
    for window in windows or ():
        if window.get("scans") and scan_name not in window["scans"]:
            continue
        if window.get("zones") and zone_name not in window["zones"]:
            continue
        if window["start"] < end and start < window["end"]:
            return window
    return None


def check(definitions, results, now, period_hours=24.0, grace_minutes=60.0, durations=DEFAULT_DURATIONS,
          default_hours=DEFAULT_HOURS, maintenance=(), public_zones=PUBLIC_ZONES, tolerance_minutes=10.0,
          stall_minutes=STALL_MINUTES):
    """Evaluate every definition's due runs in ``[now - grace - period, now - grace)``.

    Runs due within the last ``grace_minutes`` are not judged yet: Security Center may not have
    created their result. A result belongs to a run when it was created between ``tolerance`` before
    the due time and the end of the run's window (its allowed duration, or the next due run).
    """
    plan = due_runs_of(definitions, now, period_hours, grace_minutes, durations, default_hours, public_zones)
    return judge_due_runs(plan, results, maintenance, tolerance_minutes, stall_minutes)


def due_runs_of(definitions, now, period_hours=24.0, grace_minutes=60.0, durations=DEFAULT_DURATIONS,
                default_hours=DEFAULT_HOURS, public_zones=PUBLIC_ZONES):
    """What the check reads of the definitions alone: each one's due runs in the period and their windows.

    It needs no result, so the check computes it while Security Center is still answering the results request.
    """
    period_end = now - grace_minutes * 60
    period_start = period_end - period_hours * 3600
    by_id = {d.get("id"): d for d in definitions}
    memo = _Memo(durations, default_hours)
    planned = [_due_runs_for(definition, by_id, period_start, period_end, public_zones, memo)
               for definition in definitions]
    # the report's order (name, then due time), taken here: each definition's runs come in due order, so unless two
    # names differ only by case the rows need no sorting once judged
    planned.sort(key=lambda item: item[0]["name"].lower())
    folded = [item[0]["name"].lower() for item in planned]
    return {"now": now, "period": (period_start, period_end), "definitions": planned,
            "sorted": len(set(folded)) == len(folded)}


def judge_due_runs(plan, results, maintenance=(), tolerance_minutes=10.0, stall_minutes=STALL_MINUTES):
    """The verdict of every due run of ``plan`` (from :func:`due_runs_of`) from the results of the period.

    The plan's rows are filled in and returned: a plan serves one judgement.
    """
    now = plan["now"]
    period_start, period_end = plan["period"]
    tolerance = tolerance_minutes * 60
    results_by_scan = {}
    for result in results:
        scan_id = (result.get("scan") or _NOTHING).get("id")
        mine = results_by_scan.get(scan_id)
        if mine is None:
            results_by_scan[scan_id] = [result]
        else:
            mine.append(result)
    for mine in results_by_scan.values():
        if len(mine) > 1:  # most scans have one result in the period
            mine.sort(key=_created_order)
    rows = []
    local = LocalTimes()
    steps = {}  # runbook_step by (verdict, visibility)
    for base, runs, error in plan["definitions"]:
        if error is not None:
            rows.append(error)
            continue
        mine = results_by_scan.get(base["id"], ())
        scan_visibility = base["visibility"]
        for row, start, deadline, window_end, zone in runs:
            low, high = start - tolerance, window_end - tolerance
            candidates = [r for r in mine if low <= (r.get("createdTime") or 0) < high]
            verdict, result, reason = judge(candidates, deadline, now, stall_minutes)
            failing = verdict in FAILING
            if failing:
                window = in_maintenance(maintenance, start, deadline, base["name"], base["zone"])
                if window:
                    reason = "%s; during maintenance %s" % (reason, window.get("reason") or "")
                    verdict, failing = "maintenance", False
            step = steps.get((verdict, scan_visibility))
            if step is None:
                step = steps[verdict, scan_visibility] = runbook_step(verdict, scan_visibility)
            row["verdict"] = verdict
            row["failing"] = failing
            row["reason"] = reason
            row["results_in_window"] = len(candidates)
            row["evidence"] = evidence(result, zone, local) if result else None
            row["runbook_step"] = step
            rows.append(row)
    if not plan.get("sorted"):
        rows.sort(key=lambda row: (row["name"].lower(), row["due"] or 0))
    return summarize(rows, {"start": int(period_start), "end": int(period_end), "now": int(now)})


def _created_order(result):
    return (result.get("createdTime") or 0, result.get("id") or 0)


# What describe() and due_runs() read of a schedule: definitions with the same values share one reading (a list of
# thousands of scans has far fewer distinct schedules; Security Center's own per-scan keys, id and nextRun, are not
# read). If schedules.py ever reads another key, add it here (test_compliance_reference compares with no memo).
SCHEDULE_KEYS = ("type", "enabled", "start", "repeatRule", "dependentID")


_PLAIN_TEXT = (str, type(None))
_PLAIN_ENABLED = (bool, str, type(None))
_PLAIN_ID = (int, str, type(None))


def _typed(value):
    if isinstance(value, dict):
        return tuple(sorted((str(key), _typed(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_typed(item) for item in value)
    return (type(value).__name__, value)


class _Memo:
    """Per-check caches of pure readings: allowed hours by name, schedules' descriptions and due runs by content."""

    def __init__(self, durations, default_hours):
        self.durations = list(durations or ())
        self.default_hours = default_hours
        self.patterns = {}
        self.descriptions = {}
        self.due = {}

    def hours(self, name):
        """allowed_hours(name, durations, default_hours), with each pattern compiled once (when first reached)."""
        text = name or ""
        for rule in self.durations:
            pattern = rule["pattern"]
            compiled = self.patterns.get(pattern)
            if compiled is None:
                compiled = self.patterns[pattern] = re.compile(pattern)
            if compiled.search(text):
                return float(rule["hours"])
        return float(self.default_hours)

    @staticmethod
    def key(schedule):
        get = schedule.get
        kind, enabled, start, rule, parent = (get("type"), get("enabled"), get("start"), get("repeatRule"),
                                              get("dependentID"))
        plain = type(kind) in _PLAIN_TEXT and type(start) in _PLAIN_TEXT and type(rule) in _PLAIN_TEXT
        if plain and type(enabled) in _PLAIN_ENABLED and type(parent) in _PLAIN_ID and get("dependent") is None:
            # the usual schedule: its values as they are (of these types, no two values of different types are equal)
            return (kind, enabled, start, rule, parent)
        try:
            key = tuple(_typed(schedule.get(name)) for name in SCHEDULE_KEYS) + (_typed(schedule.get("dependent")),)
            hash(key)
        except TypeError:  # an unhashable value somewhere: no sharing for this one
            return None
        return key

    def describe(self, schedule, key=None):
        key = key or self.key(schedule)
        if key is None:
            return describe(schedule)
        if key not in self.descriptions:
            self.descriptions[key] = describe(schedule)
        return self.descriptions[key]

    def due_runs(self, schedule, start, end, key=None):
        """``due_runs(schedule, start, end)`` with, for each due time, its epoch and its local ISO 8601 text."""
        key = key or self.key(schedule)
        if key is None:
            return _with_times(due_runs(schedule, start, end))
        key = (key, start, end)
        if key not in self.due:
            try:
                self.due[key] = _with_times(due_runs(schedule, start, end))
            except ScheduleError as exc:
                self.due[key] = exc
        found = self.due[key]
        if isinstance(found, ScheduleError):
            raise found
        return found


def _with_times(upcoming):
    return [(due, due.timestamp(), due.isoformat()) for due in upcoming]


def _due_runs_for(definition, by_id, period_start, period_end, public_zones, memo):
    """``(row base, due runs, None)`` for one definition, each due run ``(its row so far, due epoch, deadline, window
    end, time zone)``; or ``(row base, (), the unknown_schedule row)`` when its schedule cannot be read."""
    name = definition.get("name") or "scan #%s" % definition.get("id")
    zone_name = (definition.get("zone") or {}).get("name") or ""
    scan_visibility = visibility(zone_name, public_zones)
    schedule = definition.get("schedule") or {}
    hours = memo.hours(name)
    key = memo.key(schedule)
    base = {"name": name, "id": definition.get("id"), "zone": zone_name, "visibility": scan_visibility,
            "schedule": memo.describe(schedule, key), "allowed_hours": hours}
    try:
        source = schedule
        parent_id = dependent_on(schedule)
        if parent_id is not None:
            parent = by_id.get(parent_id)
            if parent is None:
                raise ScheduleError("it runs after scan #%s, which is not among the checked definitions" % parent_id)
            source = parent.get("schedule") or {}
            key = None  # the parent's
            hours += memo.hours(parent.get("name"))
            base["allowed_hours"] = hours
        # One pass over the schedule gives the runs due in the period and, after each, the next one.
        upcoming = memo.due_runs(source, period_start, period_end + hours * 3600, key)
    except ScheduleError as exc:
        return base, (), dict(base, due=None, due_local=None, deadline=None, verdict="unknown_schedule",
                              failing=False, reason="cannot read the schedule: %s" % exc, evidence=None,
                              results_in_window=0, runbook_step=runbook_step("unknown_schedule", scan_visibility))
    runs = []
    for index, (due, start, due_local) in enumerate(upcoming):
        if start >= period_end:
            break
        deadline = start + hours * 3600
        following = upcoming[index + 1][1] if index + 1 < len(upcoming) else deadline
        # the row's part that needs no result, made before the results are in
        row = dict(base, due=int(start), due_local=due_local, deadline=int(deadline))
        runs.append((row, start, deadline, min(deadline, following), due.tzinfo))
    return base, runs, None


def summarize(rows, period):
    failing = sorted({row["name"] for row in rows if row["failing"]}, key=lambda n: (n.lower(), n))
    counts = {verdict: 0 for verdict in VERDICTS}
    for row in rows:
        counts[row["verdict"]] += 1
    return {
        "scans": rows,
        "failing": failing,
        "counts": counts,
        "alert_text": alert_text(failing),
        "remediable": split_remediable(failing)[0],
        "compliant": not failing,
        "period": dict(period, start_at=iso(period["start"]), end_at=iso(period["end"]), now_at=iso(period["now"])),
        "unknown_schedules": sorted({row["name"] for row in rows if row["verdict"] == "unknown_schedule"}),
    }
