"""The scan_zones inventory plugin, loaded the way Ansible loads it."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible.errors import AnsibleParserError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

SHIPPED = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "inventory", "alc.scan_zones.yml"))


def load(path):
    return InventoryManager(loader=DataLoader(), sources=[str(path)])


@pytest.fixture(scope="module")
def shipped():
    return load(SHIPPED)


def test_verify_file_by_suffix(tmp_path):
    plugin = inventory_loader.get("conductors.nessus_compliance.scan_zones")
    for name, ok in (("alc.scan_zones.yml", True), ("scan_zones.yaml", True), ("hosts.yml", False), ("zones.ini", False)):
        (tmp_path / name).write_text("plugin: conductors.nessus_compliance.scan_zones\n")
        assert plugin.verify_file(str(tmp_path / name)) is ok


def test_groups_and_counts(shipped):
    groups = shipped.groups
    privates = sorted(child.name for child in groups["private_zones"].child_groups)
    assert privates == sorted([
        "ALC_Dev_MON01_SZ", "ALC_PreStage_MON01_SZ", "ALC_Stage_DAL09_SZ", "ALC_stgiks_DAL10_SZ", "ALC_Prod_TOK02_SZ",
        "ALC_Prod_DAL09_SZ", "ALC_Prod_WDC06_SZ", "ALC_Prod_LON02_SZ", "ALC_Sup_WDC04_SZ"])
    assert sorted(child.name for child in groups["public_zones"].child_groups) == ["ALC_SOS_FR2_SZ", "ALC_SOS_SZ"]
    assert groups["ALC_SOS_FR2_SZ"].get_hosts() == [] and groups["ALC_SOS_SZ"].get_hosts() == []
    assert len(groups["scanners"].get_hosts()) == 17
    assert len(groups["private_zones"].get_hosts()) == 17
    counts = {name: len(groups[name].get_hosts()) for name in privates}
    assert counts == {"ALC_Dev_MON01_SZ": 1, "ALC_PreStage_MON01_SZ": 2, "ALC_Stage_DAL09_SZ": 1, "ALC_stgiks_DAL10_SZ": 2,
                      "ALC_Prod_TOK02_SZ": 2, "ALC_Prod_DAL09_SZ": 3, "ALC_Prod_WDC06_SZ": 2, "ALC_Prod_LON02_SZ": 3,
                      "ALC_Sup_WDC04_SZ": 1}
    envs = {name[4:]: len(group.get_hosts()) for name, group in groups.items() if name.startswith("env_")}
    assert envs == {"dev": 1, "prestage": 2, "stage": 1, "stgiks": 2, "prod": 10, "sup": 1}
    dcs = {name[3:]: len(group.get_hosts()) for name, group in groups.items() if name.startswith("dc_")}
    assert dcs == {"mon01": 3, "dal09": 4, "dal10": 2, "tok02": 2, "wdc06": 2, "lon02": 3, "wdc04": 1}


def test_host_vars(shipped):
    host = shipped.get_host("prod-wdc06-infra-nessus-01").get_vars()
    expected = {
        "scan_zone": "ALC_Prod_WDC06_SZ", "scan_zone_visibility": "private", "scanner_environment": "prod",
        "scanner_datacenter": "wdc06", "scanner_regions": ["us-east"], "scanner_accounts": [], "bastion_job": "ww",
        "bastion_job_path": "armada-ops/bastion-register-nodes-ww", "bastion_target": "prod-wdc04-carrier1-worker-1001",
        "classic_hostname": "prod-wdc06-infra-nessus-01", "classic_domain": None, "site_settings_missing": ["domain"]}
    assert {key: host[key] for key in expected} == expected
    lon = shipped.get_host("prod-lon02-infra-nessus-03").get_vars()
    assert lon["scanner_regions"] == ["uk-south", "eu-central"] and lon["bastion_target"] is None
    assert shipped.get_host("dev-mon01-infra-nessus-02").get_vars()["scanner_accounts"] == ["659397", "1186049"]


def test_scan_zones_variable_has_every_zone(shipped):
    zones = shipped.groups["all"].get_vars()["scan_zones"]
    assert len(zones) == 11 and zones["ALC_SOS~FR2_SZ"]["c_code"] == "ALC_FR2"
    assert zones["ALC_Prod_WDC06_SZ"]["scanners"] == ["prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]


def site(tmp_path, text, name="site.scan_zones.yml"):
    shutil.copy(SHIPPED, tmp_path / "alc_table.yml")
    path = tmp_path / name
    path.write_text("plugin: conductors.nessus_compliance.scan_zones\ntable_file: alc_table.yml\n" + text)
    return path


def test_table_file_site_settings_and_constructed_options(tmp_path):
    path = site(tmp_path, """
site_settings:
  ALC_Prod_WDC06_SZ: {domain: infra.example.cloud}
compose:
  ansible_host: classic_hostname ~ '.' ~ classic_domain
groups:
  needs_settings: site_settings_missing | length > 0
keyed_groups:
  - key: scanner_regions
    prefix: region
strict: true
""")
    inventory = load(path)
    wdc06 = inventory.get_host("prod-wdc06-infra-nessus-01").get_vars()
    assert wdc06["ansible_host"] == "prod-wdc06-infra-nessus-01.infra.example.cloud"
    assert wdc06["site_settings_missing"] == []
    assert "prod-wdc06-infra-nessus-01" not in [h.name for h in inventory.groups["needs_settings"].get_hosts()]
    assert len(inventory.groups["needs_settings"].get_hosts()) == 15
    assert sorted(h.name for h in inventory.groups["region_us_east"].get_hosts()) == [
        "prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]


def test_table_error_fails_the_inventory_naming_file_zone_and_problem(tmp_path):
    path = tmp_path / "broken.scan_zones.yml"
    path.write_text("""plugin: conductors.nessus_compliance.scan_zones
zones:
  - {name: ALC_A_SZ, visibility: private, scanners: [a-b01-infra-nessus-01]}
  - {name: ALC_B_SZ, visibility: private, scanners: [a-b01-infra-nessus-01]}
""")
    plugin = inventory_loader.get("conductors.nessus_compliance.scan_zones")
    inventory = InventoryManager(loader=DataLoader(), sources=[])
    with pytest.raises(AnsibleParserError) as err:
        plugin.parse(inventory._inventory, DataLoader(), str(path), cache=False)
    assert "broken.scan_zones.yml: zone ALC_B_SZ: scanner a-b01-infra-nessus-01 is also in zone ALC_A_SZ" in str(err.value)


def test_unknown_site_setting_zone_is_an_error(tmp_path):
    path = site(tmp_path, "site_settings:\n  NOPE_SZ: {domain: x}\n")
    plugin = inventory_loader.get("conductors.nessus_compliance.scan_zones")
    with pytest.raises(AnsibleParserError, match="site_settings names zone NOPE_SZ"):
        plugin.parse(InventoryManager(loader=DataLoader(), sources=[])._inventory, DataLoader(), str(path), cache=False)


def test_cache_serves_the_second_parse(tmp_path):
    cache_dir = tmp_path / "cache"
    path = site(tmp_path, "cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n" % cache_dir)
    assert len(load(path).groups["scanners"].get_hosts()) == 17
    assert list(cache_dir.iterdir())
    (tmp_path / "alc_table.yml").write_text("zones: broken")  # a cached parse does not read the table again
    assert len(load(path).groups["scanners"].get_hosts()) == 17
