"""The Jenkinsfile keeps credentials out of Groovy strings and runs the collection's playbooks with the documented options."""

from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRETS = ("TSC_SECRET_KEY", "TSC_ACCESS_KEY", "SL_API_KEY", "JENKINS_TOKEN", "SN_PASSWORD", "PAGERDUTY_ROUTING_KEY",
           "PAGERDUTY_API_TOKEN", "GITHUB_TOKEN")


def jenkinsfile():
    with open(os.path.join(ROOT, "Jenkinsfile"), encoding="utf-8") as handle:
        return handle.read()


def test_every_shell_step_is_single_quoted_so_groovy_interpolates_no_secret():
    text = jenkinsfile()
    assert not re.search(r'\bsh\s+"', text) and not re.search(r'\bsh\s*\(\s*"', text)
    assert len(re.findall(r"\bsh\s+'''", text)) == 4
    for name in SECRETS:  # a secret may appear as a binding's variable name, never as a Groovy ${...}
        assert "${%s}" % name not in text and "env.%s" % name not in text


def test_credentials_are_bound_to_the_variables_the_modules_read():
    text = jenkinsfile()
    bound = set(re.findall(r"(?:usernameVariable|passwordVariable|variable): '([A-Z_]+)'", text))
    assert bound == set(SECRETS) | {"SL_USERNAME", "JENKINS_USER", "SN_USERNAME", "SITE_SCAN_ZONES"}


def test_the_stages_run_the_playbooks_that_exist():
    text = jenkinsfile()
    for playbook in re.findall(r"playbooks/[a-z_]+\.yml", text):
        assert os.path.exists(os.path.join(ROOT, playbook)), playbook
    assert "junit allowEmptyResults: false, testResults: 'reports/scan_compliance.junit.xml'" in text
    assert "parallel branches" in text


def test_the_inventory_is_the_checkouts_inventory_directory_with_the_site_file_from_a_credential():
    text = jenkinsfile()
    (inventory,) = re.findall(r"INVENTORY\s*=\s*'([^']+)'", text)
    assert os.path.isdir(os.path.join(ROOT, inventory))  # not a file a checkout does not have
    assert "file(credentialsId: 'nessus-scan-zones-site', variable: 'SITE_SCAN_ZONES')" in text
    assert 'install -m 0644 "$SITE_SCAN_ZONES" inventory/site.scan_zones.yml' in text


def test_the_compliance_stage_raises_the_alert_and_every_playbook_takes_the_sites_extra_args():
    text = jenkinsfile()
    assert """-e '{"scan_compliance_github_issue": true, "scan_compliance_pagerduty": true}'""" in text
    commands = re.findall(r"\.venv/bin/ansible-playbook (?:\\\n|[^\n])*", text)
    assert len(commands) == 3 and all("$ANSIBLE_EXTRA_ARGS" in c for c in commands), commands
