# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side reader of the alert (see the module's documentation).

The alert is read from the play's variables as they were given, before any templating: ansible-core templates
an extra variable wherever a task names it (even in ``alert is defined``), so the playbooks never name these
variables in Jinja; this plugin reads them raw, parses them strictly, and returns only validated scan names.
"""

from __future__ import annotations

import os
import re

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.alert import (
    MAX_TEXT,
    AlertError,
    alert_scans,
    scan_names,
    shown,
)

SOURCES = ("alert", "alert_file", "report", "scans", "scan")
ARGUMENT_SPEC = {
    "sources": {"type": "list", "elements": "str", "default": ["alert", "alert_file", "report", "scans"]},
    "required": {"type": "bool", "default": True},
    "zone": {"type": "str", "default": "ignore", "choices": ["ignore", "optional"]},
}
ZONE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~+-]{0,127}$")


def plain(value):
    """A plain ``str`` copy of a variable's raw value: no tag, no trust, nothing that a template could render."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def read_file(path, name):
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TEXT + 1)
    except OSError as exc:
        raise AlertError("%s: cannot read %s (%s)" % (name, shown(path, 200), exc.strerror or exc)) from None
    if len(data) > MAX_TEXT:
        raise AlertError("%s: %s is larger than %d bytes" % (name, shown(path, 200), MAX_TEXT))
    return data.decode("utf-8", "replace")


def read(name, value):
    """The validated scan names of one source, from its raw value."""
    if name in ("scans", "scan"):
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, (list, tuple)):
            raise AlertError("scans: expected a list of scan names, got %s" % type(value).__name__)
        return scan_names([plain(v) if isinstance(v, str) else v for v in value], name)
    if not isinstance(value, str):
        raise AlertError("%s: expected %s, got %s" % (name, "text" if name == "alert" else "a path", type(value).__name__))
    if name == "alert":
        return alert_scans(plain(value))
    path = os.path.expanduser(plain(value))
    text = read_file(path, name)
    if name == "report":
        if not text.lstrip().startswith("{"):
            raise AlertError("report: %s is not the compliance check's JSON report" % shown(path, 200))
        return alert_scans(text)
    return alert_scans(text)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # reads only
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        unknown = [s for s in args["sources"] if s not in SOURCES]
        if unknown:
            raise AnsibleActionFail("sources: unknown %s; choose from %s" % (", ".join(unknown), ", ".join(SOURCES)))
        zone = task_vars.get("zone") if args["zone"] == "optional" else None
        if zone is not None and (not isinstance(zone, str) or not ZONE_NAME.match(zone)):
            # checked before any task names it: a zone is a name of the scan-zone table, never a template
            raise AnsibleActionFail("zone: %s is not a scan zone's name (see the scan-zone table)" % shown(zone))
        given = [name for name in args["sources"] if task_vars.get(name) is not None]
        if len(given) > 1 or (not given and args["required"]):
            wanted = " or ".join("-e %s=..." % s for s in args["sources"])
            raise AnsibleActionFail("Give the alert once: %s (%s)" % (
                wanted, "none was given" if not given else "got " + ", ".join(given)))
        source = given[0] if given else None
        try:
            names = read(source, task_vars[source]) if source else []
        except AlertError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result.update(changed=False, scans=names, source=source, zone=plain(zone) if zone is not None else None)
        return result
