"""The private branch run the way AWX runs a job: ansible-runner with a private data directory."""

from __future__ import annotations

import json
import os
import shutil
import sys

import ansible_runner

from conftest import COLLECTIONS_ROOT, REPO_ROOT  # pylint: disable=import-error
from private_branch import FAST, power  # pylint: disable=import-error


def test_private_branch_under_ansible_runner(lab_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    lab = lab_factory("default", speed=300)
    pdd = tmp_path / "job"
    shutil.copytree(os.path.join(REPO_ROOT, "playbooks"), pdd / "project")
    (pdd / "inventory").mkdir(parents=True)
    shutil.copy(lab.settings["LAB_INVENTORY"], pdd / "inventory" / "lab.scan_zones.yml")
    (pdd / "env").mkdir()
    # what the job template's credentials inject (the modules' environment fallbacks), handed to runner in memory and
    # kept out of the artifacts (suppress_env_files), as AWX does; and the survey's answers
    envvars = {k: v for k, v in lab.settings.items() if not k.startswith("LAB_")}
    envvars.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR="1", ANSIBLE_VERBOSITY="3")
    extravars = dict(FAST, zone="ALC_Prod_WDC06_SZ", remediation_record_dir=str(tmp_path / "records"),
                     ansible_python_interpreter=sys.executable)
    (pdd / "env" / "extravars").write_text(json.dumps(extravars))
    result = ansible_runner.run(private_data_dir=str(pdd), playbook="remediate_private_scan.yml", quiet=True,
                                envvars=envvars, suppress_env_files=True)
    assert (result.status, result.rc) == ("successful", 0), result.stdout.read()[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    summary = [e for e in result.events if e.get("event") == "runner_on_ok"
               and e["event_data"].get("task") == "Summary"]
    assert "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." in json.dumps(summary)
    # the record is where the job's extra variables say: the project directory runner runs in is the job's own
    # (AWX deletes it), and the role's default follows the PWD of whoever started runner
    (record,) = [json.loads(p.read_text()) for p in (tmp_path / "records").glob("remediation-*.json")]
    assert record["subject"] == "ALC_Prod_WDC06_SZ" and record["outcome"].startswith("Scanning: ")
    assert not list(pdd.rglob("remediation-*"))
    assert (pdd / "artifacts").is_dir() and result.stats["ok"].get("localhost", 0) > 10
    # At -vvv, no secret in the job's events, stdout or records. ansible-runner itself keeps the job's whole
    # environment in artifacts/<ident>/command (mode 0600, whatever suppress_env_files says); AWX deletes the
    # private data directory when the job ends, and so does this test, once it has checked that it is the only one.
    holding = []
    for path in sorted(p for p in pdd.rglob("*") if p.is_file()):
        if lab.leaked(path.read_text(encoding="utf-8", errors="replace")):
            holding.append(str(path.relative_to(pdd)))
    assert [h.split("/", 2)[::2] for h in holding] == [["artifacts", "command"]], holding
    assert os.stat(pdd / holding[0]).st_mode & 0o077 == 0
    shutil.rmtree(pdd)
