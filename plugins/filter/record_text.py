# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: record_text
short_description: The remediation record's text of a reboot step, an OS reload or a bastion registration
version_added: 0.1.0
description:
  - From what a step did (structured facts, not text), the sentence the remediation record keeps for it.
  - V(ladder_step) - the rung and the scanner, then C(restarted nessusd over SSH), C(could not restart nessusd over
    SSH) with why, C(sent) with the power command, or why no command was sent.
  - V(os_reload) - would reload (dry run), OS reloaded (or the reload an earlier run sent) with its transaction's
    steps and end, or why it did not finish.
  - V(bastion) - the bastion job, its build and result, C(TARGET_HOSTS_IP) and C(TARGET_HOSTNAME), and why it
    failed; or that an earlier run registered the scanner.
  - V(reload_decided) - who allowed the OS reload, and with which flags.
  - V(bootstrap) - whether the reloaded scanner is bootstrapped, Nessus' state, and the bootstrap check over SSH.
  - V(reload_outcome) - the scanner works again after the OS reload, or SOS has not re-enabled it yet.
  - V(reenable_outcome) - a scanner SOS was asked to re-enable - re-enabled or not yet, and what Security Center
    reports.
  - V(sos_request) and V(reenable_request) - what was done with the ServiceNow request (opened, found, added a work
    note to, or what a dry run would do) and its number.
  - V(page) - a PagerDuty trigger sent or, in a dry run, not sent, and its dedup key.
  - V(support_case) - the IaaS support case's text - what the reboot ladder did and saw after each step, and why no
    OS reload ran, a line each.
  - V(after_ladder) - what comes after a reboot ladder that heals nothing (the OS reload, or the escalation).
author:
  - Conductors SRE (@conductors)
positional: form
options:
  _input:
    description:
      - The step's facts.
      - V(ladder_step) - C(words), C(scanner), C(step), C(service), C(restarted), C(restart_msg), C(power_sent),
        C(power_command), C(power_skipped_reason), C(check_mode).
      - V(os_reload) - C(scanner), C(check_mode), C(done), and C(answer), what
        M(conductors.nessus_compliance.classic_server_reload) registered.
      - V(bastion) - C(scanner), C(earlier), C(job), C(ok), and C(build), what
        M(conductors.nessus_compliance.jenkins_build) registered.
      - V(reload_decided) - C(scanner), C(allowed_by), C(allow_last).
      - V(bootstrap) - C(scanner), C(bootstrapped), C(nessus), C(ssh_checked), C(command), and C(ran), what the
        bootstrap check over SSH registered.
      - V(reload_outcome) - C(scanner), C(healed), and C(sc), what M(conductors.nessus_compliance.sc_scanner_info)
        registered.
      - V(reenable_outcome) - the scanner's entry of M(conductors.nessus_compliance.sc_scanner_info) (C(name),
        C(healthy), C(status_decoded)).
      - V(sos_request) - C(answer), what M(conductors.nessus_compliance.servicenow_ticket) registered.
      - V(reenable_request) - C(scanner), C(zone), C(answer) (as for V(sos_request)).
      - V(page) - C(sent), C(dedup_key).
      - V(support_case) - C(ladder), the reboot_ladder role's result, and C(refused), why no OS reload ran.
      - V(after_ladder) - C(allow_osreload).
    type: dict
    required: true
  form:
    description: Which step.
    type: str
    required: true
    choices: [ladder_step, os_reload, bastion, reload_decided, bootstrap, reload_outcome, reenable_outcome, sos_request,
              reenable_request, page, support_case, after_ladder]
"""

EXAMPLES = r"""
- name: Record the registration
  conductors.nessus_compliance.remediation_record:
    event: add
    kind: done
    step: Register the node with the bastion
    text: "{{ registration | conductors.nessus_compliance.record_text('bastion') }}"
  vars:
    registration:
      scanner: prod-wdc06-infra-nessus-01
      earlier: false
      job: bastion-register
      ok: "{{ bastion_build.result | default('') == 'SUCCESS' }}"
      build: "{{ bastion_build }}"  # what jenkins_build registered
"""

RETURN = r"""
_value:
  description: The record's text.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.remediation_sentences import RECORD_TEXTS

FLAGS = ("restarted", "power_sent", "check_mode", "done", "earlier", "ok", "allow_last", "bootstrapped", "ssh_checked",
         "healed", "healthy", "sent", "allow_osreload")


def record_text(facts, form):
    if form not in RECORD_TEXTS:
        raise AnsibleFilterError("record_text: form must be one of %s, got %r" % (", ".join(RECORD_TEXTS), form))
    if not isinstance(facts, dict):
        raise AnsibleFilterError("record_text: the step's facts must be a dict, got %s" % type(facts).__name__)
    facts = dict(facts)
    for flag in FLAGS:  # booleans, whether templating gave them as booleans or as text
        if flag in facts:
            facts[flag] = boolean(facts[flag], strict=False)
    return RECORD_TEXTS[form](facts)


class FilterModule:
    def filters(self):
        return {"record_text": record_text}
