"""Security Center's string typing, converted in one place: checked on real recorded answers."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.sc_types import (
    dedupe_by_id,
    normalize,
    select_by_name,
    to_bool,
    to_epoch,
    to_id,
    to_int,
    usable_and_manageable,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "securitycenter")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)["response"]


@pytest.mark.parametrize("value, expected", [
    ("121", 121), (121, 121), ("-1", -1), ("", None), (None, None), ("unlimited", None), (1.0, 1), ("3.0", 3),
    (True, None),
])
def test_to_int(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("1550037606", 1550037606), ("-1", None), (-1, None), ("0", None), (0, None), ("", None), (None, None),
])
def test_to_epoch_treats_security_center_unset_markers_as_none(value, expected):
    assert to_epoch(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("false", False), (True, True), (False, False), ("TRUE", True), (None, None), ("maybe", None),
])
def test_to_bool(value, expected):
    assert to_bool(value) == expected


@pytest.mark.parametrize("value, expected", [("18", 18), (-1, None), ("-1", None), (0, 0), (None, None)])
def test_to_id_maps_null_reference_to_none(value, expected):
    assert to_id(value) == expected


def test_completed_result_detail_is_typed():
    result = normalize(fixture("scanresult_detail_completed.json"))
    assert result["id"] == 121
    assert result["totalIPs"] == 2048 and result["scannedIPs"] == 2048
    assert result["running"] is False and result["downloadAvailable"] is True
    assert result["startTime"] == 1550037606 and result["finishTime"] == 1550039578
    assert result["scan"]["id"] is None  # the recorded definition reference is -1
    progress = result["progress"]
    assert progress["completedIPs"] == 2048 and progress["scannedSize"] == 49
    # inside progress, scannedIPs is a range string, not a count
    assert progress["scannedIPs"].startswith("192.168.100.1,")
    assert progress["scanners"][0]["id"] == 1


def test_error_result_with_empty_progress():
    result = normalize(fixture("scanresult_detail_error_xsoar.json"))
    assert result["status"] == "Error"
    assert result["progress"] == {}
    assert result["startTime"] is None and result["totalIPs"] == -1
    assert result["errorDetails"] == "Scan IPs are not within your accessible range."


def test_docs_example_with_raw_types_is_typed_the_same():
    launch = normalize(fixture("scan_launch_docs_example.json"))
    assert launch["scanResult"]["running"] is False
    assert launch["scanResult"]["totalIPs"] == -1
    assert launch["scanResult"]["startTime"] is None


def test_scan_schedule_and_null_zone():
    scan = normalize(fixture("scan_detail_template_schedule.json"))
    assert scan["maxScanTime"] == 3600
    assert scan["zone"]["id"] is None
    assert scan["schedule"]["type"] == "template" and scan["schedule"]["nextRun"] is None
    dependent = normalize(fixture("scan_detail_dependent_schedule_docs_example.json"))
    assert dependent["schedule"]["dependentID"] == 14


def test_usable_and_manageable_are_merged_without_duplicates():
    items = usable_and_manageable(fixture("scanresult_list_completed_partial.json"))
    assert [item["id"] for item in items] == ["120", "121", "122", "123", "124"]
    assert usable_and_manageable(fixture("zone_list_fields.json"))[0]["id"] == "7"
    assert usable_and_manageable("") == []


def test_dedupe_keeps_first_and_order():
    assert dedupe_by_id([{"id": 1, "x": "a"}], [{"id": 2}, {"id": 1, "x": "b"}]) == [{"id": 1, "x": "a"}, {"id": 2}]


def test_select_by_name_names_unknown_and_known():
    items = [{"name": "a"}, {"name": "b"}]
    assert select_by_name(items, None, "zone") == items
    assert select_by_name(items, ["b"], "zone") == [{"name": "b"}]
    with pytest.raises(ValueError, match=r"unknown zone: NOPE; Security Center has: a, b"):
        select_by_name(items, ["NOPE"], "zone")


@pytest.mark.parametrize("name", sorted(name for name in os.listdir(FIXTURES) if name.endswith(".json")))
def test_an_owned_payload_is_converted_in_place_to_the_same_values(name):
    copied = normalize(fixture(name))
    payload = fixture(name)
    owned = normalize(payload, owned=True)
    assert owned == copied
    if isinstance(payload, dict):
        assert owned is payload  # no second copy of the answer
    elif isinstance(payload, list) and payload and isinstance(payload[0], dict):
        assert owned[0] is payload[0]


def test_a_payload_not_owned_is_left_as_it_was():
    payload = fixture("scanresult_detail_completed.json")
    before = json.dumps(payload, sort_keys=True)
    normalize(payload)
    assert json.dumps(payload, sort_keys=True) == before
