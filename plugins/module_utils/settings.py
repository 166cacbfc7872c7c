# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checking a system's connection settings without calling it: the checks its client makes when it is built,
plus the settings every module of the system requires, a CA bundle that exists, and system-specific rules."""

from __future__ import annotations

import os
import re

from ansible.module_utils.parsing.convert_bool import boolean

from .classic import CLASSIC_ARGUMENT_SPEC, ClassicClient
from .github import GITHUB_ARGUMENT_SPEC, GitHubClient
from .jenkins import JENKINS_ARGUMENT_SPEC, JenkinsClient
from .pagerduty import PAGERDUTY_ARGUMENT_SPEC, PagerDutyClient
from .securitycenter import SC_ARGUMENT_SPEC, SecurityCenterClient
from .servicenow import SERVICENOW_ARGUMENT_SPEC, ServiceNowClient

SYSTEMS = {
    "securitycenter": ("Security Center", SC_ARGUMENT_SPEC, SecurityCenterClient),
    "classic": ("IBM Cloud classic", CLASSIC_ARGUMENT_SPEC, ClassicClient),
    "servicenow": ("ServiceNow", SERVICENOW_ARGUMENT_SPEC, ServiceNowClient),
    "pagerduty": ("PagerDuty", PAGERDUTY_ARGUMENT_SPEC, PagerDutyClient),
    "jenkins": ("Jenkins", JENKINS_ARGUMENT_SPEC, JenkinsClient),
    "github": ("GitHub", GITHUB_ARGUMENT_SPEC, GitHubClient),
}


def from_environment(system, environ=None):
    """The system's connection options as its modules resolve them without explicit values: the environment
    variable of each option, else its default. Returns (params, problems) - a value of the wrong type is a problem."""
    environ = os.environ if environ is None else environ
    title, spec, dummy = SYSTEMS[system]
    params, found = {}, []
    for name, option in spec.items():
        fallback = option.get("fallback")
        value = option.get("default")
        if fallback:
            value = next((environ[var] for var in fallback[1] if environ.get(var) not in (None, "")), value)
        if isinstance(value, str) and option.get("type") in ("float", "int", "bool"):
            try:
                value = boolean(value) if option["type"] == "bool" else (float if option["type"] == "float" else int)(value)
            except (TypeError, ValueError):
                found.append("%s: %s must be a %s, got %r" % (title, setting_name(spec, name), option["type"], value))
                value = option.get("default")
        params[name] = value
    return params, found


def setting_name(spec, name):
    """``name (ENV_VAR)`` for a message."""
    fallback = spec[name].get("fallback")
    return "%s (%s)" % (name, fallback[1][0]) if fallback else name


def problems(system, params):
    """What is wrong with ``params`` (the system's connection options, fallbacks applied), as sentences."""
    title, spec, client_class = SYSTEMS[system]
    found = []
    missing = [setting_name(spec, name) for name, option in spec.items() if option.get("required") and not params.get(name)]
    if system == "jenkins" and not (params.get("token") or params.get("password")):
        missing.append("token (JENKINS_TOKEN) or password (JENKINS_PASSWORD)")
    if system == "pagerduty" and not params.get("routing_key"):
        missing.append("routing_key (PAGERDUTY_ROUTING_KEY)")
    if missing:
        found.append("%s: not set: %s" % (title, ", ".join(missing)))
    if system == "github" and params.get("repository") and not re.match(r"^[\w.-]+/[\w.-]+$", params["repository"]):
        found.append("%s: repository (GITHUB_REPOSITORY) must be owner/name, got %r" % (title, params["repository"]))
    ca_path = params.get("ca_path")
    if ca_path and not os.path.isfile(ca_path):
        found.append("%s: %s is not a readable file: %s" % (title, setting_name(spec, "ca_path"), ca_path))
    if not missing:
        try:  # the client checks URLs, the timeout, the retries and (Security Center) the credential pairs
            client_class(*[params.get(name) for name in client_class.MODULE_PARAMS]).close()
        except ValueError as exc:
            found.append(str(exc))
    return found
