# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small ServiceNow client: the Table API (find by correlation id, create, add a work note) and the
Service Catalog's ``order_now``.

Creating a record is never blindly retried: a 429 (rate limit) refused the request, so the client
waits, looks the record up by its correlation id again, and only then creates it, so that a retry
can never open a second ticket.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import env_fallback

from .transport import ApiClient, ApiError, AuthError, HttpClient, NotFoundError, decode_json

SYSTEM = "ServiceNow"

SERVICENOW_ARGUMENT_SPEC = dict(
    host=dict(type="str", required=True, fallback=(env_fallback, ["SN_HOST"])),
    username=dict(type="str", required=True, fallback=(env_fallback, ["SN_USERNAME"])),
    password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["SN_PASSWORD"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["SN_CA_PATH"])),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="float", default=30.0),
    retries=dict(type="int", default=3),
)


class ServiceNowClient(ApiClient):
    MODULE_PARAMS = ("host", "username", "password", "ca_path", "validate_certs", "timeout", "retries")

    def __init__(self, host, username, password, ca_path=None, validate_certs=True, timeout=30.0, retries=3,
                 backoff=0.5, sleep=time.sleep):
        if host and "://" not in host:
            host = "https://" + host  # SN_HOST is often given as instance.service-now.com
        self.http = HttpClient(host, SYSTEM, setting="host (SN_HOST)", timeout=timeout, validate_certs=validate_certs,
                               ca_path=ca_path, retries=retries, backoff=backoff)
        self.http.session.auth = (username, password)
        self.http.session.headers.update({"Accept": "application/json"})
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def _call(self, method, path, expected, params=None, body=None):
        response = self.http.request(method, path, params=params, json_body=body)
        data = decode_json(response, SYSTEM, method, "/" + path)
        if response.status_code in expected:
            return data, response
        error = (data or {}).get("error") if isinstance(data, dict) else None
        message = (error or {}).get("message") or "request failed"
        args = dict(system=SYSTEM, method=method, path="/" + path, status=response.status_code,
                    detail=(error or {}).get("detail") or None)
        if response.status_code == 401:
            raise AuthError(message, hint="check SN_USERNAME/SN_PASSWORD", **args)
        if response.status_code == 404:
            raise NotFoundError(message, **args)
        raise ApiError(message, **args)

    def find_open(self, table, correlation_id):
        """The active record of ``table`` with this correlation id, or None."""
        data, _response = self._call("GET", "api/now/table/%s" % table, (200,), params={
            "sysparm_query": "correlation_id=%s^active=true" % correlation_id,
            "sysparm_limit": 1, "sysparm_fields": "sys_id,number,state,active,correlation_id,short_description",
        })
        rows = (data or {}).get("result") or []
        return rows[0] if rows else None

    def create(self, table, fields):
        """Create a record unless one with its correlation id exists; survives 429 without a duplicate."""
        params = {"sysparm_input_display_value": "true", "sysparm_exclude_reference_link": "true"}
        for attempt in range(self.retries + 1):
            try:
                data, _response = self._call("POST", "api/now/table/%s" % table, (201,), params=params, body=fields)
                return data["result"], "created"
            except ApiError as exc:
                if exc.status != 429 or attempt == self.retries:
                    raise
            self.sleep(self.backoff * (2 ** attempt))
            existing = self.find_open(table, fields["correlation_id"]) if fields.get("correlation_id") else None
            if existing is not None:
                return existing, "found"
        raise ApiError("gave up creating the record", SYSTEM, "POST", "/api/now/table/%s" % table)

    def add_work_note(self, table, sys_id, note):
        data, _response = self._call("PATCH", "api/now/table/%s/%s" % (table, sys_id), (200,),
                                     params={"sysparm_exclude_reference_link": "true"}, body={"work_notes": note})
        return data["result"]

    def order_now(self, item_sys_id, variables, quantity=1):
        data, _response = self._call("POST", "api/sn_sc/servicecatalog/items/%s/order_now" % item_sys_id, (200,),
                                     body={"sysparm_quantity": quantity, "variables": variables})
        return data["result"]
