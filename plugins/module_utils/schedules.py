# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read Security Center scan schedules: which runs were due in a period, in the scan's own time zone.

A schedule is ``{type, start, repeatRule, enabled, ...}``. Only ``ical`` schedules repeat: ``start``
is an iCalendar date-time (``TZID=America/New_York:20260101T020000``, or ``...Z`` for UTC) and
``repeatRule`` an RFC 5545 rule (``FREQ=DAILY;INTERVAL=1``, ``FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU``,
``FREQ=MONTHLY;BYMONTHDAY=1``, with ``UNTIL``). ``dependent`` schedules run after another scan;
``template``, ``never``, ``now`` and ``rollover`` are never due. Pure functions, no I/O; the cost
is proportional to the days in the period, not to the schedule's age.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9 is not a controller Python
    ZoneInfo = None
    ZoneInfoNotFoundError = Exception

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
NEVER_DUE = frozenset(("template", "never", "now", "rollover"))
SUPPORTED_PARTS = frozenset(("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "WKST"))


class ScheduleError(ValueError):
    """A schedule this module cannot read; the message says why."""


def parse_start(start):
    """``TZID=Zone:YYYYMMDDTHHMMSS`` / ``YYYYMMDDTHHMMSSZ`` / floating -> an aware datetime."""
    if not start:
        raise ScheduleError("no start")
    text = str(start).strip()
    zone = timezone.utc
    if text.upper().startswith("TZID="):
        name, sep, text = text[5:].partition(":")
        if not sep:
            raise ScheduleError("start %r has a TZID but no date-time" % start)
        zone = _zone(name)
    elif text.endswith("Z"):
        text = text[:-1]
    try:
        moment = datetime.strptime(text, "%Y%m%dT%H%M%S")
    except ValueError:
        raise ScheduleError("start %r is not an iCalendar date-time (YYYYMMDDTHHMMSS)" % start)
    return moment.replace(tzinfo=zone)


def _zone(name):
    if ZoneInfo is None:
        raise ScheduleError("time zones need Python 3.9 or later")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, KeyError):
        raise ScheduleError("unknown time zone %r" % name)


def parse_rule(rule):
    """An RRULE string -> dict with ``freq``, ``interval``, ``byday``, ``bymonthday``, ``until``."""
    parts = {}
    for item in str(rule or "").strip().strip(";").split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise ScheduleError("repeat rule part %r is not KEY=VALUE" % item)
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq is None:
        raise ScheduleError("repeat rule %r has no FREQ" % rule)
    unsupported = sorted(set(parts) - SUPPORTED_PARTS)
    if unsupported:
        raise ScheduleError("repeat rule %r uses %s, which this check does not read" % (rule, ", ".join(unsupported)))
    try:
        interval = int(parts.get("INTERVAL", "1"))
    except ValueError:
        raise ScheduleError("INTERVAL in %r is not a number" % rule)
    if interval < 1:
        raise ScheduleError("INTERVAL in %r must be 1 or more" % rule)
    byday = []
    for day in filter(None, parts.get("BYDAY", "").split(",")):
        if day not in WEEKDAYS:
            raise ScheduleError("BYDAY value %r in %r is not a weekday (MO..SU)" % (day, rule))
        byday.append(WEEKDAYS[day])
    bymonthday = []
    for day in filter(None, parts.get("BYMONTHDAY", "").split(",")):
        try:
            number = int(day)
        except ValueError:
            raise ScheduleError("BYMONTHDAY value %r in %r is not a number" % (day, rule))
        if not 1 <= number <= 31:
            raise ScheduleError("BYMONTHDAY value %r in %r is out of range" % (day, rule))
        bymonthday.append(number)
    until = None
    if "UNTIL" in parts:
        until = parse_start(parts["UNTIL"] if parts["UNTIL"].endswith("Z") else parts["UNTIL"] + "Z")
    return {"freq": freq, "interval": interval, "byday": byday, "bymonthday": bymonthday, "until": until}


def is_enabled(schedule):
    value = (schedule or {}).get("enabled", True)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def due_runs(schedule, start_epoch, end_epoch):
    """The due times (aware datetimes in the scan's zone) with ``start_epoch <= t < end_epoch``.

    Raises ScheduleError for an ``ical`` schedule it cannot read. ``dependent`` schedules have no
    times of their own (see ``dependent_on``); other non-ical types and disabled schedules are never due.
    """
    schedule = schedule or {}
    kind = schedule.get("type") or "never"
    if kind in NEVER_DUE or not is_enabled(schedule):
        return []
    if kind == "dependent":
        return []
    if kind != "ical":
        raise ScheduleError("schedule type %r is not one Security Center documents" % kind)
    first = parse_start(schedule.get("start"))
    rule_text = schedule.get("repeatRule") or ""
    if not rule_text.strip() or rule_text.strip().upper().startswith("FREQ=ONCE"):
        moment = first.timestamp()
        return [first] if start_epoch <= moment < end_epoch else []
    rule = parse_rule(rule_text)
    zone = first.tzinfo
    day = datetime.fromtimestamp(start_epoch, zone).date() - timedelta(days=1)
    last_day = datetime.fromtimestamp(end_epoch, zone).date() + timedelta(days=1)
    out = []
    while day <= last_day:
        if day >= first.date() and _matches(rule, first, day):
            local = datetime(day.year, day.month, day.day, first.hour, first.minute, first.second, tzinfo=zone)
            if rule["until"] is not None and local > rule["until"]:
                break
            if start_epoch <= local.timestamp() < end_epoch:
                out.append(local)
        day += timedelta(days=1)
    return out


def _matches(rule, first, day):
    freq, interval = rule["freq"], rule["interval"]
    if freq == "DAILY":
        return (day - first.date()).days % interval == 0 and (not rule["byday"] or day.weekday() in rule["byday"])
    if freq == "WEEKLY":
        week0 = first.date() - timedelta(days=first.weekday())
        weeks = (day - week0).days // 7
        days = rule["byday"] or [first.weekday()]
        return weeks % interval == 0 and day.weekday() in days
    if freq == "MONTHLY":
        months = (day.year - first.year) * 12 + day.month - first.month
        days = rule["bymonthday"] or [first.day]
        return months % interval == 0 and day.day in days
    raise ScheduleError("FREQ=%s is not read by this check (DAILY, WEEKLY, MONTHLY are)" % freq)


def dependent_on(schedule):
    """The id of the scan a ``dependent`` schedule follows, or None."""
    schedule = schedule or {}
    if schedule.get("type") != "dependent":
        return None
    parent = schedule.get("dependentID")
    if parent is None:
        parent = (schedule.get("dependent") or {}).get("id")
    return parent


def describe(schedule):
    """A short human reading of a schedule ("daily at 02:00 America/New_York")."""
    schedule = schedule or {}
    kind = schedule.get("type") or "never"
    if not is_enabled(schedule):
        return "disabled (%s)" % kind
    if kind == "dependent":
        parent = (schedule.get("dependent") or {}).get("name") or dependent_on(schedule)
        return "after %s" % parent
    if kind != "ical":
        return kind
    try:
        first = parse_start(schedule.get("start"))
        rule = parse_rule(schedule.get("repeatRule")) if schedule.get("repeatRule") else None
    except ScheduleError as exc:
        return "unreadable (%s)" % exc
    at = "%s %s" % (first.strftime("%H:%M"), getattr(first.tzinfo, "key", "UTC"))
    if rule is None:
        return "once on %s at %s" % (first.strftime("%Y-%m-%d"), at)
    every = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}.get(rule["freq"], rule["freq"].lower())
    lead = ("every %d %ss" % (rule["interval"], every)) if rule["interval"] > 1 else {"day": "daily", "week": "weekly",
                                                                                      "month": "monthly"}.get(every, every)
    names = {v: k for k, v in WEEKDAYS.items()}
    on = ""
    if rule["byday"]:
        on = " on " + ",".join(names[d] for d in rule["byday"])
    elif rule["bymonthday"]:
        on = " on day " + ",".join(str(d) for d in rule["bymonthday"])
    return "%s%s at %s" % (lead, on, at)
