# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the ServiceNow modules (module_utils/servicenow.py).
    DOCUMENTATION = r"""
options:
  host:
    description:
      - The ServiceNow instance, C(https://instance.service-now.com) (a bare host name gets C(https://)).
      - If not set, the environment variable E(SN_HOST) is used.
    type: str
    required: true
  username:
    description:
      - User for Basic authentication.
      - If not set, the environment variable E(SN_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(SN_PASSWORD) is used.
    type: str
    required: true
  ca_path:
    description:
      - PEM bundle of the certificate authorities to trust for O(host).
      - If not set, the environment variable E(SN_CA_PATH) is used, then the system trust store.
    type: path
  validate_certs:
    description: Verify the TLS certificate of O(host).
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each HTTP answer.
    type: float
    default: 30.0
  retries:
    description:
      - How many times a read is retried on HTTP 429, 5xx or a connection error (exponential backoff with
        jitter), and how many times a create refused with 429 is tried again after looking the record up.
    type: int
    default: 3
requirements:
  - requests
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.servicenow) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.servicenow
"""
