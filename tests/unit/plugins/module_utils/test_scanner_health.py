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


def _sc(name, status):
    from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import describe_scanner
    return describe_scanner({"name": name, "ip": "10.0.0.%d" % len(name), "status": status})


def test_report_rows_lines_and_disagreements():
    from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_health import report
    zone = {"name": "Z", "scanners": [_sc("n1", "2"), _sc("n2", "2")]}  # the zone record lags for n2
    scanners = [_sc("n1", "2"), _sc("n2", "1"), _sc("n3", "1")]
    nessus = [{"name": "n1", "state": "down"}, {"name": "n2", "state": "ready"}, {"name": "n3", "state": "ready"}]
    machines = [{"item": n, "server": {"power_state": "on", "active_transaction": None, "backend_ip": "10.1.0.1",
                                       "type": "guest"}} for n in ("n1", "n2", "n3")]
    services = [{"item": "n1", "unreachable": True, "msg": "ssh: connect to host n1 port 22: Connection refused"},
                {"item": "n2", "ansible_facts": {"services": {"nessusd.service": {"state": "running"}}}},
                {"item": "n3", "ansible_facts": {"services": {}}}]
    out = report(zone, scanners, nessus, machines, services, {"n1": ["sensu-uptime: n1 down"]}, True, "nessusd", True)
    rows = {r["name"]: r for r in out["scanners"]}
    assert rows["n1"]["situation"] == "server_down" and rows["n1"]["ladder"] is True  # neither SSH nor Nessus answers
    assert rows["n1"]["ssh"].startswith("unreachable: ssh: connect") and rows["n1"]["nessusd_service"] is None
    assert rows["n1"]["line"].startswith("BAD n1: server_down - the machine answers neither SSH nor Nessus")
    assert rows["n1"]["line"].endswith("(alerts firing: sensu-uptime: n1 down)")
    assert rows["n2"]["situation"] == "healthy" and rows["n2"]["ssh"] == "nessusd.service running"
    assert rows["n3"]["ssh"] == "nessusd.service not installed" and rows["n3"]["nessusd_service"] == "stopped"
    assert out["disagreements"] == ["Zone record says n2 is Connection Error, the scanner record says Working",
                                    "Security Center does not list n3 in the zone record of Z"]
    assert out["unhealthy"] == ["n1"] and out["notes"] == ["0 IPs were scanned in the zone: its scanners are suspects (runbook)"]


def test_report_without_ssh_checks_says_not_checked():
    from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_health import report
    out = report({"name": "Z", "scanners": [_sc("n1", "1")]}, [_sc("n1", "1")], [{"name": "n1", "state": "ready"}],
                 [{"item": "n1", "server": {"power_state": "on"}}])
    (row,) = out["scanners"]
    assert row["ssh"] == "not checked" and row["line"] == "OK  n1: healthy - Security Center: Working; Nessus ready"
    assert out["disagreements"] == [] and out["notes"] == []
