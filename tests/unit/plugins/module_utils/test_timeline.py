"""Whom the incident timeline tells of an entry, and the incident id it accepts (outside input)."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import timeline

TICKET = {"table": "sc_request", "sys_id": "abc", "number": "REQ0010001"}


@pytest.mark.parametrize("value", ["Q1; rm -rf /", "q1abc", "P" * 33, "{{ lookup('pipe', 'id') }}", "A"])
def test_an_incident_id_is_letters_and_digits_only(value):
    with pytest.raises(ValueError):
        timeline.incident_id(value)


def test_targets_follow_the_kind_the_tickets_and_the_failures():
    record = {"incident": "PT4KHLK", "check_mode": False}
    opened = {"kind": "done", "step": "Engage SOS", "text": "opened", "details": {"ticket": TICKET}}
    assert timeline.incident_id(" PT4KHLK ") == "PT4KHLK" and timeline.incident_id(None) == ""
    assert timeline.targets(record, {"kind": "found"}) == []
    assert timeline.targets(record, opened) == [("pagerduty", "PT4KHLK")]  # not the ticket it records itself
    record = timeline.with_tickets(record, opened)
    later = {"kind": "left", "step": "Escalation Policy", "text": "paged", "details": {}}
    assert timeline.targets(record, later) == [("pagerduty", "PT4KHLK"), ("servicenow", TICKET)]
    record["timeline_failed"] = {"pagerduty:PT4KHLK": "PagerDuty incident PT4KHLK: 404"}
    assert timeline.targets(record, later) == [("servicenow", TICKET)]
    assert timeline.targets(dict(record, check_mode=True), later) == []
    assert timeline.note({"run_id": "r", "branch": "b", "subject": "s"}, dict(later, text="x" * 5000)).endswith("...")
