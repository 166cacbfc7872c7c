#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: classic_server_reload
short_description: Reload the operating system of a virtual guest or bare-metal server, with the post-provision script
version_added: 0.1.0
description:
  - Sends C(reloadOperatingSystem) for the machine named by O(hostname) and O(domain) - the runbook's last resort for a
    scanner no reboot heals - with the post-provision script that bootstraps it (C(customProvisionScriptUri)).
  - Refuses without a post-provision script - "Bootstrapping will not be performed if the post provision script is not
    selected" - and a script that is not HTTPS (the platform only downloads those, it does not run them).
  - Never stacks a reload on an active transaction; never sends a second reload when the machine was reloaded since
    O(previous_reload_id) (a re-run follows that reload instead). Reload ids, not clocks, decide this.
  - With O(wait), follows the reload by the rule the well-known clients use - the machine has a provision date and
    its last OS reload is no longer its active transaction - confirmed over O(settle_polls) consecutive polls, since
    a reload has short gaps between its steps. The transaction names are logged as they go (for reading only).
  - A reload still running after O(wait_timeout) fails with what was seen; it is not sent again.
  - The reload is never retried by the transport. Its answer (C("1") or C("OK")) is not interpreted; the
    transactions are.
author:
  - Conductors SRE (@conductors)
options:
  post_provision_script:
    description: HTTPS URI of the post-provision script. One of O(post_provision_script) or O(post_provision_hook) is required.
    type: str
  post_provision_hook:
    description: Name of a post-provisioning script saved in the account (C(SoftLayer_Account/getPostProvisioningHooks)).
    type: str
  ssh_key_ids:
    description: Ids of the account's SSH keys to install (C(sshKeyIds)).
    type: list
    elements: int
    default: []
  image_template_id:
    description: Image template to deploy instead of the machine's current operating system (C(imageTemplateId)).
    type: int
  config:
    description: Further fields of C(SoftLayer_Container_Hardware_Server_Configuration) (C(lvmFlag), C(upgradeBios), ...).
    type: dict
    default: {}
  confirm_with_token:
    description:
      - V(false) sends the documented one-step C(FORCE) token. V(true) asks for a confirmation token first and confirms
        the reload with it (valid ten minutes).
    type: bool
    default: false
  previous_reload_id:
    description:
      - The id of the machine's last OS reload (C(last_os_reload_id) of M(conductors.nessus_compliance.classic_server_info))
        when the remediation decided to reload it. When the machine's last reload is another one, it was reloaded since, so
        no reload is sent and the module follows that one (C(already_reloaded)).
    type: int
  wait:
    description: Wait until the reload finished.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait; default 5400 for a virtual guest and 14400 for bare metal (a reload takes at least 66 minutes there).
    type: float
  poll_interval:
    description: Seconds between polls.
    type: float
    default: 10
  settle_polls:
    description: Consecutive polls that must show the reload finished.
    type: int
    default: 3
extends_documentation_fragment:
  - conductors.nessus_compliance.classic
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.classic.machine
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.classic.action_group
"""

EXAMPLES = r"""
- name: Reload the scanner with the bootstrap script, and wait
  conductors.nessus_compliance.classic_server_reload:
    hostname: prod-wdc06-infra-nessus-01
    domain: example.cloud
    post_provision_hook: alc-nessus-bootstrap
    previous_reload_id: "{{ decided.previous_reload_id }}"
  delegate_to: localhost
  register: reload
"""

RETURN = r"""
sent:
  description: A reload was sent by this task.
  returned: success
  type: bool
would_reload:
  description: In check mode, whether a reload would be sent.
  returned: success
  type: bool
already_reloaded:
  description: The machine was reloaded since O(previous_reload_id); nothing was sent.
  returned: success
  type: bool
request:
  description: What is (or in check mode, would be) sent - the service, the method and C(config) with C(customProvisionScriptUri).
  returned: success
  type: dict
reload:
  description: The reload followed (C(transaction_id), C(created), C(finished), C(seconds), C(steps) seen in order).
  returned: when a reload was sent or followed
  type: dict
server:
  description: The machine after the reload, as M(conductors.nessus_compliance.classic_server_info) describes it.
  returned: success
  type: dict
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    CLASSIC_ARGUMENT_SPEC,
    MACHINE_ARGUMENT_SPEC,
    SERVICES,
    ClassicClient,
    describe_machine,
    reload_state,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import ModuleFailure, run_client

NO_SCRIPT = "Bootstrapping will not be performed if the post provision script is not selected"
TIMEOUTS = {"guest": 5400.0, "hardware": 14400.0}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CLASSIC_ARGUMENT_SPEC, **MACHINE_ARGUMENT_SPEC,
            post_provision_script=dict(type="str"),
            post_provision_hook=dict(type="str"),
            ssh_key_ids=dict(type="list", elements="int", default=[], no_log=False),
            image_template_id=dict(type="int"),
            config=dict(type="dict", default={}),
            confirm_with_token=dict(type="bool", default=False),
            previous_reload_id=dict(type="int"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="float"),
            poll_interval=dict(type="float", default=10.0),
            settle_polls=dict(type="int", default=3),
        ),
        mutually_exclusive=[("post_provision_script", "post_provision_hook")],
        supports_check_mode=True,
    )
    p = module.params
    if not p["post_provision_script"] and not p["post_provision_hook"]:
        module.fail_json(msg="%s: give post_provision_script (an HTTPS URI) or post_provision_hook (a saved script)"
                         % NO_SCRIPT)
    if p["post_provision_script"] and not p["post_provision_script"].startswith("https://"):
        module.fail_json(msg="%s: the post-provision script must be HTTPS to be run (HTTP is only downloaded): %s"
                         % (NO_SCRIPT, p["post_provision_script"]))
    if p["poll_interval"] <= 0 or p["settle_polls"] < 1 or (p["wait_timeout"] is not None and p["wait_timeout"] <= 0):
        module.fail_json(msg="poll_interval and wait_timeout must be positive and settle_polls at least 1")

    def action(client):
        kind, found = client.find_for_module(p)
        ident = found["id"]
        script = p["post_provision_script"]
        if p["post_provision_hook"]:
            hooks = client.provisioning_hooks()
            hook = next((h for h in hooks if h.get("name") == p["post_provision_hook"]), None)
            if hook is None:
                raise ValueError("%s: no post-provisioning script named %s in the account (it has: %s)"
                                 % (NO_SCRIPT, p["post_provision_hook"], ", ".join(h.get("name", "?") for h in hooks) or "none"))
            script = hook.get("uri") or ""
            if not script.startswith("https://"):
                raise ValueError("%s: the saved script %s is not HTTPS (%s), so it would not run"
                                 % (NO_SCRIPT, p["post_provision_hook"], script))
        config = dict(p["config"], customProvisionScriptUri=script)
        if p["ssh_key_ids"]:
            config["sshKeyIds"] = p["ssh_key_ids"]
        if p["image_template_id"] is not None:
            config["imageTemplateId"] = p["image_template_id"]
        machine = client.get(kind, ident)
        state = reload_state(machine)
        out = {"changed": False, "sent": False, "would_reload": False, "already_reloaded": False,
               "request": {"service": SERVICES[kind], "id": ident, "method": "reloadOperatingSystem",
                           "token": "confirmation token" if p["confirm_with_token"] else "FORCE", "config": config}}
        if p["previous_reload_id"] is not None and state["last_reload_id"] not in (None, p["previous_reload_id"]):
            out["already_reloaded"] = True
        elif state["busy"] or state["reloading"]:
            raise ModuleFailure("%s.%s has an active transaction (%s): not stacking a reload on it"
                                % (p["hostname"], p["domain"], state["step"] or "unnamed"),
                                server=describe_machine(kind, machine), **out)
        elif module.check_mode:
            out.update(changed=True, would_reload=True, server=describe_machine(kind, machine))
            return out
        else:
            client.reload(kind, ident, config, confirm=p["confirm_with_token"])
            out.update(changed=True, sent=True)
        before = None if out["already_reloaded"] else state["last_reload_id"]
        if not p["wait"] or module.check_mode:
            out["server"] = describe_machine(kind, client.get(kind, ident))
            return out
        timeout = p["wait_timeout"] or TIMEOUTS[kind]
        started = time.monotonic()
        machine, state, steps, timed_out = client.follow_reload(kind, ident, before, timeout, p["poll_interval"],
                                                                p["settle_polls"])
        out["reload"] = {"transaction_id": state["last_reload_id"], "created": state["last_reload_created"],
                         "finished": machine.get("provisionDate") if not timed_out else None,
                         "seconds": round(time.monotonic() - started, 1), "steps": steps}
        out["server"] = describe_machine(kind, machine, client.power_state(kind, ident))
        if timed_out:
            raise ModuleFailure("the OS reload of %s.%s is still running after %ss (step %s); it was not sent again"
                                % (p["hostname"], p["domain"], timeout, state["step"] or "between steps"), **out)
        return out

    run_client(module, ClassicClient.from_module, action)


if __name__ == "__main__":
    main()
