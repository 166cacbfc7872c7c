#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: jenkins_build
short_description: Trigger a parameterized Jenkins job and wait for its result
version_added: 0.1.0
description:
  - Triggers O(job) with O(parameters) (C(POST {job}/buildWithParameters)), follows the queue item to its build,
    and waits until the build ended (C(building) false; a result set while the build still runs is not final).
  - Jenkins folds a trigger into an identical item still in the queue (303); the module then follows that item.
    The trigger itself is never retried, so a job never runs twice because of this module.
  - Queue items disappear five minutes after they leave the queue; a vanished item is looked for among the job's
    builds by its queue id.
  - Authenticates with an API token (no CSRF crumb needed) or a password (the crumb and its session cookie are
    fetched first).
  - Fails when the build's result is not C(SUCCESS), with the build URL, the result and the tail of the console.
  - The runbook's bastion registration - C(armada-ops/bastion-register-nodes-ww) (worldwide) or
    C(armada-ops/bastion-register-nodes) (eu-fr2) with C(TARGET_HOSTS_IP) (the node's backend IP) and
    C(TARGET_HOSTNAME) (the region's worker), C(Branch) left at its default.
author:
  - Conductors SRE (@conductors)
options:
  job:
    description: The job's path, folders separated by C(/) (C(armada-ops/bastion-register-nodes-ww)).
    type: str
    required: true
  parameters:
    description: The build parameters; parameters left out take the job's defaults.
    type: dict
    default: {}
  wait:
    description: Wait for the build's result. With V(false), returns once the build started.
    type: bool
    default: true
  queue_timeout:
    description: Seconds to wait for the queue item to become a build.
    type: float
    default: 600
  build_timeout:
    description: Seconds to wait for the build to end.
    type: float
    default: 3600
  poll_interval:
    description: Seconds between polls (the build's polls back off by half up to 30 seconds).
    type: float
    default: 3
  console_lines:
    description: How many lines of the console to return when the build fails.
    type: int
    default: 40
notes:
  - "Run it on the controller (C(delegate_to: localhost)); it needs the Python library C(requests) there."
extends_documentation_fragment:
  - conductors.nessus_compliance.jenkins
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.jenkins.action_group
"""

EXAMPLES = r"""
- name: Register the reloaded scanner with the bastion
  conductors.nessus_compliance.jenkins_build:
    job: "{{ hostvars[scanner].bastion_job_path }}"
    parameters:
      TARGET_HOSTS_IP: "{{ machine.backend_ip }}"
      TARGET_HOSTNAME: "{{ hostvars[scanner].bastion_target }}"
  delegate_to: localhost
  register: bastion
"""

RETURN = r"""
job:
  description: The job's path.
  returned: always
  type: str
parameters:
  description: The parameters sent.
  returned: always
  type: dict
queue_id:
  description: The queue item followed.
  returned: when triggered
  type: int
queued_item_reused:
  description: Jenkins folded the trigger into an identical item already queued (HTTP 303).
  returned: when triggered
  type: bool
build_number:
  description: The build's number.
  returned: when the build started
  type: int
build_url:
  description: The build's URL.
  returned: when the build started
  type: str
result:
  description: C(SUCCESS), C(UNSTABLE), C(FAILURE), C(NOT_BUILT), C(ABORTED); null while running or not waited for.
  returned: when the build started
  type: str
building:
  description: The build was still running when the module returned (O(wait=false) or O(build_timeout)).
  returned: when the build started
  type: bool
console_tail:
  description: The last O(console_lines) lines of the console, when the build did not succeed.
  returned: on failure of the build
  type: list
  elements: str
history:
  description: What the queue item went through (waiting, vanished and found by queue id).
  returned: when triggered
  type: list
  elements: str
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import ModuleFailure, run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.jenkins import (
    JENKINS_ARGUMENT_SPEC,
    JenkinsClient,
    job_path,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            JENKINS_ARGUMENT_SPEC,
            job=dict(type="str", required=True),
            parameters=dict(type="dict", default={}),
            wait=dict(type="bool", default=True),
            queue_timeout=dict(type="float", default=600.0),
            build_timeout=dict(type="float", default=3600.0),
            poll_interval=dict(type="float", default=3.0),
            console_lines=dict(type="int", default=40),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        job_path(p["job"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    for option in ("queue_timeout", "build_timeout", "poll_interval"):
        if p[option] <= 0:
            module.fail_json(msg="%s must be a positive number of seconds, got %s" % (option, p[option]))
    parameters = {str(k): "" if v is None else str(v) for k, v in p["parameters"].items()}
    out = {"job": p["job"], "parameters": parameters}
    if module.check_mode:
        module.exit_json(changed=True, msg="would trigger %s with %s" % (p["job"], parameters), **out)

    def action(client):
        queue_id, created = client.trigger(p["job"], parameters)
        out.update(changed=True, queue_id=queue_id, queued_item_reused=not created)
        try:
            build, history = client.wait_for_build(p["job"], queue_id, p["queue_timeout"], p["poll_interval"])
        except ApiError as exc:
            raise ModuleFailure("%s: %s" % (p["job"], exc), **out) from exc
        out.update(history=history, build_number=build["number"], build_url=build["url"], result=None, building=True)
        if not p["wait"]:
            return out
        state, timed_out = client.wait_for_result(build["url"], p["build_timeout"], p["poll_interval"])
        out.update(result=state.get("result"), building=bool(state.get("building")))
        if timed_out:
            raise ModuleFailure("%s #%s still running after %ss: %s"
                                % (p["job"], build["number"], p["build_timeout"], build["url"]), **out)
        if out["result"] != "SUCCESS":
            out["console_tail"] = client.console_tail(build["url"], p["console_lines"])
            raise ModuleFailure("%s #%s ended %s: %s" % (p["job"], build["number"], out["result"], build["url"]), **out)
        return out

    run_client(module, JenkinsClient.from_module, action)


if __name__ == "__main__":
    main()
