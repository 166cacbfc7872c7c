# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every Security Center module (module_utils/securitycenter.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Tenable Security Center, for example C(https://sc.example.com).
      - The API lives under C(/rest) below it; a URL that already ends in C(/rest) is accepted.
      - If not set, the environment variable E(TSC_URL) is used.
    type: str
    required: true
  access_key:
    description:
      - Access key of a Security Center API key pair, sent in the C(x-apikey) header.
      - If not set, the environment variable E(TSC_ACCESS_KEY) is used.
      - API keys are preferred for automation; sessions expire and failed logins lock accounts.
    type: str
  secret_key:
    description:
      - Secret key of the API key pair.
      - If not set, the environment variable E(TSC_SECRET_KEY) is used.
    type: str
  username:
    description:
      - User name for session authentication (C(POST /rest/token)).
      - If not set, the environment variable E(TSC_USERNAME) is used.
    type: str
  password:
    description:
      - Password for session authentication. A refused login is never retried, because Security
        Center locks the account after repeated failures.
      - If not set, the environment variable E(TSC_PASSWORD) is used.
    type: str
  auth:
    description:
      - How to authenticate. V(auto) uses the API keys when both are set, else a session.
    type: str
    default: auto
    choices: [auto, api_key, session]
  ca_path:
    description:
      - PEM bundle of the certificate authorities to trust for the Security Center endpoint.
      - If not set, the environment variable E(TSC_CA_PATH) is used, then the system trust store.
    type: path
  validate_certs:
    description:
      - Verify the TLS certificate of Security Center. Prefer O(ca_path) to turning this off.
      - If not set, the environment variable E(TSC_VALIDATE_CERTS) is used.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer.
      - If not set, the environment variable E(TSC_TIMEOUT) is used.
    type: float
    default: 30.0
  retries:
    description:
      - How many times a safe (read) request is retried on HTTP 429, 5xx or a connection error,
        with exponential backoff and jitter. Requests that change something are never retried.
    type: int
    default: 3
requirements:
  - requests
notes:
  - The modules run where the task runs. Delegate them to the controller (C(delegate_to=localhost)) or
    run them in a play on C(localhost).
  - Use C(module_defaults) with the group C(group/conductors.nessus_compliance.securitycenter) to set
    these options once for every Security Center module.
"""
