"""LocalTimes (the check's evidence times) gives datetime's own ISO 8601 texts, in every zone and at every offset change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.compliance import LocalTimes, evidence

# daylight saving (New York, London), half-hour saving (Lord Howe), odd offsets (Kathmandu +05:45, Chatham +12:45,
# St John's -03:30), offsets with seconds before 1972 (Monrovia -00:44:30, Amsterdam +00:19:32) and fixed ones
ZONES = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(seconds=-2670)),
         *(ZoneInfo(name) for name in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu",
                                       "Pacific/Chatham", "America/St_Johns", "Africa/Monrovia", "Europe/Amsterdam",
                                       "Asia/Tokyo", "UTC"))]


def exact(epoch, zone):
    return datetime.fromtimestamp(epoch, zone).isoformat()


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(ZONES), st.integers(min_value=-2_000_000_000, max_value=4_000_000_000))
def test_any_time_in_any_zone_reads_as_datetime_reads_it(zone, epoch):
    local = LocalTimes()
    assert local.iso(epoch, zone) == exact(epoch, zone)
    # a second reading in the same minute comes from the minute's text
    neighbour = epoch - epoch % 60 + (epoch * 7 + 13) % 60
    assert local.iso(neighbour, zone) == exact(neighbour, zone)


@pytest.mark.parametrize("name, change", [
    ("America/New_York", "2026-03-08T07:00:00+00:00"),  # 02:00 EST -> 03:00 EDT
    ("America/New_York", "2026-11-01T06:00:00+00:00"),  # 02:00 EDT -> 01:00 EST: a repeated local hour
    ("Australia/Lord_Howe", "2026-04-04T15:00:00+00:00"),  # half an hour back
    ("Europe/London", "2026-10-25T01:00:00+00:00"),
])
def test_every_second_around_an_offset_change(name, change):
    zone = ZoneInfo(name)
    at = int(datetime.fromisoformat(change).timestamp())
    local = LocalTimes()
    for epoch in range(at - 150, at + 150):
        assert local.iso(epoch, zone) == exact(epoch, zone), epoch


def test_a_minute_with_an_offset_in_seconds_is_read_exactly():
    zone = ZoneInfo("Africa/Monrovia")  # -00:44:30 until 1972
    local = LocalTimes()
    epoch = int(datetime(1960, 5, 1, 12, 0, 7, tzinfo=timezone.utc).timestamp())
    assert local.iso(epoch, zone) == exact(epoch, zone) == "1960-05-01T11:15:37-00:44:30"
    assert local.minutes[zone][epoch // 60] == ()  # no minute text for such a minute


def test_fractions_and_the_minute_text_are_datetime_s():
    local = LocalTimes()
    zone = ZoneInfo("Asia/Kathmandu")
    assert local.iso(1795654860.25, zone) == exact(1795654860.25, zone) == "2026-11-26T06:46:00.250000+05:45"
    assert local.iso(1795654861, zone) == "2026-11-26T06:46:01+05:45"
    assert local.minutes[zone][1795654861 // 60] == ("2026-11-26T06:46:", "+05:45")


def test_evidence_reads_its_times_through_the_judgement_s_local_times():
    result = {"id": 5, "status": "Completed", "createdTime": 1795654800, "startTime": 1795654860,
              "finishTime": None, "totalIPs": 4, "scannedIPs": 4, "totalChecks": 10, "completedChecks": 5}
    zone = ZoneInfo("America/New_York")
    local = LocalTimes()
    shared = evidence(result, zone, local)
    assert shared == evidence(result, zone)
    assert shared["created_at"] == "2026-11-25T20:00:00-05:00" and shared["finished_at"] is None
    assert shared["percent"] == 50.0
    assert len(local.minutes[zone]) == 2  # created and started, each minute read once


def test_a_time_at_the_end_of_datetime_s_range_is_read_as_datetime_reads_it():
    zone = timezone(timedelta(seconds=30))  # the minute's last second is past the year 9999 in this zone
    assert LocalTimes().iso(253402300740, zone) == exact(253402300740, zone) == "9999-12-31T23:59:30+00:00:30"
