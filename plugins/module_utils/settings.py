# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checking a system's connection settings without calling it: each client checks its own
(``settings_problems``: the settings every module of the system requires, a CA bundle that exists, the system's own
rules and the checks its constructor makes); this reads them from the environment as the modules would."""

from __future__ import annotations

import os

from ansible.module_utils.parsing.convert_bool import boolean

from .classic import ClassicClient
from .github import GitHubClient
from .jenkins import JenkinsClient
from .pagerduty import PagerDutyClient
from .securitycenter import SecurityCenterClient
from .servicenow import ServiceNowClient
from .transport import setting_name

CLIENTS = {
    "securitycenter": SecurityCenterClient,
    "classic": ClassicClient,
    "servicenow": ServiceNowClient,
    "pagerduty": PagerDutyClient,
    "jenkins": JenkinsClient,
    "github": GitHubClient,
}
# (title, connection options, client) of each system
SYSTEMS = {name: (client.SYSTEM, client.ARGUMENT_SPEC, client) for name, client in CLIENTS.items()}
CONVERTERS = {"bool": boolean, "float": float, "int": int}


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
        if isinstance(value, str) and option.get("type") in CONVERTERS:
            try:
                value = CONVERTERS[option["type"]](value)
            except (TypeError, ValueError):
                found.append("%s: %s must be a %s, got %r" % (title, setting_name(spec, name), option["type"], value))
                value = option.get("default")
        params[name] = value
    return params, found


def problems(system, params):
    """What is wrong with ``params`` (the system's connection options, fallbacks applied), as sentences."""
    return CLIENTS[system].settings_problems(params)


__all__ = ["SYSTEMS", "from_environment", "problems", "setting_name"]
