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
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(TSC) -
    O(ca_path) on E(TSC_CA_PATH), O(validate_certs) on E(TSC_VALIDATE_CERTS), O(timeout) on E(TSC_TIMEOUT).
  - The modules run where the task runs. Delegate them to the controller (C(delegate_to=localhost)) or
    run them in a play on C(localhost).
  - Use C(module_defaults) with the group C(group/conductors.nessus_compliance.securitycenter) to set
    these options once for every Security Center module.
"""
