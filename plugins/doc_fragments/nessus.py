# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the modules that ask the scanners' own Nessus API (module_utils/nessus.py).
    DOCUMENTATION = r"""
options:
  port:
    description:
      - The port of Nessus on every scanner (HTTPS only).
      - If not set, the environment variable E(NESSUS_PORT) is used.
    type: int
    default: 8834
  timeout:
    description:
      - Seconds to wait for each HTTP answer; a scanner that does not answer in time counts as down.
      - If not set, the environment variable E(NESSUS_TIMEOUT) is used.
    type: float
    default: 10.0
  retries:
    description:
      - How many times a request is sent again, with backoff, after a connection error, a timeout, HTTP 429
        or HTTP 500/502/504 before its outcome counts. HTTP 503 is Nessus loading its plugins, an answer that
        is never retried.
    type: int
    default: 1
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(NESSUS) -
    O(ca_path) on E(NESSUS_CA_PATH), O(validate_certs) on E(NESSUS_VALIDATE_CERTS), O(timeout) on E(NESSUS_TIMEOUT).
  - C(GET /server/status) needs no credentials; none are sent.
  - The modules run where the task runs. Delegate them to the controller (C(delegate_to=localhost)) or run them
    in a play on C(localhost).
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.nessus) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.nessus
"""
