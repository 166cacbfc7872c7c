# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection does the same way around its one client call."""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from .transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError, insecure_warning


class ModuleFailure(Exception):
    """Raised inside a module's action to fail with a message and a partial result, after the client is closed."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def require_requests(module):
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))


def fail_on_error(module, exc, **result):
    """End the module with a message that names the system, the request and the system's own error.

    The typed error never holds a credential; ``error`` lets a playbook branch on kind or status.
    """
    if isinstance(exc, ApiError):
        module.fail_json(msg=str(exc), error=exc.to_dict(), **result)
    module.fail_json(msg=str(exc), **result)


def run_client(module, client_factory, action):
    """Build a client from the module's parameters, run ``action(client)``, close it, and exit.

    ``action`` returns the result dict. Bad settings (ValueError) and API errors end in fail_json;
    the transport's retries are returned as ``retries`` so they show with ``-v``.
    """
    require_requests(module)
    try:
        client = client_factory(module)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    http = getattr(client, "http", None)
    warning = insecure_warning(http.system, http.verify) if http is not None else None
    if warning:
        module.warn(warning)
    result = {}
    try:
        with client:
            result = action(client)
    except ModuleFailure as exc:
        module.fail_json(msg=exc.msg, retries=client.retry_log, **exc.result)
    except (ApiError, ValueError) as exc:
        fail_on_error(module, exc, retries=client.retry_log)
    result.setdefault("changed", False)
    result["retries"] = client.retry_log
    module.exit_json(**result)
