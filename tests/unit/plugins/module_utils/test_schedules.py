"""Which runs a schedule made due in a period, in the scan's own time zone."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.schedules import (
    ScheduleError,
    dependent_on,
    describe,
    due_runs,
    parse_rule,
    parse_start,
)


def epoch(text):
    return datetime.fromisoformat(text).timestamp()


def ical(start, rule, enabled="true"):
    return {"type": "ical", "start": start, "repeatRule": rule, "enabled": enabled}


def dues(schedule, start, end):
    return [d.isoformat() for d in due_runs(schedule, epoch(start), epoch(end))]


@pytest.mark.parametrize("schedule, start, end, expected", [
    # daily at 02:00 New York: one run a day, at 07:00 UTC in winter
    (ical("TZID=America/New_York:20260101T020000", "FREQ=DAILY;INTERVAL=1"),
     "2026-11-25T12:00:00+00:00", "2026-11-26T12:00:00+00:00", ["2026-11-26T02:00:00-05:00"]),
    # every other day, counted from the start date
    (ical("TZID=UTC:20261101T000000", "FREQ=DAILY;INTERVAL=2"),
     "2026-11-24T00:00:00+00:00", "2026-11-28T00:00:00+00:00",
     ["2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00"]),
    # weekly on Saturday: due only on Saturdays
    (ical("TZID=UTC:20260103T040000", "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA"),
     "2026-11-23T00:00:00+00:00", "2026-11-28T04:00:00+00:00", []),
    (ical("TZID=UTC:20260103T040000", "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA"),
     "2026-11-28T00:00:00+00:00", "2026-11-29T00:00:00+00:00", ["2026-11-28T04:00:00+00:00"]),
    # every two weeks, on two days
    (ical("TZID=UTC:20261102T010000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
     "2026-11-02T00:00:00+00:00", "2026-11-20T00:00:00+00:00",
     ["2026-11-02T01:00:00+00:00", "2026-11-05T01:00:00+00:00", "2026-11-16T01:00:00+00:00",
      "2026-11-19T01:00:00+00:00"]),
    # weekly without BYDAY: the start's weekday
    (ical("TZID=UTC:20261104T010000", "FREQ=WEEKLY"),
     "2026-11-10T00:00:00+00:00", "2026-11-19T00:00:00+00:00", ["2026-11-11T01:00:00+00:00", "2026-11-18T01:00:00+00:00"]),
    # Tokyo at 02:00 is 17:00 UTC the day before: around midnight the local date decides
    (ical("TZID=Asia/Tokyo:20260101T020000", "FREQ=WEEKLY;BYDAY=TH"),
     "2026-11-25T00:00:00+00:00", "2026-11-26T00:00:00+00:00", ["2026-11-26T02:00:00+09:00"]),
    # monthly on the first
    (ical("TZID=Europe/London:20260101T030000", "FREQ=MONTHLY;BYMONTHDAY=1"),
     "2026-10-15T00:00:00+00:00", "2026-12-15T00:00:00+00:00",
     ["2026-11-01T03:00:00+00:00", "2026-12-01T03:00:00+00:00"]),
    # UNTIL ends the series, and is itself the last run when it falls on one (RFC 5545)
    (ical("TZID=UTC:20261101T000000", "FREQ=DAILY;UNTIL=20261125T000000Z"),
     "2026-11-24T12:00:00+00:00", "2026-11-27T00:00:00+00:00", ["2026-11-25T00:00:00+00:00"]),
    # a start in the future is not due yet
    (ical("TZID=UTC:20261201T000000", "FREQ=DAILY"), "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
    # a one-off (no repeat rule)
    (ical("TZID=UTC:20261126T010000", ""), "2026-11-26T00:00:00+00:00", "2026-11-27T00:00:00+00:00",
     ["2026-11-26T01:00:00+00:00"]),
    # disabled and non-repeating types are never due
    (ical("TZID=UTC:20260101T000000", "FREQ=DAILY", enabled="false"), "2026-11-25T00:00:00+00:00",
     "2026-11-27T00:00:00+00:00", []),
    ({"type": "template", "start": "", "repeatRule": ""}, "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
    ({"type": "now"}, "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
    ({"type": "rollover"}, "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
    ({"type": "never"}, "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
    (None, "2026-11-25T00:00:00+00:00", "2026-11-27T00:00:00+00:00", []),
])
def test_due_runs(schedule, start, end, expected):
    assert dues(schedule, start, end) == expected


def test_daylight_saving_keeps_local_time():
    schedule = ical("TZID=America/New_York:20260101T020000", "FREQ=DAILY")
    assert dues(schedule, "2026-10-31T00:00:00+00:00", "2026-11-02T12:00:00+00:00") == [
        "2026-10-31T02:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-02T02:00:00-05:00"]


@pytest.mark.parametrize("schedule, message", [
    (ical("TZID=Mars/Olympus:20260101T020000", "FREQ=DAILY"), "unknown time zone 'Mars/Olympus'"),
    (ical("2026-01-01 02:00", "FREQ=DAILY"), "not an iCalendar date-time"),
    (ical("TZID=UTC:20260101T020000", "INTERVAL=1"), "has no FREQ"),
    (ical("TZID=UTC:20260101T020000", "FREQ=HOURLY"), "FREQ=HOURLY is not read"),
    (ical("TZID=UTC:20260101T020000", "FREQ=DAILY;COUNT=3"), "uses COUNT"),
    (ical("TZID=UTC:20260101T020000", "FREQ=WEEKLY;BYDAY=XX"), "not a weekday"),
    (ical("TZID=UTC:20260101T020000", "FREQ=DAILY;INTERVAL=0"), "must be 1 or more"),
    (ical("", "FREQ=DAILY"), "no start"),
    ({"type": "cron"}, "not one Security Center documents"),
])
def test_unreadable_schedules_say_why(schedule, message):
    with pytest.raises(ScheduleError, match=message):
        due_runs(schedule, 0, 2 * 10 ** 9)


def test_parse_start_forms():
    assert parse_start("20261126T010203Z") == datetime(2026, 11, 26, 1, 2, 3, tzinfo=timezone.utc)
    assert parse_start("TZID=Europe/Paris:20261126T010203").utcoffset().total_seconds() == 3600


def test_parse_rule():
    assert parse_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU") == {
        "freq": "WEEKLY", "interval": 2, "byday": [5, 6], "bymonthday": [], "until": None}


def test_dependent_and_describe():
    dependent = {"type": "dependent", "dependentID": 14, "dependent": {"id": 14, "name": "Daily IP Scan"}, "enabled": True}
    assert dependent_on(dependent) == 14
    assert due_runs(dependent, 0, 2 * 10 ** 9) == []
    assert describe(dependent) == "after Daily IP Scan"
    assert describe(ical("TZID=America/New_York:20260101T020000", "FREQ=DAILY;INTERVAL=1")) == \
        "daily at 02:00 America/New_York"
    assert describe(ical("TZID=UTC:20260103T040000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA")) == "every 2 weeks on SA at 04:00 UTC"
    assert describe({"type": "template"}) == "template"
    assert describe(ical("TZID=UTC:20260103T040000", "FREQ=DAILY", enabled="false")) == "disabled (ical)"
    assert describe(ical("TZID=Nowhere/Land:20260103T040000", "FREQ=DAILY")).startswith("unreadable")


schedules = st.fixed_dictionaries({
    "type": st.sampled_from(["ical", "dependent", "template", "never", "now", "rollover", "", "weird", None]),
    "start": st.one_of(st.text(max_size=40), st.builds(
        lambda tz, y, m, d, h: "TZID=%s:%04d%02d%02dT%02d0000" % (tz, y, m, d, h),
        st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo", "Europe/London", "Bad/Zone", ""]),
        st.integers(1990, 2100), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25))),
    "repeatRule": st.one_of(st.text(max_size=60), st.builds(
        lambda f, i, b: "FREQ=%s;INTERVAL=%s;BYDAY=%s" % (f, i, b),
        st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", ""]), st.integers(-2, 5),
        st.sampled_from(["", "MO", "SA,SU", "XX", "MO,,TU"]))),
    "enabled": st.sampled_from(["true", "false", True, None, "garbage"]),
})


@settings(max_examples=400, deadline=None)
@given(schedules, st.integers(0, 4 * 10 ** 9), st.integers(0, 40 * 86400))
def test_no_schedule_makes_the_reader_crash(schedule, start, length):
    try:
        runs = due_runs(schedule, start, start + length)
    except ScheduleError:
        return
    assert all(start <= run.timestamp() < start + length for run in runs)
    assert runs == sorted(runs)
    describe(schedule)
