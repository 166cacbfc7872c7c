# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side zone lease (see the module's documentation)."""

from __future__ import annotations

import getpass
import os
import re
import socket
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import lease
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.polling import poll_until
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.store import Conflict, open_store
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError

display = Display()

ARGUMENT_SPEC = {
    "state": {"type": "str", "default": "taken", "choices": ["taken", "released"]},
    "zone": {"type": "str", "required": True},
    "store": {"type": "dict", "required": True},
    "run_id": {"type": "str", "required": True},
    "ttl": {"type": "float", "default": 21600.0},
    "wait": {"type": "float", "default": 0.0},
    "poll_interval": {"type": "float", "default": 30.0},
    "max_zones": {"type": "int", "default": 0},
}
# What another run's lease may show of itself: the printable part, cut short (the store is outside text)
SHOWN = re.compile(r"[^A-Za-z0-9 _.,:@/+=()-]")


def shown(value, limit=80):
    return SHOWN.sub("?", str(value if value is not None else "?"))[:limit]


def utc(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if isinstance(epoch, (int, float)) else "?"


def holder_text(held):
    return "run %s (%s on %s, since %s, until %s)" % (
        shown(held.get("run_id")), shown(held.get("who")), shown(held.get("where")), utc(held.get("since")),
        utc(held.get("expires")))


def who(task_vars):
    """Who runs this: the AWX job, or the user."""
    job = task_vars.get("awx_job_id") or task_vars.get("tower_job_id")
    if job:
        return "AWX job %s (%s)" % (job, task_vars.get("awx_job_template_name") or task_vars.get("tower_job_template_name") or "")
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def process_start(pid):
    """When process ``pid`` started (clock ticks since boot, from /proc), or None where that cannot be read."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def controller():
    """The ansible-playbook process that runs this task (the worker's parent) and when it started."""
    pid = os.getppid()
    return {"pid": pid, "pid_start": process_start(pid)}


def is_dead(held):
    """Whether the run holding ``held`` is known to be gone: its ansible-playbook process on this machine has ended
    (or its pid now belongs to another process). A run on another machine is never known dead: its lease expires."""
    if held.get("where") != socket.gethostname() or not isinstance(held.get("pid"), int):
        return False
    try:
        os.kill(held["pid"], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    started = process_start(held["pid"])
    return held.get("pid_start") is not None and started is not None and started != held["pid_start"]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True  # a dry run holds the zone too: it reads what a real run would change
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        for name in ("ttl", "poll_interval"):
            if args[name] <= 0:
                raise AnsibleActionFail("%s must be a positive number of seconds, got %s" % (name, args[name]))
        if args["max_zones"] < 0:
            raise AnsibleActionFail("max_zones must be 0 (no limit) or more, got %s" % args["max_zones"])
        if args["wait"] < 0:
            raise AnsibleActionFail("wait must be 0 or more seconds, got %s" % args["wait"])
        zone = args["zone"]
        try:
            lease.lease_name(zone)
            store = open_store(args["store"])
            if args["state"] == "released":
                given = lease.give_back(store, zone, args["run_id"])
                result.update(changed=given, released=given, text=(
                    "gave back the lease of %s" % zone if given else
                    "the lease of %s was no longer this run's (it expired and another run took it over)" % zone))
                return result
            holder = dict(controller(), run_id=args["run_id"], who=who(task_vars), where=socket.gethostname())
            last = []

            def take(_since):
                last[:] = [lease.take(store, zone, holder, args["ttl"], time.time(), is_dead, args["max_zones"],
                                      dry=bool(self._task.check_mode))]
                return last[0]["taken"], last[0]

            def waiting(_elapsed):
                display.display("  waiting for %s" % (
                    "one of the %d zones healing to finish" % len(last[0]["healing"]) if last[0]["verdict"] == "fleet_full"
                    else "the lease of %s, held by %s" % (zone, holder_text(last[0]["lease"]))))

            got = poll_until(take, args["wait"], args["poll_interval"], cut_to_timeout=True, on_wait=waiting).value
        except (ValueError, Conflict) as exc:
            raise AnsibleActionFail("zone lease of %s: %s" % (zone, exc)) from exc
        except (OSError, ApiError) as exc:
            raise AnsibleActionFail("zone lease of %s: cannot read or write it in the store: %s" % (zone, exc)) from exc
        taken, verdict = got["taken"], got["verdict"]
        if verdict == "take_over":
            why = got["lease"]["took_over"]["why"]
            if why == "unreadable":
                reason = "its file was not a lease"
            elif why == "dead":
                reason = "%s held it; that run's process on this machine has ended" % holder_text(got["previous"])
            else:
                reason = "%s held it and it expired (that run died, or runs past %ss)" % (
                    holder_text(got["previous"]), int(args["ttl"]))
            text = "took over the lease of %s: %s" % (zone, reason)
        elif verdict == "fleet_full":
            text = ("%d zones heal already across the fleet (%s): at most %d at once (remediation_max_zones_healing); "
                    "not healing %s, this run changes nothing in it%s" % (
                        len(got["healing"]), "; ".join("%s: %s" % (shown(item.get("zone")), holder_text(item))
                                                       for item in got["healing"]),
                        args["max_zones"], zone, " (waited %ds)" % args["wait"] if args["wait"] else ""))
        elif taken:
            text = "took the lease of %s until %s: no other run works on the zone" % (zone, utc(got["lease"]["expires"]))
        else:
            text = ("another run works on %s: %s; this run changes nothing in it%s"
                    % (zone, holder_text(got["lease"]), " (waited %ds)" % args["wait"] if args["wait"] else ""))
        held_by = got["lease"] if verdict != "fleet_full" else {}  # a fleet-full run kept no lease of its own
        details = {"event": "lease_" + verdict, "zone": zone,
                   "holder": {k: shown(held_by.get(k)) for k in ("run_id", "who", "where")} if held_by else None,
                   "expires": held_by.get("expires"),
                   "healing": [{k: shown(item.get(k)) for k in ("zone", "run_id", "who", "where")} for item in got["healing"]]}
        result.update(changed=taken, taken=taken, verdict=verdict, text=text, details=details,
                      lease=got["lease"], previous=got["previous"], healing=got["healing"])
        return result
