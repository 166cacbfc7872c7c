# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the Slack modules (module_utils/slack.py).
    DOCUMENTATION = r"""
options:
  webhook_url:
    description:
      - URL of a Slack app's incoming webhook (C(https://hooks.slack.com/services/T.../B.../...)); the message goes to
        the channel the webhook was created for. The URL is a credential, never shown.
      - Used when O(bot_token) is not set, or with O(via=webhook).
      - If not set, the environment variable E(SLACK_WEBHOOK_URL) is used.
    type: str
  bot_token:
    description:
      - A bot token (C(xoxb-...)) with the C(chat:write) scope, to post with C(chat.postMessage) to O(channel).
      - If not set, the environment variable E(SLACK_BOT_TOKEN) is used.
    type: str
  channel:
    description:
      - The channel C(chat.postMessage) posts to, by ID (C(C0123456789), the safest) or name. The app must be a
        member of it. Required with O(bot_token).
      - If not set, the environment variable E(SLACK_CHANNEL) is used.
    type: str
  api_url:
    description:
      - Base URL of the Slack Web API.
      - If not set, the environment variable E(SLACK_API_URL) is used.
    type: str
    default: https://slack.com/api
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(SLACK) -
    O(ca_path) on E(SLACK_CA_PATH), O(validate_certs) on E(SLACK_VALIDATE_CERTS), O(timeout) on E(SLACK_TIMEOUT).
  - Slack does not de-duplicate messages, so a post is never sent again after it may have arrived (a timeout, a lost
    answer, a 5xx). Only a refusal with HTTP 429 and C(Retry-After) is waited out and sent again, at most O(retries)
    times and within O(timeout) seconds of waiting.
"""
