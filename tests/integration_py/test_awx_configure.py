"""playbooks/awx_configure.yml: syntax with awx.awx installed, and credential types that inject what the modules read."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest
from ansible.parsing.yaml.loader import AnsibleLoader

from conftest import COLLECTIONS_ROOT, REPO_ROOT  # pylint: disable=import-error

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import CLASSIC_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import GITHUB_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.jenkins import JENKINS_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.pagerduty import PAGERDUTY_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import SC_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.servicenow import SERVICENOW_ARGUMENT_SPEC

PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "awx_configure.yml")
AWX = os.path.join(REPO_ROOT, ".venv", "collections")
SPECS = {"securitycenter": SC_ARGUMENT_SPEC, "classic": CLASSIC_ARGUMENT_SPEC, "jenkins": JENKINS_ARGUMENT_SPEC,
         "servicenow": SERVICENOW_ARGUMENT_SPEC, "pagerduty": PAGERDUTY_ARGUMENT_SPEC, "github": GITHUB_ARGUMENT_SPEC}


def play_vars():
    with open(PLAYBOOK, encoding="utf-8") as handle:
        return AnsibleLoader(handle).get_single_data()[0]["vars"]


def read_by_modules(spec):
    return {name for option in spec.values() if option.get("fallback") for name in option["fallback"][1]}


def read_by_roles():
    names = set()
    for path in glob.glob(os.path.join(REPO_ROOT, "roles", "*", "defaults", "main.yml")):
        with open(path, encoding="utf-8") as handle:
            names.update(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", handle.read()))
    return names


@pytest.mark.skipif(not os.path.isdir(os.path.join(AWX, "ansible_collections", "awx", "awx")),
                    reason="awx.awx is installed by make venv")
def test_syntax_with_awx_awx():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([COLLECTIONS_ROOT, AWX]))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "--syntax-check", PLAYBOOK],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_each_credential_type_injects_variables_its_system_s_modules_read():
    types = play_vars()["awx_credential_types"]
    assert set(types) == set(SPECS)
    roles = read_by_roles()
    for system, credential_type in types.items():
        injected = set(credential_type["env"])
        assert injected <= read_by_modules(SPECS[system]) | roles, (system, injected - read_by_modules(SPECS[system]))
        fields = {field["id"] for field in credential_type["fields"]}
        for variable, template in credential_type["env"].items():  # each injects one of its own fields, literally
            assert template == "{{ %s }}" % template.strip("{} "), (system, variable)
            assert template.strip("{} ") in fields, (system, variable)
        assert set(credential_type["required"]) <= fields
        secrets = {f["id"] for f in credential_type["fields"] if f.get("secret")}
        assert secrets, system  # every system has a secret, and it is marked secret in AWX


def test_the_secrets_the_modules_need_are_injected():
    injected = {name for t in play_vars()["awx_credential_types"].values() for name in t["env"]}
    assert {"TSC_URL", "TSC_ACCESS_KEY", "TSC_SECRET_KEY", "SL_USERNAME", "SL_API_KEY", "JENKINS_URL", "JENKINS_USER",
            "JENKINS_TOKEN", "SN_HOST", "SN_USERNAME", "SN_PASSWORD", "PAGERDUTY_ROUTING_KEY", "PAGERDUTY_API_TOKEN",
            "GITHUB_API_URL", "GITHUB_TOKEN", "GITHUB_REPOSITORY"} <= injected


def test_job_templates_run_playbooks_that_exist_with_known_credentials():
    variables = play_vars()
    for template in variables["awx_job_templates"]:
        assert os.path.exists(os.path.join(REPO_ROOT, template["playbook"])), template["playbook"]
        assert set(template["credentials"]) <= set(variables["awx_credentials"])
