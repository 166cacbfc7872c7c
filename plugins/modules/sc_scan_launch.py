#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_scan_launch
short_description: Resubmit a Security Center scan with the runbook's guards, and follow it until it scans
version_added: 0.1.0
description:
  - Launches a scan definition (C(POST /rest/scan/{id}/launch)), the runbook's "Resubmitting the failed scan".
  - "Guards, each reported with its reason and C(changed=false) when it holds: a result of the same definition
    is queued or running (no second launch, whatever O(force) says); another run is active on the same scan
    zone (overlapping runs slow each other down); the scan matches O(recent_pattern) (by default
    C(ALC_all_envs_public_import), 6000+ hosts, about 24 hours) and completed successfully within
    O(recent_hours) (the module says when its next scheduled run is). O(force=true) overrides the last two."
  - With O(wait), follows the result (C(GET /rest/scanResult/{id}), polling with a backing-off interval)
    until it left Queued/Preparing (V(started)), shows IPs being scanned (V(scanning), the runbook's
    check), or finished (V(completed)). It never launches again while waiting. A timeout fails with the last
    status and progress seen; so does a result that finishes without reaching the target.
  - When the definition already has an active result, that result is followed instead, so re-running the
    task after a launch changes nothing.
  - The launch is never retried. If its answer is lost (a timeout), the module looks for the result it created
    and follows it, rather than launching again.
  - With O(names), resubmits several scans in one task - each with the same guards, in order, so a scan launched
    earlier in the list keeps a later one of the same zone from overlapping it - and follows them all together;
    C(scans) holds each scan's outcome. The whole run of an alert can be resubmitted and followed this way.
author:
  - Conductors SRE (@conductors)
options:
  name:
    description: Name of the scan definition. One of O(name), O(id) or O(names) is required.
    type: str
  names:
    description:
      - Names of several scan definitions, resubmitted in this order and followed together. Every name is checked
        before anything is launched.
    type: list
    elements: str
  id:
    description: Id of the scan definition.
    type: int
  force:
    description: Launch although another run is active on the zone, or the scan completed recently. Never overrides a run of the same scan.
    type: bool
    default: false
  recent_pattern:
    description: Regular expression of the scans that are not resubmitted when they completed within O(recent_hours).
    type: str
    default: "^ALC_all_envs_public_import$"
  recent_hours:
    description: See O(recent_pattern).
    type: float
    default: 24
  wait:
    description: What to wait for after the launch.
    type: str
    choices: [none, started, scanning, completed]
    default: none
  wait_timeout:
    description: Seconds to wait at most.
    type: float
    default: 1800
  poll_interval:
    description: Seconds between the first polls; the interval then grows by half up to O(poll_max_interval).
    type: float
    default: 2
  poll_max_interval:
    description: Longest interval between polls, in seconds.
    type: float
    default: 30
  stop_on_bad_scanner:
    description:
      - While following, also read the scanners of the followed scans' zones after each round of polls
        (C(GET /rest/scanner)); as soon as Security Center shows one of them not working (Connection Error,
        Authentication Error, ...), stop following the scans that are not scanning yet and say why, rather than
        wait for O(wait_timeout). The runbook's next step (check the scan zone's scanners) can start at once.
    type: bool
    default: false
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.attributes.securitycenter
seealso:
  - module: conductors.nessus_compliance.sc_scan_result_info
"""

EXAMPLES = r"""
- name: Resubmit the failed scan and watch until it shows IPs being scanned
  conductors.nessus_compliance.sc_scan_launch:
    name: ALC_Prod_WDC06_private_import
    wait: scanning
    wait_timeout: 3600
  register: resubmitted
  delegate_to: localhost

- name: What happened
  ansible.builtin.debug:
    msg: "{{ resubmitted.guard.reason if resubmitted.guard else 'result #' ~ resubmitted.scan_result_id ~ ' ' ~ resubmitted.progress.status }}"

- name: Resubmit every failing scan of the alert and follow them together
  conductors.nessus_compliance.sc_scan_launch:
    names: [ALC_Prod_WDC06_private_import, ALC_Prod_LON02_private_import]
    wait: scanning
  register: resubmitted_all
  failed_when: false  # the scans that do not scan are in resubmitted_all.scans
"""

RETURN = r"""
launched:
  description: A launch was sent (false when a guard held, or in check mode).
  returned: success
  type: bool
would_launch:
  description: In check mode, whether the module would launch.
  returned: success
  type: bool
scan:
  description: The definition (C(id), C(name), C(zone)).
  returned: success
  type: dict
guard:
  description:
    - The guard that held (C(guard) - V(already_running), V(zone_busy) or V(recently_completed) - C(reason), and
      C(result), the result that made it hold), or null.
  returned: success
  type: dict
next_run:
  description: Next scheduled run of the definition (epoch and ISO), when Security Center reports one.
  returned: success
  type: dict
scan_result_id:
  description: The result launched, or the active result followed; null when none.
  returned: success
  type: int
progress:
  description: Last status and progress seen (C(status), C(scanning), C(completed_ips), C(total_ips), C(percent), ...).
  returned: when a result was launched or followed
  type: dict
waited:
  description:
    - The wait (C(target), C(reached), C(timed_out), C(polls), C(seconds), C(history) of changes), and C(stopped),
      the reason it was stopped early by O(stop_on_bad_scanner) (null otherwise).
  returned: when O(wait) is not V(none) and a result was followed
  type: dict
launch_answer_lost:
  description: The launch's answer was lost and the module found the result it created.
  returned: success
  type: bool
scans:
  description:
    - With O(names), one entry per scan, in order, with the keys above (C(scan), C(guard), C(launched),
      C(would_launch), C(launch_answer_lost), C(scan_result_id), C(next_run), C(progress), C(waited)) and C(msg)
      when it did not reach the wait target, and C(outcome) and C(escalation) below.
  returned: when O(names) is given
  type: list
  elements: dict
  contains:
    outcome:
      description:
        - What became of the scan, in one word.
        - V(scanning) - followed, and it reached the wait target (O(wait=scanning) - IPs being scanned).
        - V(not_scanning) - launched or found running, but it did not reach the target in time, could no longer reach
          it, or its following was stopped early by O(stop_on_bad_scanner).
        - V(refused) - a guard held and no result is followed (C(guard) says which and why).
        - V(would_resubmit) - check mode, it would be launched (C(would_launch)).
        - V(error) - the launch request failed (C(msg) set, nothing launched or followed).
        - V(not_followed) - launched, or found running, without a wait (O(wait=none)).
      type: str
      returned: always
      choices: [scanning, not_scanning, refused, would_resubmit, error, not_followed]
    escalation:
      description:
        - The scan as the SOS escalation names it - C(name) (the scan's name), C(zone) (its scan zone), C(status) (the
          last status seen, or an empty string), C(result_id) (C(scan_result_id)) and C(error_details) (C(msg), else the
          guard's reason, else an empty string).
      type: dict
      returned: always
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import ModuleFailure, run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.resubmission import (
    PUBLIC_IMPORT_PATTERN,
    WAIT_TARGETS,
    escalation,
    follow_many,
    launch_guard,
    launch_outcome,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_progress import summarize_progress
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import describe_scanner
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SecurityCenterClient,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError, TransportError

# Active runs of weekly all-ports scans can be a week old: look back this far for them.
LOOKBACK_DAYS = 8
RESULT_FIELDS = ("id", "name", "status", "scan", "createdTime", "startTime", "finishTime", "scannedIPs", "totalIPs",
                 "completedIPs", "completedChecks", "totalChecks", "errorDetails")


def resubmit(client, module, definition, definitions, results, now):
    """Launch one definition behind the guards (or find what to follow); returns its outcome so far.

    ``results`` are the runs of the last days, read once for all the definitions of the call; a run this call
    launches is added to them (queued), so that the next definition of the same zone sees its zone busy.
    """
    p = module.params
    zones_by_scan = {d["id"]: (d.get("zone") or {}).get("name") for d in definitions}
    guard = launch_guard(definition, results, zones_by_scan, now, p["recent_pattern"], p["recent_hours"], p["force"])
    next_run = (definition.get("schedule") or {}).get("nextRun")
    out = {
        "changed": False, "launched": False, "would_launch": False, "launch_answer_lost": False, "guard": guard,
        "scan": {"id": definition["id"], "name": definition["name"], "zone": (definition.get("zone") or {}).get("name")},
        "next_run": {"epoch": next_run, "at": datetime.fromtimestamp(next_run, timezone.utc).isoformat()} if next_run else None,
        "scan_result_id": None,
    }
    if guard is not None and guard["guard"] == "recently_completed" and out["next_run"]:
        guard["reason"] += "; next scheduled run at %s" % out["next_run"]["at"]
    if guard is not None:
        if guard["guard"] == "already_running":
            out["scan_result_id"] = guard["result"]["id"]
        return out
    if module.check_mode:
        out.update(changed=True, would_launch=True)
        return out
    try:
        followed, dummy = client.launch_scan(definition["id"])
    except TransportError:
        # The launch may have reached Security Center: find its result instead of launching again.
        fresh = [r for r in client.list_scan_results(start_time=now - 300, end_time=None, fields=RESULT_FIELDS)
                 if (r.get("scan") or {}).get("id") == definition["id"] and (r.get("createdTime") or 0) >= now - 300]
        if not fresh:
            raise
        followed = max(fresh, key=lambda r: r["id"])["id"]
        out["launch_answer_lost"] = True
    out.update(changed=True, launched=True, scan_result_id=followed)
    results.append({"id": followed, "name": definition["name"], "status": "Queued", "scan": {"id": definition["id"]},
                    "createdTime": now})
    return out


def not_reached(out, target, timeout):
    waited, progress = out["waited"], out["progress"]
    if waited.get("stopped"):
        why = "stopped following: %s" % waited["stopped"]
    elif waited["timed_out"]:
        why = "timed out after %ss" % timeout
    else:
        why = "cannot get there any more"
    scanned = ("%s of %s IPs completed, %s scanning" % (progress["completed_ips"], progress["total_ips"],
                                                        progress["scanning_size"])
               if (progress["total_ips"] or 0) > 0 else "no IP scanned yet")
    return ("%s: result #%s did not reach '%s' (%s); last seen %s, %s"
            % (out["scan"]["name"], out["scan_result_id"], target, why, progress["status"], scanned))


def bad_scanner_check(client, definitions):
    """``stop`` for :func:`follow_many`: each pending result whose zone has a scanner Security Center shows not working."""
    zone_of_scan = {d["id"]: (d.get("zone") or {}).get("name") for d in definitions}

    def stop(pending):
        zones = {r["id"]: zone_of_scan.get((r.get("scan") or {}).get("id")) for r in pending}
        if not any(zones.values()):
            return {}
        bad = [s for s in (describe_scanner(s) for s in client.list_scanners(fields=("id", "name", "status", "zones")))
               if not s["healthy"]]
        reasons = {}
        for rid, zone in zones.items():
            seen = ["Security Center shows scanner %s of %s %s" % (s["name"], zone, s["status_decoded"]["summary"])
                    for s in bad if zone in s["zone_names"]]
            if seen:
                reasons[rid] = "; ".join(seen)
        return reasons

    return stop


def classified(outs):
    """The ``scans`` entries with their ``outcome`` and ``escalation``."""
    for out in outs:
        out.update(outcome=launch_outcome(out), escalation=escalation(out))
    return outs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SC_ARGUMENT_SPEC,
            name=dict(type="str"),
            id=dict(type="int"),
            names=dict(type="list", elements="str"),
            force=dict(type="bool", default=False),
            recent_pattern=dict(type="str", default=PUBLIC_IMPORT_PATTERN),
            recent_hours=dict(type="float", default=24.0),
            wait=dict(type="str", default="none", choices=list(WAIT_TARGETS)),
            wait_timeout=dict(type="float", default=1800.0),
            poll_interval=dict(type="float", default=2.0),
            poll_max_interval=dict(type="float", default=30.0),
            stop_on_bad_scanner=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "id", "names")],
        mutually_exclusive=[("name", "id", "names")],
        supports_check_mode=True,
    )
    p = module.params
    for option in ("wait_timeout", "poll_interval", "poll_max_interval"):
        if p[option] <= 0:
            module.fail_json(msg="%s must be a positive number of seconds, got %s" % (option, p[option]))
    if p["names"] is not None and not p["names"]:
        module.fail_json(msg="names is empty: give at least one scan")

    def action(client):
        definitions = client.list_scans(fields=("id", "name", "zone", "schedule"))
        now = client.now()
        if p["names"] is not None:
            by_name = {d["name"]: d for d in definitions}
            unknown = [n for n in p["names"] if n not in by_name]
            wanted = [by_name[n] for n in dict.fromkeys(p["names"]) if n in by_name]
        else:
            match = [d for d in definitions if (d["id"] == p["id"] if p["id"] is not None else d["name"] == p["name"])]
            unknown = [] if match else [p["name"] or "#%s" % p["id"]]
            wanted = match[:1]
        if unknown:
            raise ValueError("unknown scan definition %s; Security Center has: %s"
                             % (", ".join(unknown), ", ".join(sorted(d["name"] for d in definitions))))
        outs = []
        results = client.list_scan_results(start_time=now - LOOKBACK_DAYS * 86400, end_time=now, fields=RESULT_FIELDS)
        try:
            for definition in wanted:
                outs.append(resubmit(client, module, definition, definitions, results, now))
        except (ApiError, ValueError) as exc:  # keep what was already launched in the answer: it is evidence
            if p["names"] is None or not outs:
                raise
            raise ModuleFailure("%s (after resubmitting %s)" % (exc, ", ".join(o["scan"]["name"] for o in outs)),
                                changed=any(o["changed"] for o in outs), scans=classified(outs)) from exc
        followed = {o["scan_result_id"]: o for o in outs if o["scan_result_id"] is not None}
        if p["wait"] == "none" or module.check_mode:
            for rid, out in followed.items():
                out["progress"] = summarize_progress(client.get_scan_result(rid))
        elif followed:
            waited = follow_many(client.get_scan_result, list(followed), p["wait"], p["wait_timeout"],
                                 p["poll_interval"], p["poll_max_interval"],
                                 stop=bad_scanner_check(client, definitions) if p["stop_on_bad_scanner"] else None)
            for rid, out in followed.items():
                outcome = waited[rid]
                out["progress"] = outcome.pop("summary")
                outcome.pop("result")
                out["waited"] = dict(outcome, target=p["wait"])
                if not outcome["reached"]:
                    out["msg"] = not_reached(out, p["wait"], p["wait_timeout"])
        if p["names"] is None:
            out = outs[0]
            if "msg" in out:
                raise ModuleFailure(out.pop("msg"), **out)
            return out
        missed = [o["msg"] for o in outs if "msg" in o]
        answer = {"changed": any(o["changed"] for o in outs), "scans": classified(outs)}
        if missed:
            raise ModuleFailure("; ".join(missed), **answer)
        return answer

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
