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
    assert bound == set(SECRETS) | {"SL_USERNAME", "JENKINS_USER", "SN_USERNAME"}


def test_the_stages_run_the_playbooks_that_exist():
    text = jenkinsfile()
    for playbook in re.findall(r"playbooks/[a-z_]+\.yml", text):
        assert os.path.exists(os.path.join(ROOT, playbook)), playbook
    assert "junit allowEmptyResults: false, testResults: 'reports/scan_compliance.junit.xml'" in text
    assert "parallel branches" in text
