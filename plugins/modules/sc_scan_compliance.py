#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_scan_compliance
short_description: Check that every scheduled Security Center scan completed in its window
version_added: 0.1.0
description:
  - The daily check that starts the Nessus scan compliance runbook. For each scan definition in
    O(scope), works out from its schedule (in the scan's own time zone) which runs were due in the
    checked period, finds the scan result of each run, and gives a verdict with the evidence.
  - Verdicts - V(ok); V(running) (still inside its allowed duration); V(stalled) (queued or running for
    O(stall_minutes) or more with no IP scanned - it does not scan, whatever its allowed duration says);
    V(late) (running past it);
    V(partial); V(error); V(missing) (no result); V(no_ips) (completed with 0 IPs scanned, the runbook's
    sign of a scanner problem); V(import_error); V(maintenance) (a failure inside a declared maintenance
    window, reported, not alerted); V(unknown_schedule) (a schedule it cannot read, reported with the reason).
  - Failing verdicts are V(stalled), V(late), V(partial), V(error), V(missing), V(no_ips) and V(import_error).
    O(ignore:alert_text) lists the failing scans in the runbook's form.
  - Makes three requests whatever the number of scans - C(GET /rest/system) for Security Center's clock (not sent
    when O(now) is given), C(GET /rest/scan) and C(GET /rest/scanResult) with C(fields) and one time window - plus a
    login and a logout with session authentication. The results request is sent as soon as the definitions' answer
    is in, and Security Center prepares it while the module reads the definitions' due runs.
  - The reference time is Security Center's own clock (the C(timestamp) of its answers), so a skewed
    controller clock does not shift the checked period.
author:
  - Conductors SRE (@conductors)
options:
  scope:
    description:
      - A JMESPath expression that selects, from the list of scan definitions, the ones to check.
        Each definition has C(id), C(name), C(zone.name), C(schedule.type), C(schedule.enabled), ...
      - The default checks every scan whose schedule is enabled.
    type: str
    default: "[?schedule.enabled]"
  period_hours:
    description:
      - Length of the checked period, ending O(grace_minutes) before now. Runs due in it are judged.
    type: float
    default: 24
  grace_minutes:
    description:
      - Runs due less than this long ago are not judged yet (Security Center may not have started them).
    type: float
    default: 60
  stall_minutes:
    description:
      - A run queued, preparing or running this many minutes after it was created with no IP scanned yet (no
        scanned IPs, no completed checks) is V(stalled), a failing verdict, so a run resubmitted earlier that
        never started to scan is not read as "nothing failing".
    type: float
    default: 30
  durations:
    description:
      - How long each scan may take, by name. The first rule whose O(durations[].pattern) matches the
        scan name applies; scans that match none get O(default_hours).
      - The default gives C(ALC_all_envs_public_import) 26 hours and C(CM7 All-ports) scans a week.
    type: list
    elements: dict
    suboptions:
      pattern:
        description: A regular expression searched in the scan name.
        type: str
        required: true
      hours:
        description: Allowed duration in hours.
        type: float
        required: true
  default_hours:
    description:
      - Allowed duration of scans that match no O(durations) rule (daily scans complete within the day).
    type: float
    default: 24
  maintenance:
    description:
      - Declared maintenance windows (for example announced in the SOS Security Center channel). A failing
        run whose window overlaps one gets the verdict V(maintenance) and raises no alert.
    type: list
    elements: dict
    default: []
    suboptions:
      start:
        description: Start, as an epoch or an ISO 8601 date-time with its offset (C(2026-11-26T02:00:00+00:00)).
        type: str
        required: true
      end:
        description: End, same forms as O(maintenance[].start).
        type: str
        required: true
      reason:
        description: What the maintenance is, for the report.
        type: str
      zones:
        description: Only scans in these zones are affected (all when empty).
        type: list
        elements: str
      scans:
        description: Only these scans are affected (all when empty).
        type: list
        elements: str
  public_zones:
    description:
      - Scan zones served by the SOS team's public scanners; scans in other zones are private (our scanners).
    type: list
    elements: str
    default: [ALC_SOS_SZ, "ALC_SOS~FR2_SZ"]
  now:
    description:
      - Judge as of this epoch instead of Security Center's clock (to re-run a past day's check).
    type: int
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.attributes.securitycenter
requirements:
  - jmespath
seealso:
  - module: conductors.nessus_compliance.sc_scan_info
  - module: conductors.nessus_compliance.sc_scan_result_info
"""

EXAMPLES = r"""
- name: Check the scans that were due in the last day
  conductors.nessus_compliance.sc_scan_compliance:
  register: compliance
  delegate_to: localhost

- name: Raise the alert
  ansible.builtin.debug:
    msg: "{{ compliance.alert_text }}"
  when: compliance.failing | length > 0

- name: Only ALC scans, with a maintenance window and a longer allowance for a slow scan
  conductors.nessus_compliance.sc_scan_compliance:
    scope: "[?schedule.enabled && starts_with(name, 'ALC_')]"
    durations:
      - pattern: "^ALC_all_envs_public_import$"
        hours: 30
      - pattern: "CM7[ _-]?All-ports"
        hours: 168
    maintenance:
      - start: "2026-11-26T00:00:00+00:00"
        end: "2026-11-26T06:00:00+00:00"
        reason: SOS scanner upgrade
        zones: [ALC_SOS_SZ]
"""

RETURN = r"""
scans:
  description: One row per due run (or per definition whose schedule is unreadable), sorted by name and due time.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Scan definition name.
      type: str
      sample: ALC_Prod_WDC06_private_import
    id:
      description: Scan definition id.
      type: int
    zone:
      description: Scan zone name.
      type: str
      sample: ALC_Prod_WDC06_SZ
    visibility:
      description: V(public) (SOS scanners) or V(private) (our scanners).
      type: str
    schedule:
      description: The schedule in words.
      type: str
      sample: daily at 02:00 America/New_York
    due:
      description: When the run was due, epoch.
      type: int
    due_local:
      description: When the run was due, ISO 8601 in the scan's time zone.
      type: str
      sample: "2026-11-26T02:00:00-05:00"
    deadline:
      description: Due time plus the allowed duration, epoch.
      type: int
    allowed_hours:
      description: The allowed duration applied.
      type: float
    verdict:
      description: One of the verdicts listed in the description.
      type: str
      sample: missing
    failing:
      description: The verdict is a failing one.
      type: bool
    reason:
      description: The verdict in words.
      type: str
      sample: "ended Partial: scanner timeout"
    evidence:
      description:
        - The result the verdict rests on (C(result_id), C(status), C(created_at), C(started_at), C(finished_at),
          C(total_ips), C(scanned_ips), C(percent), C(error_details), C(import_status), C(import_error_details));
          null when there is none.
      type: dict
    results_in_window:
      description: How many results were created in the run's window.
      type: int
    runbook_step:
      description: The runbook step that applies to the verdict.
      type: str
failing:
  description: Names of the failing scans, sorted as in the runbook's alert.
  returned: success
  type: list
  elements: str
  sample: [ALC_all_envs_public_import, ALC_Prod_WDC06_private_import]
counts:
  description: Number of rows per verdict (every verdict present, zero included).
  returned: success
  type: dict
  sample: {ok: 11, running: 1, stalled: 0, late: 0, partial: 1, error: 0, missing: 1, no_ips: 0, import_error: 0,
           maintenance: 0, unknown_schedule: 0}
remediable:
  description:
    - The failing scans whose names have the shape of a scan name - the ones the alert's list names and automation
      may act on. A name that does not (a space, a bracket) is named after the list for a human instead, since it
      would read as other scans.
  returned: success
  type: list
  elements: str
  sample: [ALC_all_envs_public_import, ALC_Prod_WDC06_private_import]
alert_text:
  description: The runbook's alert text; empty when nothing fails.
  returned: success
  type: str
  sample: "The following scans are identified as failing and need investigation:\n\n[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]"
compliant:
  description: No scan fails.
  returned: success
  type: bool
period:
  description: The checked period and the reference time (C(start), C(end), C(now) epochs and their ISO forms).
  returned: success
  type: dict
unknown_schedules:
  description: Names of the definitions whose schedule could not be read.
  returned: success
  type: list
  elements: str
definitions_checked:
  description: How many scan definitions O(scope) selected.
  returned: success
  type: int
requests:
  description: How many requests the check made to Security Center (a session's login and logout not counted).
  returned: success
  type: int
retries:
  description: Requests the transport retried (method, path, status); empty when none.
  returned: always
  type: list
  elements: dict
"""

from datetime import datetime

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.compliance import (
    DEFAULT_DURATIONS,
    PUBLIC_ZONES,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SecurityCenterClient,
    fetch_and_check,
)

try:
    import jmespath

    HAS_JMESPATH = True
except ImportError:
    HAS_JMESPATH = False


def to_epoch(value, what):
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("%s: %r is neither an epoch nor an ISO 8601 date-time" % (what, value))
    if moment.tzinfo is None:
        raise ValueError("%s: %r has no UTC offset; write it as 2026-11-26T02:00:00+00:00" % (what, value))
    return moment.timestamp()


def maintenance_windows(items):
    windows = []
    for index, item in enumerate(items):
        start = to_epoch(item["start"], "maintenance[%d].start" % index)
        end = to_epoch(item["end"], "maintenance[%d].end" % index)
        if end <= start:
            raise ValueError("maintenance[%d]: end must be after start" % index)
        windows.append(dict(item, start=start, end=end))
    return windows


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SC_ARGUMENT_SPEC,
            scope=dict(type="str", default="[?schedule.enabled]"),
            period_hours=dict(type="float", default=24.0),
            grace_minutes=dict(type="float", default=60.0),
            durations=dict(type="list", elements="dict", options=dict(
                pattern=dict(type="str", required=True),
                hours=dict(type="float", required=True),
            )),
            default_hours=dict(type="float", default=24.0),
            maintenance=dict(type="list", elements="dict", default=[], options=dict(
                start=dict(type="str", required=True),
                end=dict(type="str", required=True),
                reason=dict(type="str"),
                zones=dict(type="list", elements="str"),
                scans=dict(type="list", elements="str"),
            )),
            public_zones=dict(type="list", elements="str", default=list(PUBLIC_ZONES)),
            now=dict(type="int"),
            stall_minutes=dict(type="float", default=30.0),
        ),
        supports_check_mode=True,
    )
    if not HAS_JMESPATH:
        module.fail_json(msg=missing_required_lib("jmespath"))
    p = module.params
    try:
        scope = jmespath.compile(p["scope"])
    except jmespath.exceptions.JMESPathError as exc:
        module.fail_json(msg="scope is not a valid JMESPath expression: %s" % exc)
    for name in ("period_hours", "default_hours"):
        if p[name] <= 0:
            module.fail_json(msg="%s must be positive, got %s" % (name, p[name]))
    if p["stall_minutes"] <= 0:
        module.fail_json(msg="stall_minutes must be positive, got %s" % p["stall_minutes"])
    if p["grace_minutes"] < 0:
        module.fail_json(msg="grace_minutes must be 0 or more, got %s" % p["grace_minutes"])
    try:
        windows = maintenance_windows(p["maintenance"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    durations = p["durations"] if p["durations"] is not None else list(DEFAULT_DURATIONS)

    def action(client):
        return fetch_and_check(client, scope.search, p["period_hours"], p["grace_minutes"], durations,
                               p["default_hours"], windows, p["public_zones"], p["now"], p["stall_minutes"])

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
