"""Which of the runbook's situations a scanner is in, from its evidence."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_health import (
    LADDER, classify)

CE = "Connection Error"


@pytest.mark.parametrize("args, kwargs, expected", [
    ((True, "Working", "ready"), {"power": "on"}, "healthy"),
    ((False, CE, "unreachable"), {"power": "off"}, "server_down"),
    ((False, CE, "unreachable"), {"power": "on", "transaction": "RELOAD"}, "starting"),
    ((False, "Reloading Scanner", "loading"), {"power": "on"}, "starting"),
    ((False, "Authentication Error", "ready"), {"power": "on"}, "not_reenabled"),
    ((False, CE, "unreachable"), {"power": "on"}, "nessusd_not_running"),
    ((False, CE, "unreachable"), {"power": "on", "nessusd_service": "stopped", "ssh": "reachable"}, "nessusd_not_running"),
    ((False, CE, "unreachable"), {"power": "on", "nessusd_service": "running", "ssh": "reachable"}, "unknown"),
    ((False, CE, "unreachable"), {"power": "on", "ssh": "unreachable"}, "server_down"),
    ((False, CE, "unreachable"), {}, "server_down"),
])
def test_situations(args, kwargs, expected):
    assert classify(*args, **kwargs)[0] == expected


def test_reasons_name_the_evidence():
    assert "seen over SSH" in classify(False, CE, "unreachable", "on", "stopped", ssh="reachable")[1]
    assert "neither SSH nor Nessus" in classify(False, CE, "unreachable", "on", ssh="unreachable")[1]
    assert "SOS must re-enable" in classify(False, "Authentication Error", "ready", "on")[1]


def test_only_the_first_two_situations_take_the_ladder():
    assert LADDER == {"nessusd_not_running", "server_down"}
