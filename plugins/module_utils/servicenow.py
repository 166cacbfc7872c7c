# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small ServiceNow client: the Table API (find by correlation id, create, add a work note) and the
Service Catalog's ``order_now``.

Creating a record is never blindly retried: a 429 (rate limit) refused the request, so the client
waits, looks the record up by its correlation id again, and only then creates it, so that a retry
can never open a second ticket.

Ordering a catalog item (``order_now``) creates a request (``sc_request``) and its requested item
(``sc_req_item``); the catalog variables are stored with the requested item (``sc_item_option`` through
``sc_item_option_mtom``), never as fields of the request. So the correlation id is not sent as a variable:
after the order, the client sets the request's own ``correlation_id`` (a field of ``task``, which
``sc_request`` extends) with a Table API ``PATCH /api/now/table/sc_request/{sys_id}``, and later runs find
the request by it like any other record. An instance with two-step checkout answers ``order_now`` with only
a ``cart_id`` (the item went to the cart, no request exists): that is an error, never a created ticket.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import env_fallback

from .transport import ApiClient, ApiError, HttpClient, decode_json, http_argument_spec

SYSTEM = "ServiceNow"

SERVICENOW_ARGUMENT_SPEC = dict(
    host=dict(type="str", required=True, fallback=(env_fallback, ["SN_HOST"])),
    username=dict(type="str", required=True, fallback=(env_fallback, ["SN_USERNAME"])),
    password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["SN_PASSWORD"])),
    **http_argument_spec("SN"),
)


class ServiceNowClient(ApiClient):
    MODULE_PARAMS = ("host", "username", "password", "ca_path", "validate_certs", "timeout", "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = SERVICENOW_ARGUMENT_SPEC
    AUTH_HINT = "check SN_USERNAME/SN_PASSWORD"

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

    def _call(self, method, path, expected, params=None, body=None, idempotent=False):
        response = self.http.request(method, path, params=params, json_body=body, idempotent=idempotent)
        data = decode_json(response, SYSTEM, method, "/" + path)
        if response.status_code in expected:
            return data, response
        error = ((data or {}).get("error") if isinstance(data, dict) else None) or {}
        raise self.error(response.status_code, method, "/" + path, error.get("message") or "request failed",
                         detail=error.get("detail") or None)

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
        """``POST /api/sn_sc/servicecatalog/items/{sys_id}/order_now``: the request it created
        (``{sys_id, number, request_number, request_id, table}``).

        Raises ApiError when ServiceNow created no request: with two-step checkout the answer is only
        ``{"result": {"cart_id": ...}}`` (the item waits in the integration user's cart).
        """
        path = "api/sn_sc/servicecatalog/items/%s/order_now" % item_sys_id
        data, response = self._call("POST", path, (200,), body={"sysparm_quantity": quantity, "variables": variables})
        result = (data or {}).get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict) or not (result.get("request_id") or result.get("sys_id")):
            cart = (result or {}).get("cart_id") if isinstance(result, dict) else None
            if cart:
                raise ApiError("order_now put the catalog item in cart %s instead of ordering it: this instance uses "
                               "two-step checkout, so no request was created" % cart, SYSTEM, "POST", "/" + path,
                               status=response.status_code,
                               hint="disable two-step checkout for the integration user's catalog, or have the "
                                    "ticket created in a table (no catalog_item); empty the cart of %s" % cart)
            raise ApiError("order_now answered without a request", SYSTEM, "POST", "/" + path, status=response.status_code)
        return result

    def set_correlation_id(self, table, sys_id, correlation_id):
        """Store ``correlation_id`` on a record: ``PATCH /api/now/table/{tableName}/{sys_id}`` (ServiceNowDocs
        c_TableAPI.md, "Table - PATCH"); ``correlation_id`` is a field of ``task``, which ``sc_request`` extends.
        Setting the same value twice changes nothing, so the transport may retry it."""
        data, _response = self._call("PATCH", "api/now/table/%s/%s" % (table, sys_id), (200,), params={
            "sysparm_exclude_reference_link": "true", "sysparm_fields": "sys_id,number,correlation_id"},
            body={"correlation_id": correlation_id}, idempotent=True)
        return data["result"]

    def order(self, item_sys_id, variables, correlation_id, quantity=1):
        """Order a catalog item and give its request ``correlation_id``, so that ``find_open`` finds it next time."""
        ordered = self.order_now(item_sys_id, variables, quantity)
        request_id = ordered.get("request_id") or ordered.get("sys_id")
        try:
            self.set_correlation_id("sc_request", request_id, correlation_id)
        except ApiError as exc:
            number = ordered.get("request_number") or ordered.get("number")
            raise ApiError("ordered %s, but could not set its correlation_id (%s): a re-run would not find it and "
                           "would order again; set correlation_id=%s on %s by hand"
                           % (number, exc.message, correlation_id, number), SYSTEM, exc.method, exc.path,
                           status=exc.status, detail=exc.detail) from exc
        return ordered
