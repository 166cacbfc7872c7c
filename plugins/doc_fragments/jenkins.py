# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the Jenkins modules (module_utils/jenkins.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Jenkins' root URL (the jobs of the worldwide and the eu-fr2 registration may live on different Jenkins).
      - If not set, the environment variable E(JENKINS_URL) is used.
    type: str
    required: true
  user:
    description:
      - The Jenkins user.
      - If not set, the environment variable E(JENKINS_USER) is used.
    type: str
    required: true
  token:
    description:
      - The user's API token (preferred - Jenkins exempts API-token requests from CSRF protection).
      - If not set, the environment variable E(JENKINS_TOKEN) is used.
    type: str
  password:
    description:
      - The user's password, when no API token is given; each POST then carries a CSRF crumb and its session cookie.
      - If not set, the environment variable E(JENKINS_PASSWORD) is used.
    type: str
  ca_path:
    description:
      - PEM bundle of the certificate authorities to trust for O(url).
      - If not set, the environment variable E(JENKINS_CA_PATH) is used, then the system trust store.
    type: path
  validate_certs:
    description: Verify the TLS certificate of O(url).
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each HTTP answer.
    type: float
    default: 30.0
  retries:
    description: How many times a read is retried on HTTP 429, 5xx or a connection error. A trigger is never retried.
    type: int
    default: 3
requirements:
  - requests
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.jenkins) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.jenkins
"""
