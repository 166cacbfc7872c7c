# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The transport options every module that calls a system takes (module_utils/transport.py http_argument_spec).
    # List it after the system's own fragment, which names the environment variables' prefix and may change a default.
    DOCUMENTATION = r"""
options:
  ca_path:
    description:
      - PEM bundle of the certificate authorities to trust for the system's endpoint.
      - If not set, the system's environment variable C(<PREFIX>_CA_PATH) is used (the prefix is in the notes, for
        example E(TSC_CA_PATH)), then the system trust store.
    type: path
  validate_certs:
    description:
      - Verify the TLS certificate of the system's endpoint. Prefer O(ca_path) to turning this off.
      - If not set, the system's environment variable C(<PREFIX>_VALIDATE_CERTS) is used.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer.
      - If not set, the system's environment variable C(<PREFIX>_TIMEOUT) is used.
    type: float
    default: 30.0
  retries:
    description:
      - How many times a safe request - a read, or a change the API itself de-duplicates - is retried on HTTP 429,
        5xx or a connection error, with exponential backoff and jitter.
      - A request that changes something (a scan launch, a power command, a reload, a trigger, an issue, a comment,
        a ticket) is never retried blind.
    type: int
    default: 3
requirements:
  - requests
"""
