"""Bad input, in one place: each case gives the playbooks one wrong input and asserts a clear error, naming what is
wrong, before any API call that changes something (no scan launched, no power command or reload, no ticket, page,
issue or build) - and, for input that is wrong on its face, before any API call at all.

The table is printed at the end with the fault matrix (tests/faults/conftest.py).
"""

from __future__ import annotations

import re

import pytest

from private_branch import FAST  # pylint: disable=import-error
from labtools import REPO_ROOT  # pylint: disable=import-error

ZONE = "ALC_Prod_WDC06_SZ"
PRIVATE = "playbooks/remediate_private_scan.yml"
PUBLIC = "playbooks/remediate_public_scan.yml"
ALERT = "playbooks/remediate.yml"
SCANNERS = "    scanners:\n      - prod-wdc06-infra-nessus-01\n      - prod-wdc06-infra-nessus-02\n"


def case(name, what, playbook, says, variables=None, env=None, table=None, reads=False, rc=2):
    """``reads``: the input can only be found wrong by asking (an unknown scan): read-only calls are allowed."""
    return pytest.param(dict(what=what, playbook=playbook, says=says, variables=variables or {}, env=env or {},
                             table=table, reads=reads, rc=rc), id=name)


CASES = [
    case("unknown-zone", "a zone not in the scan-zone table", PRIVATE, 'Unknown scan zone "NOPE_SZ".',
         {"zone": "NOPE_SZ"}),
    case("public-zone-to-private-branch", "a public zone given to the private branch", PRIVATE,
         "ALC_SOS_SZ is a public scan zone", {"zone": "ALC_SOS_SZ"}),
    case("unknown-scan-private", "a scan Security Center does not know (private branch)", PRIVATE,
         "unknown scan definition: NOPE_private_import", {"zone": ZONE, "scans": ["NOPE_private_import"]}, reads=True),
    case("unknown-scan-public", "a scan Security Center does not know (public branch)", PUBLIC,
         "unknown scan definition: NOPE_public_import", {"scan": "NOPE_public_import"}, reads=True),
    case("unknown-scan-alert", "an alert naming a scan Security Center does not know", ALERT,
         "unknown scan definition: NOPE_private_import", {"alert": "[NOPE_private_import]"}, reads=True),
    case("malformed-alert", "an alert text without its bracketed list", ALERT,
         "malformed alert 'SCANS FAILED", {"alert": "SCANS FAILED - failed nessus scans require investigation"}),
    case("empty-alert", "an alert with an empty list", ALERT, "empty alert", {"alert": "[]"}),
    case("no-alert", "no alert at all", ALERT, "Give the alert", {}),
    case("osreload-without-bastion-target", "an OS reload allowed in a zone whose bastion target is not set", PRIVATE,
         "Site setting(s) bastion_target of ALC_Prod_DAL09_SZ are not set",
         {"zone": "ALC_Prod_DAL09_SZ", "allow_osreload": True}),
    case("zone-without-scanners", "a private zone with no scanners in the table", PRIVATE,
         "zone ALC_Prod_WDC06_SZ: a private zone needs scanners", {"zone": ZONE},
         table=lambda text: text.replace(SCANNERS, "    scanners: []\n"), rc=None),
    case("duplicate-scanner", "a scanner listed in two zones of the table", PRIVATE,
         "scanner prod-wdc06-infra-nessus-01 is also in zone ALC_Prod_WDC06_SZ (duplicate scanner)", {"zone": ZONE},
         table=lambda text: text.replace("      - sup-wdc04-infra-nessus-01", "      - prod-wdc06-infra-nessus-01"), rc=None),
    case("github-store-without-token", "records kept in the team's GitHub repository, with no GitHub token", PRIVATE,
         "GitHub: not set: token (GITHUB_TOKEN)", {"zone": ZONE, "remediation_store": "github"}, env={"GITHUB_TOKEN": ""}),
    case("no-sc-credentials", "no Security Center credentials at all", PRIVATE, "Security Center: no credentials",
         {"zone": ZONE}, env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": "", "TSC_USERNAME": "", "TSC_PASSWORD": ""}),
    case("partial-sc-keys", "an access key without its secret key", PRIVATE,
         "API key authentication needs both keys; secret_key (TSC_SECRET_KEY) is missing", {"zone": ZONE},
         env={"TSC_SECRET_KEY": ""}),
    case("partial-sc-login", "a Security Center user name without its password", PRIVATE,
         "session authentication needs a username and a password; password (TSC_PASSWORD) is missing", {"zone": ZONE},
         env={"TSC_ACCESS_KEY": "", "TSC_SECRET_KEY": "", "TSC_PASSWORD": ""}),
    case("no-classic-key", "no IBM Cloud classic API key (the reboots would need it)", PRIVATE,
         "IBM Cloud classic: not set: api_key (SL_API_KEY)", {"zone": ZONE}, env={"SL_API_KEY": ""}),
    case("no-servicenow-password", "no ServiceNow password (the escalation would need it)", PUBLIC,
         "ServiceNow: not set: password (SN_PASSWORD)", {"scan": "ALC_all_envs_public_import"}, env={"SN_PASSWORD": ""}),
    case("no-routing-key", "no PagerDuty routing key (the escalation would page with it)", PRIVATE,
         "PagerDuty: not set: routing_key (PAGERDUTY_ROUTING_KEY)", {"zone": ZONE}, env={"PAGERDUTY_ROUTING_KEY": ""}),
    case("no-jenkins-token", "an OS reload allowed but no Jenkins token", PRIVATE,
         "Jenkins: not set: token (JENKINS_TOKEN) or password (JENKINS_PASSWORD)",
         {"zone": ZONE, "allow_osreload": True, "allowed_by": "jdoe"}, env={"JENKINS_TOKEN": "", "JENKINS_PASSWORD": ""}),
    case("sc-url-without-scheme", "a Security Center URL without a scheme", PRIVATE,
         "url (TSC_URL) must be an absolute http(s) URL", {"zone": ZONE}, env={"TSC_URL": "sc.example.com:8443"}),
    case("classic-url-without-scheme", "an IBM Cloud classic endpoint without a scheme", PRIVATE,
         "IBM Cloud classic: endpoint_url (SL_ENDPOINT_URL) must be an absolute http(s) URL", {"zone": ZONE},
         env={"SL_ENDPOINT_URL": "api.softlayer.com/rest/v3.1"}),
    case("negative-timeout", "a negative Security Center timeout", PRIVATE,
         "Security Center: timeout must be a positive number of seconds, got -5.0", {"zone": ZONE},
         env={"TSC_TIMEOUT": "-5"}),
    case("timeout-not-a-number", "a Security Center timeout that is not a number", PUBLIC,
         "timeout (TSC_TIMEOUT) must be a float, got 'soon'", {"scan": "ALC_all_envs_public_import"},
         env={"TSC_TIMEOUT": "soon"}),
    case("negative-wait", "a negative wait for the resubmitted scans", PRIVATE,
         "remediate_private_scan_wait_timeout must be a positive number of seconds, got -1",
         {"zone": ZONE, "remediate_private_scan_wait_timeout": -1}),
    case("missing-ca-bundle", "a CA bundle path that does not exist", PRIVATE,
         "Security Center: ca_path (TSC_CA_PATH) is not a readable file: /nonexistent/ca.pem", {"zone": ZONE},
         env={"TSC_CA_PATH": "/nonexistent/ca.pem"}),
]


def changes(lab):
    """What the lab saw changed: launches, power commands, reloads, tickets, pages, issues, builds."""
    world = lab.world
    repo = world.github.repositories[world.github.repository]
    return {
        "launches": [c for c in lab.calls("securitycenter") if c.endswith("/launch")],
        "power": list(world.classic.commands),
        "reloads": list(world.classic.reload_requests),
        "tickets": [r for table in world.servicenow.tables for r in world.servicenow.records(table)],
        "pages": list(world.pagerduty.events),
        "issues": list(repo["issues"]),
        "builds": list(world.jenkins.triggers),
    }


@pytest.mark.parametrize("spec", CASES)
def test_bad_input(spec, lab_factory, tmp_path, request, matrix_row):
    lab = lab_factory("default")
    before = changes(lab)
    inventory = lab.settings["LAB_INVENTORY"]
    if spec["table"]:
        with open(REPO_ROOT + "/inventory/alc.scan_zones.yml", encoding="utf-8") as handle:
            shipped = handle.read()
        broken = spec["table"](shipped)
        assert broken != shipped
        (tmp_path / "broken.table.yml").write_text(broken)
        with open(inventory, encoding="utf-8") as handle:
            site = re.sub(r'table_file: .*', 'table_file: "%s"' % (tmp_path / "broken.table.yml"), handle.read())
        inventory = str(tmp_path / "site.scan_zones.yml")
        (tmp_path / "site.scan_zones.yml").write_text(site)
    variables = dict(FAST, remediation_record_dir=str(tmp_path / "records"))
    variables.update(spec["variables"])
    proc = lab.playbook(spec["playbook"], "-i", inventory, extra_vars=variables, env=spec["env"])
    output = proc.stdout + proc.stderr
    calls = lab.calls()
    changed = {key: value for key, value in changes(lab).items() if value != before[key]}
    matrix_row(request.node.callspec.id, spec["what"], "rc %d, %d call(s)" % (proc.returncode, len(calls)),
               sum(len(v) for v in changed.values()))
    assert proc.returncode != 0 if spec["rc"] is None else proc.returncode == spec["rc"], output[-3000:]
    assert spec["says"] in output, (spec["says"], output[-3000:])
    assert changed == {}, changed
    if spec["reads"]:
        assert [c for c in calls if not c.startswith("GET ") and c not in ("POST /rest/token", "DELETE /rest/token")] == []
    else:
        assert calls == [], calls
