"""The scan-zone table: checks, host facts, scan-name mapping and drift."""

from __future__ import annotations

import os

import pytest
import yaml
from hypothesis import given, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import (
    TableError,
    load_table,
    safe_group_name,
    scanner_facts,
    validate_zone,
    zone_drift,
    zone_for_scan,
)

SHIPPED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "inventory", "alc.scan_zones.yml")


@pytest.fixture(scope="module")
def table():
    with open(SHIPPED, encoding="utf-8") as handle:
        return load_table(yaml.safe_load(handle)["zones"], "alc.scan_zones.yml")


def private(name="ALC_Prod_WDC06_SZ", scanners=("prod-wdc06-infra-nessus-01",), **extra):
    return dict(name=name, visibility="private", scanners=list(scanners), **extra)


def test_the_shipped_table_is_the_runbooks(table):
    privates = [z for z in table if z["visibility"] == "private"]
    assert [z["name"] for z in privates] == [
        "ALC_Dev_MON01_SZ", "ALC_PreStage_MON01_SZ", "ALC_Stage_DAL09_SZ", "ALC_stgiks_DAL10_SZ", "ALC_Prod_TOK02_SZ",
        "ALC_Prod_DAL09_SZ", "ALC_Prod_WDC06_SZ", "ALC_Prod_LON02_SZ", "ALC_Sup_WDC04_SZ"]
    assert sum(len(z["scanners"]) for z in privates) == 17
    assert [z["name"] for z in table if z["visibility"] == "public"] == ["ALC_SOS_SZ", "ALC_SOS~FR2_SZ"]
    wdc06 = next(z for z in table if z["name"] == "ALC_Prod_WDC06_SZ")
    assert wdc06["scanners"] == ["prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]
    assert wdc06["bastion_target"] == "prod-wdc04-carrier1-worker-1001"
    assert wdc06["bastion_job_path"] == "armada-ops/bastion-register-nodes-ww"
    assert wdc06["site_settings_missing"] == ["domain"]
    dev = table[0]
    assert dev["accounts"] == ["659397", "1186049"] and dev["site_settings_missing"] == ["domain", "bastion_target"]


@pytest.mark.parametrize("zones, message", [
    ([private(), private("ALC_Other_SZ")], "zone ALC_Other_SZ: scanner prod-wdc06-infra-nessus-01 is also in zone "
                                           "ALC_Prod_WDC06_SZ (duplicate scanner)"),
    ([private(scanners=())], "zone ALC_Prod_WDC06_SZ: a private zone needs scanners"),
    ([private(colour="red")], "zone ALC_Prod_WDC06_SZ: unknown field(s) colour"),
    ([dict(private(), visibility="secret")], "zone ALC_Prod_WDC06_SZ: visibility must be private or public, got 'secret'"),
    ([private(), private()], "zone ALC_Prod_WDC06_SZ: listed twice"),
    ([private(bastion_job="mars")], "bastion_job must be one of ww, eu-fr2, got 'mars'"),
    ([dict(name="ALC_SOS_SZ", visibility="public", scanners=["x-1"])], "a public zone runs on the SOS team's scanners"),
    ([private(scanners=["Not A Host"])], "scanner 'Not A Host' is not a host name"),
    ([{"visibility": "private"}], "zone #1: has no name"),
    ([], "'zones' must be a non-empty list"),
    ("nope", "'zones' must be a non-empty list"),
])
def test_table_errors_name_the_source_zone_and_problem(zones, message):
    with pytest.raises(TableError) as err:
        load_table(zones, "site.scan_zones.yml")
    assert str(err.value).startswith("site.scan_zones.yml")
    assert message in str(err.value)


def test_scanner_facts(table):
    wdc06 = next(z for z in table if z["name"] == "ALC_Prod_WDC06_SZ")
    assert scanner_facts(wdc06, "prod-wdc06-infra-nessus-02") == {
        "scan_zone": "ALC_Prod_WDC06_SZ", "scan_zone_visibility": "private", "scanner_environment": "prod",
        "scanner_datacenter": "wdc06", "scanner_regions": ["us-east"], "scanner_accounts": [], "bastion_job": "ww",
        "bastion_job_path": "armada-ops/bastion-register-nodes-ww", "bastion_target": "prod-wdc04-carrier1-worker-1001",
        "classic_hostname": "prod-wdc06-infra-nessus-02", "classic_domain": None, "site_settings_missing": ["domain"]}


def test_environment_and_datacenter_come_from_the_name_when_the_table_is_silent():
    (zone,) = load_table([private()])
    facts = scanner_facts(zone, "prod-wdc06-infra-nessus-01")
    assert (facts["scanner_environment"], facts["scanner_datacenter"]) == ("prod", "wdc06")


def test_group_names():
    assert safe_group_name("ALC_SOS~FR2_SZ") == "ALC_SOS_FR2_SZ"
    assert safe_group_name("ALC_Prod_WDC06_SZ") == "ALC_Prod_WDC06_SZ"
    assert safe_group_name("9zone") == "_9zone"


def test_validate_zone(table):
    assert validate_zone("ALC_Prod_WDC06_SZ", table, "private")["name"] == "ALC_Prod_WDC06_SZ"
    with pytest.raises(ValueError, match=r"unknown scan zone 'NOPE'; valid private zones: ALC_Dev_MON01_SZ, "):
        validate_zone("NOPE", table, "private")
    with pytest.raises(ValueError, match=r"ALC_SOS_SZ is a public scan zone; this needs a private one"):
        validate_zone("ALC_SOS_SZ", table, "private")


@pytest.mark.parametrize("scan, sc_zone, zone, source, disagreement", [
    ("ALC_Prod_WDC06_private_import", None, "ALC_Prod_WDC06_SZ", "naming_rule", None),
    ("ALC_Prod_WDC06_CM7_All-ports", None, "ALC_Prod_WDC06_SZ", "naming_rule", None),
    ("ALC_stgiks_DAL10_private_import", None, "ALC_stgiks_DAL10_SZ", "naming_rule", None),
    ("ALC_all_envs_public_import", None, "ALC_SOS_SZ", "naming_rule", None),
    ("ALC_FR2_public_import", None, "ALC_SOS~FR2_SZ", "naming_rule", None),
    ("ALC_Prod_WDC06_private_import", "ALC_Prod_WDC06_SZ", "ALC_Prod_WDC06_SZ", "security_center", None),
    ("ALC_Prod_WDC06_private_import", "ALC_Prod_DAL09_SZ", "ALC_Prod_DAL09_SZ", "security_center",
     "the name of ALC_Prod_WDC06_private_import points to ALC_Prod_WDC06_SZ but Security Center runs it in "
     "ALC_Prod_DAL09_SZ; using ALC_Prod_DAL09_SZ"),
    ("weird_scan", "ALC_SOS_SZ", "ALC_SOS_SZ", "security_center", None),
])
def test_zone_for_scan(table, scan, sc_zone, zone, source, disagreement):
    found = zone_for_scan(scan, table, sc_zone)
    assert (found["zone"], found["source"], found["disagreement"]) == (zone, source, disagreement)


def test_unknown_scan_names_say_what_was_expected(table):
    with pytest.raises(ValueError, match=r"cannot tell the scan zone of 'weird_scan': expected <zone prefix>_private_import"):
        zone_for_scan("weird_scan", table)
    with pytest.raises(ValueError, match=r"Security Center zone Nowhere_SZ, which the scan-zone table does not have"):
        zone_for_scan("ALC_Prod_WDC06_private_import", table, "Nowhere_SZ")


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20)))
def test_zone_for_scan_never_crashes(scan, sc_zone):
    zones = load_table([private(), dict(name="ALC_SOS_SZ", visibility="public")])
    try:
        found = zone_for_scan(scan, zones, sc_zone)
    except ValueError:
        return
    assert found["zone"] in ("ALC_Prod_WDC06_SZ", "ALC_SOS_SZ")


def sc_zone(name, *scanners):
    return {"name": name, "scanners": [{"name": s} for s in scanners]}


def test_drift_in_sync_and_each_kind_of_difference(table):
    sc_zones = [sc_zone(z["name"], *z["scanners"]) for z in table]
    assert zone_drift(table, sc_zones)["in_sync"] is True
    moved = [z for z in sc_zones if z["name"] not in ("ALC_Prod_DAL09_SZ", "ALC_Prod_LON02_SZ", "ALC_Sup_WDC04_SZ")]
    moved.append(sc_zone("ALC_Prod_DAL09_SZ", "prod-dal09-infra-nessus-01", "prod-dal09-infra-nessus-02",
                         "prod-dal09-infra-nessus-04"))
    moved.append(sc_zone("ALC_Prod_LON02_SZ", "prod-lon02-infra-nessus-01", "prod-lon02-infra-nessus-02",
                         "prod-dal09-infra-nessus-03"))
    moved.append(sc_zone("ALC_Unknown_SZ"))
    drift = zone_drift(table, moved)
    assert drift["zones_missing_in_sc"] == ["ALC_Sup_WDC04_SZ"]
    assert drift["zones_not_in_table"] == ["ALC_Unknown_SZ"]
    assert drift["scanners_missing_in_sc"] == ["prod-lon02-infra-nessus-03", "sup-wdc04-infra-nessus-01"]
    assert drift["scanners_not_in_table"] == ["prod-dal09-infra-nessus-04"]
    assert drift["scanners_in_another_zone"] == [
        {"scanner": "prod-dal09-infra-nessus-03", "table_zone": "ALC_Prod_DAL09_SZ", "sc_zones": ["ALC_Prod_LON02_SZ"]}]
    assert drift["in_sync"] is False
    assert "Scanner prod-dal09-infra-nessus-03 is in ALC_Prod_DAL09_SZ in the table, in ALC_Prod_LON02_SZ in " \
           "Security Center" in drift["report"]
