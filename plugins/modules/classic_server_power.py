#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: classic_server_power
short_description: Reboot or power-cycle an IBM Cloud classic virtual guest or bare metal server
version_added: 0.1.0
description:
  - Sends one power command (C(rebootSoft), C(rebootHard), C(powerCycle), C(powerOn), C(powerOff)) to the machine
    with O(hostname) and O(domain), the runbook's "Reboot the scanner(s)".
  - Never while a transaction is active on the machine - for example a reboot already under way, or a re-run
    in the middle of one. The module then reports it and, with O(wait), waits for that transaction and the
    machine to come back instead of sending a second command.
  - Bare metal refuses a remote-management command within 20 minutes of a reboot; with O(spacing=wait) the
    module tries again until it is accepted or O(spacing_timeout) passes, with O(spacing=fail) it stops.
  - The command is never retried by the transport. With O(wait), waits until the machine is running with no
    active transaction.
author:
  - Conductors SRE (@conductors)
options:
  action:
    description: The power command.
    type: str
    required: true
    choices: [reboot_soft, reboot_hard, power_cycle, power_on, power_off]
  wait:
    description: Wait until the machine is running again (not for V(power_off)) with no active transaction.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most.
    type: float
    default: 1800
  poll_interval:
    description: Seconds between polls.
    type: float
    default: 2
  spacing:
    description: What to do when bare metal refuses a command within 20 minutes of a reboot.
    type: str
    choices: [wait, fail]
    default: wait
  spacing_timeout:
    description: Seconds to keep trying with O(spacing=wait).
    type: float
    default: 1500
extends_documentation_fragment:
  - conductors.nessus_compliance.classic
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.classic.machine
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.action
  - conductors.nessus_compliance.classic.action_group
"""

EXAMPLES = r"""
- name: Soft reboot of the scanner, and wait until it runs again
  conductors.nessus_compliance.classic_server_power:
    hostname: prod-wdc06-infra-nessus-01
    domain: "{{ classic_domain }}"
    action: reboot_soft
  delegate_to: localhost
"""

RETURN = r"""
sent:
  description: The command was sent (false in check mode, or when a transaction was active).
  returned: success
  type: bool
command:
  description: The API method (C(rebootSoft), ...).
  returned: success
  type: str
skipped_reason:
  description: Why no command was sent (an active transaction).
  returned: when no command was sent
  type: str
server:
  description: The machine after the command and the wait (as in M(conductors.nessus_compliance.classic_server_info)).
  returned: success
  type: dict
waited:
  description: Seconds waited and polls made.
  returned: when O(wait=true)
  type: dict
retries:
  description: Requests the transport retried; empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    CLASSIC_ARGUMENT_SPEC,
    MACHINE_ARGUMENT_SPEC,
    ClassicClient,
    SpacingRefusedError,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import ModuleFailure, run_client

COMMANDS = {"reboot_soft": "rebootSoft", "reboot_hard": "rebootHard", "power_cycle": "powerCycle",
            "power_on": "powerOn", "power_off": "powerOff"}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CLASSIC_ARGUMENT_SPEC,
            **MACHINE_ARGUMENT_SPEC,
            action=dict(type="str", required=True, choices=list(COMMANDS)),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="float", default=1800.0),
            poll_interval=dict(type="float", default=2.0),
            spacing=dict(type="str", default="wait", choices=["wait", "fail"]),
            spacing_timeout=dict(type="float", default=1500.0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    for option in ("wait_timeout", "poll_interval", "spacing_timeout"):
        if p[option] <= 0:
            module.fail_json(msg="%s must be a positive number of seconds, got %s" % (option, p[option]))
    command = COMMANDS[p["action"]]

    def action(client):
        kind, machine = client.find_for_module(p)
        server = client.describe(kind, machine["id"])
        out = {"command": command, "sent": False, "changed": False, "server": server}
        if server["active_transaction"]:
            out["skipped_reason"] = ("transaction %s (%s) is active on %s: no second command"
                                     % (server["active_transaction"]["id"], server["active_transaction"]["name"], p["hostname"]))
        elif module.check_mode:
            return dict(out, changed=True, skipped_reason="check mode: would send %s" % command)
        else:
            try:
                if p["spacing"] == "wait":
                    client.power_spaced(kind, machine["id"], command, p["spacing_timeout"], p["poll_interval"])
                else:
                    client.power(kind, machine["id"], command)
            except SpacingRefusedError as exc:  # spacing=fail, or still refused after spacing_timeout
                raise ModuleFailure(str(exc), error=exc.to_dict()) from exc
            out.update(sent=True, changed=True)
        if not p["wait"] or command == "powerOff":
            return out
        waited = client.wait_running(kind, machine["id"], p["wait_timeout"], p["poll_interval"])
        server = waited.value
        if waited.timed_out:
            raise ModuleFailure("%s is not running again after %ss: power %s, transaction %s"
                                % (p["hostname"], p["wait_timeout"], server["power_state"], server["active_transaction"]),
                                **{k: v for k, v in out.items() if k != "server"}, server=server)
        out["server"] = server
        out["waited"] = {"seconds": round(waited.seconds, 1), "polls": waited.polls}
        return out

    run_client(module, ClassicClient.from_module, action)


if __name__ == "__main__":
    main()
