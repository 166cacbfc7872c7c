#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sc_scan_result_info
short_description: Read Tenable Security Center scan results in a time window, or one result with its progress
version_added: 0.1.0
description:
  - Without O(id), reads C(GET /rest/scanResult) once for a time window, asking with C(fields) for
    everything a report needs (status, scan definition, times, IP counts, error details), so one
    request serves the whole list whatever its length. Security Center answers with C(usable) and
    C(manageable) lists; the module merges them without duplicates.
  - With O(id), reads C(GET /rest/scanResult/{id}), which is the only call that returns C(progress)
    (IPs being scanned, completed IPs and checks), and summarizes it.
author:
  - Conductors SRE (@conductors)
options:
  id:
    description:
      - Read this scan result in full, with its progress.
    type: int
  start_time:
    description:
      - Start of the window, as an epoch in seconds. Security Center compares it with each result's
        O(time_compare_field) (creation time by default).
      - Defaults to O(end_time) minus O(window_hours).
    type: int
  end_time:
    description:
      - End of the window, as an epoch in seconds. Defaults to Security Center's clock (the envelope's
        C(timestamp)), never the controller's, which may be days apart from it.
    type: int
  window_hours:
    description:
      - Length of the window when O(start_time) is not given.
    type: int
    default: 24
  time_compare_field:
    description:
      - The result time the window applies to.
    type: str
    choices: [createdTime, finishTime]
    default: createdTime
  filter:
    description:
      - V(running) returns only results still in progress, V(completed) only finished ones (Security Center's C(filter)).
    type: str
    choices: [all, running, completed]
    default: all
  scan_id:
    description:
      - Only results launched from these scan definitions (by the result's C(scan.id)).
    type: list
    elements: int
  scan_name:
    description:
      - Only results of these scan definitions (by the result's C(scan.name) or its C(name)).
    type: list
    elements: str
  fields:
    description:
      - The fields to ask for in the list request. The default covers status, definition, times,
        IP and check counts, import status and error details. C(id) and C(scan) are always added.
    type: list
    elements: str
extends_documentation_fragment:
  - conductors.nessus_compliance.securitycenter
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.attributes.securitycenter
seealso:
  - module: conductors.nessus_compliance.sc_scan_info
"""

EXAMPLES = r"""
- name: Results of the last two days for the scans in the alert
  conductors.nessus_compliance.sc_scan_result_info:
    window_hours: 48
    scan_name:
      - ALC_all_envs_public_import
      - ALC_Prod_WDC06_private_import
  register: recent
  delegate_to: localhost

- name: Follow one result until it shows IPs being scanned
  conductors.nessus_compliance.sc_scan_result_info:
    id: "{{ launched_result_id }}"
  register: followed
  until: followed.scan_result.progress_summary.scanning or followed.scan_result.progress_summary.finished
  retries: 60
  delay: 10
  delegate_to: localhost
"""

RETURN = r"""
scan_results:
  description: The scan results, newest first, with Security Center's fields converted to numbers, booleans and null.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Result id.
      type: int
    name:
      description: Name of the scan at launch.
      type: str
    status:
      description: Scan status (Queued, Preparing, Running, Completed, Partial, Error, ...).
      type: str
      sample: Partial
    scan:
      description: The definition it came from (C(id) null when the definition no longer exists or for imports).
      type: dict
    createdTime:
      description: When the result was created (launch or schedule time), epoch.
      type: int
    startTime:
      description: When scanning started, epoch, null if it never did.
      type: int
    finishTime:
      description: When it finished, epoch, null if it has not.
      type: int
    totalIPs:
      description: IPs targeted; null before targets are resolved.
      type: int
    scannedIPs:
      description: IPs scanned (a count at this level).
      type: int
    errorDetails:
      description: Why a scan ended Partial or Error.
      type: str
    importStatus:
      description: Import status of the results (Finished, No Results, Error, ...).
      type: str
    progress_summary:
      description: Status group and progress numbers (C(active), C(finished), C(scanning), C(percent), IP counts).
      type: dict
scan_result:
  description: The result read with O(id), including C(progress) and C(progress_summary).
  returned: when O(id) is given
  type: dict
window:
  description: The window used (C(start_time), C(end_time), epochs).
  returned: when O(id) is not given
  type: dict
retries:
  description: Requests the transport retried (method, path, status); empty when none.
  returned: always
  type: list
  elements: dict
"""


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_progress import summarize_progress
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SC_ARGUMENT_SPEC,
    SCAN_RESULT_FIELDS,
    SecurityCenterClient,
)


def with_summary(result):
    return dict(result, progress_summary=summarize_progress(result))


def matches_scan(result, ids, names):
    scan = result.get("scan") or {}
    if ids and scan.get("id") in ids:
        return True
    if names and (scan.get("name") in names or result.get("name") in names):
        return True
    return not ids and not names


def main():
    module = AnsibleModule(
        argument_spec=dict(
            SC_ARGUMENT_SPEC,
            id=dict(type="int"),
            start_time=dict(type="int"),
            end_time=dict(type="int"),
            window_hours=dict(type="int", default=24),
            time_compare_field=dict(type="str", default="createdTime", choices=["createdTime", "finishTime"]),
            filter=dict(type="str", default="all", choices=["all", "running", "completed"]),
            scan_id=dict(type="list", elements="int"),
            scan_name=dict(type="list", elements="str"),
            fields=dict(type="list", elements="str"),
        ),
        mutually_exclusive=[("id", "start_time"), ("id", "scan_id"), ("id", "scan_name")],
        supports_check_mode=True,
    )
    p = module.params
    if p["window_hours"] <= 0:
        module.fail_json(msg="window_hours must be a positive number of hours, got %d" % p["window_hours"])

    def action(client):
        if p["id"] is not None:
            result = with_summary(client.get_scan_result(p["id"]))
            return {"scan_result": result, "scan_results": [result]}
        end = p["end_time"] if p["end_time"] is not None else int(client.now())
        start = p["start_time"] if p["start_time"] is not None else end - p["window_hours"] * 3600
        if start >= end:
            raise ValueError("start_time (%d) must be before end_time (%d)" % (start, end))
        fields = list(p["fields"] or SCAN_RESULT_FIELDS)
        fields += [f for f in ("id", "scan", "status", "createdTime") if f not in fields]
        results = client.list_scan_results(
            start_time=start, end_time=end, fields=fields, time_compare_field=p["time_compare_field"],
            filters=() if p["filter"] == "all" else (p["filter"],),
        )
        ids, names = set(p["scan_id"] or ()), set(p["scan_name"] or ())
        selected = [with_summary(r) for r in results if matches_scan(r, ids, names)]
        selected.sort(key=lambda r: (r.get("createdTime") or 0, r.get("id") or 0), reverse=True)
        return {"scan_results": selected, "window": {"start_time": start, "end_time": end}}

    run_client(module, SecurityCenterClient.from_module, action)


if __name__ == "__main__":
    main()
