"""The scan-zone inventory from the command line, zone validation before any API call, and drift."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from labtools import REPO_ROOT

SHIPPED = os.path.join(REPO_ROOT, "inventory", "alc.scan_zones.yml")


def ansible_inventory(*args):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory")] + list(args)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_graph_shows_nine_private_zones_with_seventeen_scanners():
    proc = ansible_inventory("-i", SHIPPED, "--graph", "private_zones")
    assert proc.returncode == 0, proc.stderr
    lines = [line.strip(" |-").rstrip(":") for line in proc.stdout.splitlines()]
    zones = [line[1:] for line in lines if line.startswith("@")][1:]
    assert zones == ["ALC_Dev_MON01_SZ", "ALC_PreStage_MON01_SZ", "ALC_Stage_DAL09_SZ", "ALC_stgiks_DAL10_SZ",
                     "ALC_Prod_TOK02_SZ", "ALC_Prod_DAL09_SZ", "ALC_Prod_WDC06_SZ", "ALC_Prod_LON02_SZ", "ALC_Sup_WDC04_SZ"]
    hosts = [line for line in lines if line and not line.startswith("@")]
    assert len(hosts) == 17 and len(set(hosts)) == 17 and all("-infra-nessus-0" in h for h in hosts)


def unwrap(value):
    """ansible-inventory marks values it will not template as {"__ansible_unsafe": value}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def test_list_has_host_vars_and_public_zone_data():
    proc = ansible_inventory("-i", SHIPPED, "--list")
    assert proc.returncode == 0, proc.stderr
    data = unwrap(json.loads(proc.stdout))
    hostvars = data["_meta"]["hostvars"]
    assert len(hostvars) == 17
    assert hostvars["prod-tok02-infra-nessus-02"]["scanner_regions"] == ["ap-north", "ap-south"]
    assert sorted(data["public_zones"]["children"]) == ["ALC_SOS_FR2_SZ", "ALC_SOS_SZ"]
    assert set(hostvars["sup-wdc04-infra-nessus-01"]["scan_zones"]) >= {"ALC_SOS_SZ", "ALC_SOS~FR2_SZ"}


def test_a_table_error_stops_with_file_zone_and_problem(tmp_path):
    broken = tmp_path / "broken.scan_zones.yml"
    text = open(SHIPPED, encoding="utf-8").read().replace("      - sup-wdc04-infra-nessus-01", "      - prod-wdc06-infra-nessus-01")
    broken.write_text(text)
    proc = ansible_inventory("-i", str(broken), "--graph")
    assert proc.returncode != 0
    assert "broken.scan_zones.yml: zone ALC_Sup_WDC04_SZ: scanner prod-wdc06-infra-nessus-01 is also in zone " \
           "ALC_Prod_WDC06_SZ (duplicate scanner)" in proc.stderr


def test_unknown_zone_fails_before_any_api_call_listing_the_zones(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"zone": "NOPE"})
    assert proc.returncode == 2
    assert 'Unknown scan zone "NOPE".' in proc.stdout
    assert "Valid zones: ALC_Dev_MON01_SZ, ALC_PreStage_MON01_SZ, ALC_Stage_DAL09_SZ" in proc.stdout
    assert lab.calls() == []


def test_no_table_is_a_clear_error(lab, tmp_path):
    proc = lab.playbook("playbooks/scan_zone_health.yml", "-i", "localhost,", extra_vars={"zone": "ALC_Prod_WDC06_SZ"})
    assert proc.returncode == 2
    assert "No scan-zone table: run with -i inventory/alc.scan_zones.yml" in proc.stdout
    assert lab.calls() == []


def test_one_zone(lab):
    proc = lab.playbook("playbooks/scan_zone_health.yml", extra_vars={"zone": "ALC_Prod_WDC06_SZ"})
    assert proc.returncode == 0, proc.stdout
    assert "1 zones, 2 scanners, 1 not healthy" in proc.stdout


def test_drift_is_reported_and_nothing_is_edited(lab_factory):
    drift = lab_factory("zone_drift")
    proc = drift.playbook("playbooks/zone_drift.yml", extra_vars={"zone_drift_fail": True})
    assert proc.returncode == 2
    assert "Scanners in the table, not in Security Center: prod-lon02-infra-nessus-03" in proc.stdout
    assert "Scanner prod-dal09-infra-nessus-03 is in ALC_Prod_DAL09_SZ in the table, in ALC_Prod_WDC06_SZ" in proc.stdout
    assert drift.calls() == ["GET /rest/zone", "GET /rest/scanner"]  # read only


def test_no_drift_against_the_default_world(lab):
    proc = lab.playbook("playbooks/zone_drift.yml", extra_vars={"zone_drift_fail": True})
    assert proc.returncode == 0, proc.stdout
    assert "The scan-zone table and Security Center agree." in proc.stdout


def test_table_copy_with_site_settings_runs(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "alc_table.yml")
    site = tmp_path / "site.scan_zones.yml"
    site.write_text("plugin: conductors.nessus_compliance.scan_zones\ntable_file: alc_table.yml\n"
                    "site_settings:\n  ALC_Prod_WDC06_SZ: {domain: infra.example.cloud}\n")
    proc = ansible_inventory("-i", str(site), "--host", "prod-wdc06-infra-nessus-02")
    assert proc.returncode == 0, proc.stderr
    assert unwrap(json.loads(proc.stdout))["classic_domain"] == "infra.example.cloud"
