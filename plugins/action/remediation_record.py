# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side writer of the remediation record (see the module's documentation)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import record as rec

ARGUMENT_SPEC = {
    "event": {"type": "str", "required": True, "choices": ["start", "add", "finish"]},
    "dir": {"type": "path"},
    "branch": {"type": "str"},
    "subject": {"type": "str"},
    "kind": {"type": "str", "default": "done", "choices": ["found", "done", "left"]},
    "step": {"type": "str"},
    "text": {"type": "str"},
    "details": {"type": "dict", "default": {}},
    "outcome": {"type": "str"},
}
REQUIRED = {"start": ("dir", "branch", "subject"), "add": ("step", "text"), "finish": ("outcome",)}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # the record is the run's own output: written in check mode too
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del validation
        event = args["event"]
        missing = [name for name in REQUIRED[event] if args.get(name) in (None, "")]
        if missing:
            raise AnsibleActionFail("event=%s needs %s" % (event, ", ".join(missing)))
        if event == "start":
            record = rec.new_record(args["branch"], args["subject"], play=task_vars.get("ansible_play_name", ""),
                                    check_mode=bool(self._task.check_mode))
            directory = args["dir"]
            # a run of the same branch and subject that never closed its record was interrupted: say so, and
            # name it, so that the two records read as one story (the roles continue from what it recorded)
            earlier = rec.unfinished(directory, args["branch"], args["subject"]) if os.path.isdir(directory) else []
            if earlier and not record["check_mode"]:
                record["continues"] = [r["run_id"] for r in earlier]
                for old in earlier:
                    last = (old.get("entries") or [{}])[-1]
                    record = rec.add_entry(record, "found", "Start", (
                        "run %s, started %s, never finished (interrupted, or still running elsewhere); its last entry: "
                        "%s" % (old["run_id"], old["started"], last.get("text", "none"))),
                        {"event": "run_unfinished", "run_id": old["run_id"], "record": rec.paths(directory, old)[0]})
        else:
            current = task_vars.get("remediation_record_data")
            if not isinstance(current, dict) or "files" not in current:
                raise AnsibleActionFail("no remediation record was started on this host (event=start comes first)")
            directory = os.path.dirname(current["files"]["json"])
            record = rec.read(directory, current)
            if event == "add":
                record = rec.add_entry(record, args["kind"], args["step"], args["text"], args["details"])
            else:
                record = rec.finish(record, args["outcome"])
        json_path, md_path = rec.paths(directory, record)
        record = dict(record, files={"json": json_path, "markdown": md_path})
        try:
            rec.write(directory, record)
        except OSError as exc:
            raise AnsibleActionFail("cannot write the remediation record in %s: %s" % (directory, exc)) from exc
        facts = {"remediation_record_data": record}
        if event == "start":  # what the unfinished runs recorded, for the roles that continue them
            facts["remediation_record_continued"] = earlier if not record["check_mode"] else []
        result.update(changed=False, record=record, ansible_facts=facts)
        return result
