"""The lab's command line as users type it, and the tarball as it is built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile

from conftest import REPO_ROOT  # pylint: disable=import-error


def lab_cli(*args, cwd=REPO_ROOT):
    return subprocess.run([sys.executable, "-m", "lab"] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_lab_up_refuses_to_replace_a_running_lab_and_lists_scenarios(tmp_path):
    lab_dir = str(tmp_path / "lab")
    unknown = lab_cli("up", "--scenario", "nope", "--dir", lab_dir)
    assert unknown.returncode == 2 and "no scenario 'nope'" in unknown.stderr and "\n  default\n" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    try:
        assert lab_cli("up", "--scenario", "default", "--dir", lab_dir, "--ttl", "120").returncode == 0
        again = lab_cli("up", "--scenario", "public_scan", "--dir", lab_dir)
        assert again.returncode == 2 and "a lab is already running" in again.stderr and "scenario default" in again.stderr
        assert "scenario default" in lab_cli("status", "--dir", lab_dir).stdout
        assert lab_cli("up", "--scenario", "public_scan", "--dir", lab_dir, "--replace", "--ttl", "120").returncode == 0
        assert "scenario public_scan" in lab_cli("status", "--dir", lab_dir).stdout
    finally:
        lab_cli("down", "--dir", lab_dir)
    assert "no lab running" in lab_cli("status", "--dir", lab_dir).stdout


def test_the_tarball_ships_the_collection_and_none_of_the_run_leftovers(tmp_path):
    """Built from a checkout that has run the demo, the tests and the lab: reports, logs and lab files stay out."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    tree = tmp_path / "ansible_collections" / "conductors" / "nessus_compliance"
    for name in filter(None, files.decode().split("\0")):
        if os.path.isfile(os.path.join(REPO_ROOT, name)):
            os.makedirs(os.path.dirname(tree / name), exist_ok=True)
            shutil.copy2(os.path.join(REPO_ROOT, name), tree / name)
    leftovers = ["reports/scan_compliance.md", "reports/remediation-x.json", ".lab/env.sh", ".lab/requests.jsonl",
                 "lab.log", "tests/output/fault_matrix.jsonl", ".venv/bin/python", "dist/old.tar.gz"]
    for name in leftovers:
        os.makedirs(os.path.dirname(tree / name) or tree, exist_ok=True)
        (tree / name).write_text("left by a run")
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    built = subprocess.run([galaxy, "collection", "build", "--output-path", str(tmp_path / "out"), str(tree)],
                           capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = (tmp_path / "out").glob("*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    assert not [n for n in names if n.split("/")[0] in ("reports", ".lab", "tests", "lab", "bench", "dist", ".venv")]
    assert not [n for n in names if n.endswith((".log", ".jsonl", ".tar.gz"))]
    assert {"playbooks/remediate_private_scan.yml", "plugins/modules/read_alert.py", "plugins/action/read_alert.py",
            "roles/reboot_ladder/tasks/main.yml", "meta/runtime.yml", "MANIFEST.json"} <= names
