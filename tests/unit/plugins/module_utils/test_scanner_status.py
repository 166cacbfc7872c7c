"""The scanner status bit field, decoded."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import (
    SCANNER_STATUS_BITS,
    decode_scanner_status,
    describe_zone,
)


@pytest.mark.parametrize("status, flags, healthy, transient", [
    ("1", ["Working"], True, False),
    ("8193", ["Working", "Updating Status"], True, True),          # recorded right after updateStatus
    ("1025", ["Working", "Updating Plugins"], True, True),
    ("8192", ["Updating Status"], False, True),                   # a freshly added scanner
    ("2", ["Connection Error"], False, False),
    ("4", ["Connection Timeout"], False, False),
    ("32", ["Authentication Error"], False, False),
    ("16385", ["Working", "User Disabled"], False, False),
    ("257", ["Working", "Plugins Out of Sync"], True, False),
    (1, ["Working"], True, False),
])
def test_decode_table(status, flags, healthy, transient):
    decoded = decode_scanner_status(status)
    assert decoded["flags"] == flags
    assert decoded["healthy"] is healthy
    assert decoded["transient"] is transient
    assert decoded["summary"] == ", ".join(flags)


@pytest.mark.parametrize("status", [None, "", "garbage", -1])
def test_unreadable_status_is_never_healthy(status):
    decoded = decode_scanner_status(status)
    assert decoded["healthy"] is False
    assert decoded["summary"].startswith("Unknown")


def test_zero_is_not_working():
    assert decode_scanner_status("0") == {
        "code": 0, "flags": [], "errors": [], "working": False, "healthy": False, "transient": False,
        "summary": "Unknown (status 0)"}


def test_unknown_bits_are_named_and_count_as_errors():
    decoded = decode_scanner_status(1 | (1 << 21))
    assert decoded["flags"] == ["Working", "Unknown bit 2097152"]
    assert decoded["healthy"] is False


@given(st.integers(min_value=0, max_value=(1 << 24) - 1))
def test_every_set_bit_is_named_once(code):
    decoded = decode_scanner_status(str(code))
    assert len(decoded["flags"]) == bin(code).count("1")
    assert decoded["healthy"] == bool(code & 1 and not decoded["errors"])


def test_bits_are_distinct_powers_of_two():
    bits = [bit for bit, _name, _kind in SCANNER_STATUS_BITS]
    assert len(set(bits)) == len(bits) and all(bit & (bit - 1) == 0 for bit in bits)


def test_zone_lists_healthy_and_unhealthy_scanners():
    zone = describe_zone({"name": "Z", "scanners": [{"name": "a", "status": "1"}, {"name": "b", "status": "2"}]})
    assert zone["healthy_scanners"] == ["a"] and zone["unhealthy_scanners"] == ["b"] and zone["healthy"] is False
    assert describe_zone({"name": "empty", "scanners": []})["healthy"] is False
