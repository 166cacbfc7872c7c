# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side writer of the remediation record (see the module's documentation)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import record as rec
from ansible_collections.conductors.nessus_compliance.plugins.module_utils import timeline
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.store import location, open_store, spec_for
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError

ARGUMENT_SPEC = {
    "event": {"type": "str", "required": True, "choices": ["start", "add", "finish"]},
    "dir": {"type": "path"},
    "store": {"type": "str", "default": "local", "choices": ["local", "github"]},
    "branch": {"type": "str"},
    "subject": {"type": "str"},
    "kind": {"type": "str", "default": "done", "choices": ["found", "done", "left"]},
    "step": {"type": "str"},
    "text": {"type": "str"},
    "details": {"type": "dict", "default": {}},
    "outcome": {"type": "str"},
    "incident": {"type": "str", "default": ""},
}
display = Display()
REQUIRED = {"start": ("branch", "subject"), "add": ("step", "text"), "finish": ("outcome",)}


def where(spec, record, index=0):
    """Where one of the record's files is (its JSON, or with ``index`` 1 its Markdown)."""
    return location(spec, rec.names(record)[index])


def tell(store, record):
    """Tell the entry just added to the run's incident and tickets (the record is saved already); a target that fails
    is kept in the record, once, and warned about. Returns the record and the targets told."""
    told, failed = timeline.tell(record, record["entries"][-1])
    if failed:
        record = dict(record, timeline_failed=dict(record.get("timeline_failed") or {}, **failed))
        for why in failed.values():
            display.warning("the incident timeline: cannot tell %s; not told again in this run" % why)
        try:
            rec.save(store, record)
        except (OSError, ApiError, ValueError) as exc:  # the entry itself is saved: say it, never fail the step for it
            display.warning("the incident timeline: cannot keep its failure in the record: %s" % exc)
    return record, told


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
        try:
            if event == "start":
                if args["store"] == "local" and not args.get("dir"):
                    raise AnsibleActionFail("event=start needs dir (the record directory) with store=local")
                spec = spec_for(args["store"], args.get("dir"))
                store = open_store(spec)
                incident = timeline.incident_id(args["incident"])
                record = rec.new_record(args["branch"], args["subject"], play=task_vars.get("ansible_play_name", ""),
                                        check_mode=bool(self._task.check_mode))
                if incident:
                    record["incident"] = incident
                # a run of the same branch and subject that never closed its record was interrupted: say so, and
                # name it, so that the two records read as one story (the roles continue from what it recorded)
                earlier = rec.unfinished_in(store, args["branch"], args["subject"])
                if earlier and not record["check_mode"]:
                    record["continues"] = [r["run_id"] for r in earlier]
                    for old in earlier:
                        last = (old.get("entries") or [{}])[-1]
                        record = rec.add_entry(record, "found", "Start", (
                            "run %s, started %s, never finished (interrupted, or still running elsewhere); its last "
                            "entry: %s" % (old["run_id"], old["started"], last.get("text", "none"))),
                            {"event": "run_unfinished", "run_id": old["run_id"], "record": where(spec, old)})
            else:
                current = task_vars.get("remediation_record_data")
                if not isinstance(current, dict) or "files" not in current:
                    raise AnsibleActionFail("no remediation record was started on this host (event=start comes first)")
                spec = current.get("store") or spec_for("local", os.path.dirname(current["files"]["json"]))
                store = open_store(spec)
                record = rec.current(store, current)
                if event == "add":
                    record = rec.add_entry(record, args["kind"], args["step"], args["text"], args["details"])
                    record = timeline.with_tickets(record, record["entries"][-1])
                else:
                    record = rec.finish(record, args["outcome"])
            record = dict(record, store=spec, files={"json": where(spec, record), "markdown": where(spec, record, 1)})
            rec.save(store, record)
            if event == "add":
                record, result["told"] = tell(store, record)
        except ValueError as exc:
            raise AnsibleActionFail("remediation record: %s" % exc) from exc
        except (OSError, ApiError) as exc:
            raise AnsibleActionFail("cannot write the remediation record in %s: %s" % (location(spec), exc)) from exc
        facts = {"remediation_record_data": record}
        if event == "start":  # what the unfinished runs recorded, for the roles that continue them
            facts["remediation_record_continued"] = earlier if not record["check_mode"] else []
        result.update(changed=False, record=record, ansible_facts=facts)
        return result
