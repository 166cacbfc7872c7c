"""The settings check: every problem of every system named, with its setting, and never a value."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.settings import SYSTEMS, from_environment, problems

FULL = {
    "TSC_URL": "https://sc.example.com", "TSC_ACCESS_KEY": "ak-secret-1", "TSC_SECRET_KEY": "sk-secret-2",
    "SL_USERNAME": "sre", "SL_API_KEY": "sl-secret-3", "SN_HOST": "example.service-now.com", "SN_USERNAME": "sre",
    "SN_PASSWORD": "sn-secret-4", "PAGERDUTY_ROUTING_KEY": "pd-secret-5", "JENKINS_URL": "https://jenkins.example.com",
    "JENKINS_USER": "sre", "JENKINS_TOKEN": "jk-secret-6", "GITHUB_TOKEN": "gh-secret-7", "GITHUB_REPOSITORY": "sre/alerts",
}


def check(system, **changes):
    environ = dict(FULL, **changes)
    params, found = from_environment(system, environ)
    return found + problems(system, params)


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_complete_settings_have_no_problem(system):
    assert check(system) == []


@pytest.mark.parametrize("system, changes, expected", [
    ("securitycenter", {"TSC_URL": ""}, "Security Center: not set: url (TSC_URL)"),
    ("securitycenter", {"TSC_SECRET_KEY": ""}, "API key authentication needs both keys; secret_key (TSC_SECRET_KEY) is missing"),
    ("securitycenter", {"TSC_URL": "sc.example.com"}, "url (TSC_URL) must be an absolute http(s) URL"),
    ("securitycenter", {"TSC_TIMEOUT": "0"}, "Security Center: timeout must be a positive number of seconds, got 0.0"),
    ("securitycenter", {"TSC_TIMEOUT": "soon"}, "Security Center: timeout (TSC_TIMEOUT) must be a float, got 'soon'"),
    ("securitycenter", {"TSC_VALIDATE_CERTS": "maybe"}, "validate_certs (TSC_VALIDATE_CERTS) must be a bool"),
    ("securitycenter", {"TSC_CA_PATH": "/nonexistent.pem"}, "ca_path (TSC_CA_PATH) is not a readable file: /nonexistent.pem"),
    ("classic", {"SL_API_KEY": "", "SL_USERNAME": ""}, "IBM Cloud classic: not set: username (SL_USERNAME), api_key (SL_API_KEY)"),
    ("classic", {"SL_ENDPOINT_URL": "ftp://api.softlayer.com"}, "endpoint_url (SL_ENDPOINT_URL) must be an absolute http(s) URL"),
    ("servicenow", {"SN_PASSWORD": ""}, "ServiceNow: not set: password (SN_PASSWORD)"),
    ("pagerduty", {"PAGERDUTY_ROUTING_KEY": ""}, "PagerDuty: not set: routing_key (PAGERDUTY_ROUTING_KEY)"),
    ("jenkins", {"JENKINS_TOKEN": ""}, "Jenkins: not set: token (JENKINS_TOKEN) or password (JENKINS_PASSWORD)"),
    ("github", {"GITHUB_REPOSITORY": "alerts"}, "GitHub: repository (GITHUB_REPOSITORY) must be owner/name, got 'alerts'"),
])
def test_each_problem_names_the_system_and_the_setting(system, changes, expected):
    found = check(system, **changes)
    assert any(expected in problem for problem in found), found
    secrets = [v for k, v in FULL.items() if "secret" in v]
    assert not [s for s in secrets if s in " ".join(found)]


def test_a_session_login_is_as_good_as_api_keys():
    assert check("securitycenter", TSC_ACCESS_KEY="", TSC_SECRET_KEY="", TSC_USERNAME="sre", TSC_PASSWORD="pw") == []
