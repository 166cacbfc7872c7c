"""The exact commands of a new user, from a fresh clone, against the lab (README: The main command).

    make site                                    # inventory/site.scan_zones.yml from the shipped example
    (set the zone's domain in it)
    cd playbooks && ansible-playbook remediate_private_scan.yml -e zone=ALC_Prod_WDC06_SZ
    ansible-playbook conductors.nessus_compliance.remediate_private_scan -e zone=ALC_Prod_WDC06_SZ   # installed
"""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from conftest import REPO_ROOT  # pylint: disable=import-error
from private_branch import FAST, SPEED, power  # pylint: disable=import-error

BIN = os.path.dirname(sys.executable)
COMMAND = ["ansible-playbook", "remediate_private_scan.yml", "-e", "zone=ALC_Prod_WDC06_SZ"]


def fresh_clone(tmp_path):
    """A clone of the checkout, its collection linked into its .venv as `make venv` does."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", REPO_ROOT, str(clone)], check=True, timeout=120)
    link = clone / ".venv" / "collections" / "ansible_collections" / "conductors"
    link.mkdir(parents=True)
    os.symlink(clone, link / "nessus_compliance")
    return clone


def user_env(lab):
    """The lab's settings (as `. .lab/env.sh` gives them) and nothing the test suite set for itself."""
    env = lab.env(PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1")
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG", "ANSIBLE_INVENTORY"):
        env.pop(name, None)
    return env


def run(cmd, cwd, env, tmp_path):
    timings = ["-e", "@" + str(tmp_path / "timings.yml"), "-e", "remediation_record_dir=%s" % (tmp_path / "records")]
    (tmp_path / "timings.yml").write_text(yaml.safe_dump(FAST))
    return subprocess.run(cmd + timings, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_the_main_command_from_a_fresh_clone(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    clone = fresh_clone(tmp_path)
    env = user_env(lab)
    # first try, as a new user would: no site file yet - a message that names the file and the line, no request
    first = run(COMMAND, clone / "playbooks", env, tmp_path)
    assert first.returncode == 2
    assert "Site setting(s) domain of ALC_Prod_WDC06_SZ are not set" in first.stdout
    assert "inventory/site.scan_zones.yml" in first.stdout and "make site" in first.stdout
    assert '"ALC_Prod_WDC06_SZ: {domain: ...}"' in first.stdout
    assert lab.calls() == []
    # make site, then the zone's domain set in it (the line the message named)
    site = subprocess.run(["make", "--no-print-directory", "site"], cwd=clone, capture_output=True, text=True,
                          timeout=60, check=True)
    assert "wrote inventory/site.scan_zones.yml" in site.stdout
    path = clone / "inventory" / "site.scan_zones.yml"
    path.write_text(path.read_text().replace("ALC_Prod_WDC06_SZ: {domain: SET ME}",
                                             "ALC_Prod_WDC06_SZ: {domain: %s}" % lab.world.domain))
    done = run(COMMAND, clone / "playbooks", env, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." in done.stdout
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    # resubmitted once; after the reboot the queued run starts scanning (no second launch)
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]


def test_the_installed_collections_playbook_with_the_site_file_in_the_users_ansible_cfg(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    clone = fresh_clone(tmp_path)
    site = clone / "inventory" / "site.scan_zones.yml"
    site.write_text((clone / "inventory" / "site.scan_zones.yml.example").read_text().replace(
        "ALC_Prod_WDC06_SZ: {domain: SET ME}", "ALC_Prod_WDC06_SZ: {domain: %s}" % lab.world.domain))
    work = tmp_path / "work"  # a directory of the user's own, with their ansible.cfg
    work.mkdir()
    (work / "ansible.cfg").write_text("[defaults]\ncollections_path = %s\ninventory = %s\n"
                                      % (clone / ".venv" / "collections", site))
    cmd = ["ansible-playbook", "conductors.nessus_compliance.remediate_private_scan", "-e", "zone=ALC_Prod_WDC06_SZ"]
    done = run(cmd, work, user_env(lab), tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
