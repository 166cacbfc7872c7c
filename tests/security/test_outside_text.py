"""Outside text is data: no alert, file, report or scan list handed to a playbook is ever templated.

Each path by which outside text reaches a play is tried with a Jinja expression and a Jinja statement that would
create a marker file on the controller; every test asserts that the marker does not exist afterwards, and what the
run did (refused before any request, or went on with the validated names only).
"""

from __future__ import annotations

import json
import re

import pytest

ALERT = ("The following scans are identified as failing and need investigation:\n\n"
         "[ALC_Prod_WDC06_private_import]")
FAST = {"remediate_private_scan_wait_timeout": 6, "remediate_private_scan_poll_interval": 0.5,
        "remediate_private_scan_poll_max_interval": 1}


def payloads(marker):
    """A Jinja expression and a Jinja statement, each of which would create ``marker`` if rendered."""
    return [
        "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % marker,
        "{%% set _ = lookup('ansible.builtin.pipe', 'touch %s') %%}" % marker,
    ]


def run(lab, tmp_path, *args, **extra):
    variables = dict(FAST, remediation_record_dir=str(tmp_path / "records"))
    variables.update(extra)
    return lab.playbook("playbooks/remediate.yml", "-i", lab.settings["LAB_INVENTORY"], *args, extra_vars=variables)


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
@pytest.mark.parametrize("kind", [0, 1], ids=["expression", "statement"])
def test_alert_text_around_the_list_is_never_templated(lab_factory, tmp_path, kind, check):
    """A valid alert with a payload beside the list: the run goes on with the list's scans, and nothing runs."""
    lab = lab_factory("private_healthy", speed=300)
    marker = tmp_path / "pwned"
    alert = ALERT + "\n\nScanner said: " + payloads(marker)[kind]
    proc = run(lab, tmp_path, *(["--check"] if check else []), alert=alert)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert not marker.exists()
    launches = [c for c in lab.calls("securitycenter") if c.endswith("/launch")]
    assert launches == ([] if check else ["POST /rest/scan/9/launch"])


@pytest.mark.parametrize("kind", [0, 1], ids=["expression", "statement"])
def test_a_payload_in_the_list_is_refused_before_any_request(lab, tmp_path, kind):
    marker = tmp_path / "pwned"
    proc = run(lab, tmp_path, alert="[ALC_Prod_WDC06_private_import %s]" % payloads(marker)[kind])
    assert proc.returncode == 2
    assert "is not a scan name" in proc.stdout
    assert not marker.exists() and lab.calls() == []


@pytest.mark.parametrize("kind", [0, 1], ids=["expression", "statement"])
def test_alert_file_and_report_are_data(lab, tmp_path, kind):
    marker = tmp_path / "pwned"
    body = tmp_path / "issue_body.md"
    body.write_text("[ALC_x] " + payloads(marker)[kind])
    assert run(lab, tmp_path, alert_file=str(body)).returncode == 2
    report = tmp_path / "scan_compliance.json"
    report.write_text(json.dumps({"check": {"failing": [payloads(marker)[kind]]}}))
    proc = run(lab, tmp_path, report=str(report))
    assert proc.returncode == 2 and "is not a scan name" in proc.stdout
    assert not marker.exists() and lab.calls() == []


@pytest.mark.parametrize("kind", [0, 1], ids=["expression", "statement"])
def test_a_scan_list_from_the_rulebook_or_awx_is_validated(lab, tmp_path, kind):
    marker = tmp_path / "pwned"
    proc = run(lab, tmp_path, scans=["ALC_Prod_WDC06_private_import", payloads(marker)[kind]])
    assert proc.returncode == 2 and "scans" in proc.stdout and "is not a scan name" in proc.stdout
    assert not marker.exists() and lab.calls() == []


def test_the_alert_must_be_given_once(lab, tmp_path):
    proc = run(lab, tmp_path)
    assert proc.returncode == 2 and "Give the alert once" in proc.stdout and "none was given" in proc.stdout
    proc = run(lab, tmp_path, alert=ALERT, scans=["ALC_Prod_WDC06_private_import"])
    assert proc.returncode == 2 and "got alert, scans" in proc.stdout
    assert lab.calls() == []


def test_the_awx_workflow_hands_on_only_scan_names(lab_factory, tmp_path, monkeypatch):
    """The check node's artifacts (set_stats, as AWX collects them from the job's events) become the remediation
    node's extra variables: only the failing scans' names, which the remediation reads raw and checks."""
    import os
    import shutil
    import sys

    import ansible_runner

    from conftest import COLLECTIONS_ROOT, REPO_ROOT  # pylint: disable=import-error

    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    lab = lab_factory("default", speed=300)
    envvars = {k: v for k, v in lab.settings.items() if not k.startswith("LAB_")}
    envvars.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR="1")

    def node(name, playbook, extravars):
        pdd = tmp_path / name
        shutil.copytree(os.path.join(REPO_ROOT, "playbooks"), pdd / "project")
        (pdd / "inventory").mkdir(parents=True)
        shutil.copy(lab.settings["LAB_INVENTORY"], pdd / "inventory" / "lab.scan_zones.yml")
        (pdd / "env").mkdir()
        (pdd / "env" / "extravars").write_text(json.dumps(dict(extravars, ansible_python_interpreter=sys.executable)))
        result = ansible_runner.run(private_data_dir=str(pdd), playbook=playbook, quiet=True, envvars=envvars,
                                    suppress_env_files=True)
        done = (result.rc, list(result.events), result.stdout.read())
        shutil.rmtree(pdd)  # as AWX does: runner keeps the job's environment in artifacts/<ident>/command
        return done

    check = node("check", "scan_compliance.yml", {"scan_compliance_report_dir": str(tmp_path / "reports"),
                                                  "scan_compliance_fail_on_failing": True})
    rc, events, _out = check
    assert rc == 2  # failing scans fail the check: the workflow's failure path runs the remediation
    (stats,) = [e for e in events if e.get("event") == "playbook_on_stats"]
    artifacts = stats["event_data"]["artifact_data"]
    assert artifacts == {"scans": ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]}
    remediate = node("remediate", "remediate.yml", dict(FAST, remediation_record_dir=str(tmp_path / "records"),
                                                        **artifacts))
    assert remediate[0] == 0, remediate[2][-3000:]
    assert [c for c in lab.calls("securitycenter") if c.endswith("/launch")] == ["POST /rest/scan/9/launch"]


HOSTILE = ("@org/team see [the fix](http://evil.example) <img src=x onerror=alert(1)> [code]<b>x</b>[/code] "
           "{{ lookup('ansible.builtin.pipe', 'touch MARKER') }}")


def hostile_scenario(tmp_path, parent, scan, **latest):
    """A scenario whose scan result carries hostile error details, as Security Center would send them back."""
    spec = {"extends": parent, "overrides": [{"scan": scan, "set": {"latest": dict(
        latest, error_details=HOSTILE.replace("MARKER", str(tmp_path / "pwned")))}}]}
    if parent == "public_scan_stuck":
        spec["overrides"][0]["set"]["launch"] = {"stuck": "queued"}
    path = tmp_path / "hostile.yaml"
    path.write_text(json.dumps(spec))
    return str(path)


def only_in_code(html, needle):
    """``needle`` occurs in ``html``, and only inside <code> elements."""
    outside = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    return needle in html and needle not in outside


def test_security_centers_text_is_inert_in_the_github_issue(lab_factory, tmp_path):
    from markdown_it import MarkdownIt

    lab = lab_factory(hostile_scenario(tmp_path, "default", "ALC_all_envs_public_import", final="Partial",
                                       duration=30000, scanned_ips=4180))
    proc = lab.playbook("playbooks/scan_compliance.yml", extra_vars={
        "scan_compliance_report_dir": str(tmp_path / "reports"), "scan_compliance_github_issue": True})
    assert proc.returncode == 0, proc.stdout[-3000:]
    issues = lab.world.github.repositories[lab.settings["GITHUB_REPOSITORY"]]["issues"]
    (issue,) = [i for i in issues.values() if "scan compliance" in i["title"]]
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(issue["body"])
    assert "<img" not in html and 'href="http://evil.example"' not in html
    assert only_in_code(html, "@org/team") and only_in_code(html, "&lt;img src=x")
    assert not (tmp_path / "pwned").exists()


def test_security_centers_text_is_plain_in_the_servicenow_request(lab_factory, tmp_path):
    lab = lab_factory(hostile_scenario(tmp_path, "public_scan_stuck", "ALC_FR2_public_import", final="Partial",
                                       scanned_ips=96))
    proc = lab.playbook("playbooks/remediate_public_scan.yml", extra_vars=dict(
        scan="ALC_FR2_public_import", remediation_record_dir=str(tmp_path / "records"),
        remediate_public_scan_poll_interval=0.5, remediate_public_scan_poll_max_interval=1,
        remediate_public_scan_wait_timeout=3))
    assert proc.returncode == 2, proc.stdout[-3000:]
    (ticket,) = lab.world.servicenow.records("sc_request")
    assert "[code]" not in ticket["description"].lower() and "[ code ]<b>x</b>[/ code ]" in ticket["description"]
    assert "@org/team see [the fix](http://evil.example)" in ticket["description"]  # shown, as text
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("playbook, variables", [
    ("playbooks/remediate_public_scan.yml", {"scan": "ALC_FR2_public_import{{ PAYLOAD }}"}),
    ("playbooks/remediate_public_scan.yml", {"scan": ["ALC_FR2_public_import", "{%% set _ = PAYLOAD %%}"]}),
    ("playbooks/remediate_private_scan.yml", {"zone": "ALC_Prod_WDC06_SZ{{ PAYLOAD }}"}),
    ("playbooks/remediate_private_scan.yml", {"zone": "ALC_Prod_WDC06_SZ", "scans": ["{{ PAYLOAD }}"]}),
    ("playbooks/scan_zone_health.yml", {"zone": "ALC_Prod_WDC06_SZ{{ PAYLOAD }}"}),
], ids=["public-scan", "public-scan-list", "private-zone", "private-scans", "zone-health"])
def test_the_branch_playbooks_read_their_input_raw(lab, tmp_path, playbook, variables):
    """A survey answer, a Jenkins parameter or a workflow artifact with Jinja in it: refused, nothing runs."""
    marker = tmp_path / "pwned"
    payload = "lookup('ansible.builtin.pipe', 'touch %s')" % marker
    hostile = json.loads(json.dumps(variables).replace("PAYLOAD", payload).replace("%%", "%"))
    proc = lab.playbook(playbook, "--check", "-i", lab.settings["LAB_INVENTORY"],
                        extra_vars=dict(hostile, remediation_record_dir=str(tmp_path / "records")))
    assert proc.returncode == 2 and ("is not a scan name" in proc.stdout or "is not a scan zone's name" in proc.stdout)
    assert not marker.exists() and lab.calls() == []
