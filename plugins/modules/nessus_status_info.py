#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: nessus_status_info
short_description: Ask each scanner's own Nessus whether it is ready, loading its plugins or down
version_added: 0.1.0
description:
  - Sends C(GET /server/status) to Nessus on each scanner (C(https://IP:8834)) and returns its state
    V(ready), V(loading) (HTTP 503 with status loading while Nessus loads its plugins after a start),
    V(down) (no answer, the connection refused or timed out) or V(error) (an answer that is not Nessus's,
    a status other than ready or loading, a certificate that does not verify), with the detail.
  - A scanner that is down is evidence, not a failure; the module fails only for bad options.
  - It only reads, so it also runs in check mode, where it returns the same answers.
  - With O(wait) it asks again every O(poll_interval) seconds until each scanner is ready (V(ready)) or no
    longer loading (V(settled)), or O(wait_timeout) has passed; running out of time is returned per scanner
    (C(waited.timed_out)), not raised.
author:
  - Conductors SRE (@conductors)
options:
  scanners:
    description:
      - The scanners to ask, each a dict with C(ip) (an IP address or host name, without scheme or port)
        and C(name) (how the result names it; the address when left out).
      - Other keys are ignored, so the C(scanners) that M(conductors.nessus_compliance.sc_scanner_info)
        returns can be given as they are.
      - A scanner listed twice is asked once. An empty list returns no scanners.
    type: list
    elements: dict
    required: true
  wait:
    description:
      - V(none) returns the first answer of each scanner.
      - V(ready) asks again until each scanner answers ready.
      - V(settled) asks again while a scanner is loading its plugins (a scanner that is down has settled).
    type: str
    choices: [none, ready, settled]
    default: none
  wait_timeout:
    description: How many seconds O(wait) may take in all; each scanner is asked once more at the end.
    type: float
    default: 900.0
  poll_interval:
    description: Seconds between two rounds of questions while O(wait) goes on.
    type: float
    default: 2.0
extends_documentation_fragment:
  - conductors.nessus_compliance.nessus
  - conductors.nessus_compliance.transport
  - conductors.nessus_compliance.attributes
  - conductors.nessus_compliance.attributes.info_module
  - conductors.nessus_compliance.nessus.action_group
seealso:
  - module: conductors.nessus_compliance.sc_scanner_info
"""

EXAMPLES = r"""
- name: Ask each scanner's Nessus whether it is ready
  conductors.nessus_compliance.nessus_status_info:
    scanners:
      - name: prod-wdc06-infra-nessus-01
        ip: 10.190.12.34
      - name: prod-wdc06-infra-nessus-02
        ip: 10.190.12.35
  register: nessus
  delegate_to: localhost

- name: Name the scanners whose Nessus is down
  ansible.builtin.debug:
    msg: "{{ nessus.scanners | selectattr('state', 'equalto', 'down') | map(attribute='name') | list }}"

- name: Ask the scanners Security Center knows, as sc_scanner_info returned them
  conductors.nessus_compliance.nessus_status_info:
    scanners: "{{ sc_scanners.scanners }}"
    ca_path: /etc/pki/nessus-ca.pem
  register: nessus

- name: Wait up to 15 minutes until Nessus answers ready after a reboot
  conductors.nessus_compliance.nessus_status_info:
    scanners:
      - name: "{{ scanner_name }}"
        ip: "{{ scanner_ip }}"
    wait: ready
    wait_timeout: 900
    poll_interval: 10
  register: nessus_after_reboot

- name: Go on with the next step when it did not come back
  ansible.builtin.debug:
    msg: "{{ scanner_name }} is {{ nessus_after_reboot.scanners[0].state }} after {{ nessus_after_reboot.scanners[0].waited.seconds }} s"
  when: not nessus_after_reboot.scanners[0].ready
"""

RETURN = r"""
scanners:
  description: One entry per scanner asked, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The scanner's name as given (its address when none was).
      type: str
      sample: prod-wdc06-infra-nessus-01
    ip:
      description: The address asked.
      type: str
      sample: 10.190.12.34
    state:
      description:
        - V(ready), V(loading), V(down) or V(error), from the last answer.
      type: str
      sample: loading
    http_status:
      description: The HTTP status of the last answer; null when there was none (down, TLS failure).
      type: int
      sample: 503
    status:
      description: The C(status) string Nessus sent (C(ready), C(loading), ...), or null.
      type: str
      sample: loading
    progress:
      description: How far Nessus is in loading its plugins, in percent, when it said so; else null.
      type: int
      sample: 42
    detail:
      description: The answer in a few words, with the transport's reason when there was no answer.
      type: str
      sample: "no answer: cannot connect: HTTPSConnection(host='10.190.12.34', port=8834): Failed to establish a new
        connection: [Errno 111] Connection refused"
    ready:
      description: The state is V(ready).
      type: bool
      sample: false
    waited:
      description: How the wait went for this scanner.
      type: dict
      contains:
        seconds:
          description: Seconds from the start to this scanner's last answer.
          type: float
          sample: 12.5
        polls:
          description: How many times the scanner was asked.
          type: int
          sample: 7
        timed_out:
          description: O(wait_timeout) passed before the scanner met O(wait).
          type: bool
          sample: false
retries:
  description: Requests the transport retried (method, path, status or error); empty when none.
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.common import run_client
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.nessus import (
    NESSUS_ARGUMENT_SPEC,
    NessusClient,
    describe_scanner,
    scanner_targets,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            NESSUS_ARGUMENT_SPEC,
            scanners=dict(type="list", elements="dict", required=True),
            wait=dict(type="str", default="none", choices=["none", "ready", "settled"]),
            wait_timeout=dict(type="float", default=900.0),
            poll_interval=dict(type="float", default=2.0),
        ),
        supports_check_mode=True,
    )
    try:
        targets = scanner_targets(module.params["scanners"])
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    def action(client):
        wait = module.params["wait"]
        waited = client.wait_for([t["ip"] for t in targets], until=None if wait == "none" else wait,
                                 timeout=module.params["wait_timeout"], interval=module.params["poll_interval"])
        return {"scanners": [describe_scanner(t, waited[t["ip"]]) for t in targets]}

    run_client(module, NessusClient.for_module, action)


if __name__ == "__main__":
    main()
