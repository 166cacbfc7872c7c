"""ServiceNow stand-in: the Table API and the Service Catalog ``order_now``.

Basic auth (401 ``User Not Authenticated``); ``POST /api/now/table/{table}`` -> 201 ``{"result": {...}}``
with ``sys_id`` (32 hex), ``number`` (REQ/INC/RITM + 7 digits), every field a string, reference
fields as ``{link, value}`` unless ``sysparm_exclude_reference_link=true``, display values accepted
with ``sysparm_input_display_value=true``; ``GET`` lists with ``sysparm_query`` (``a=b^c!=d``),
``sysparm_limit``, ``sysparm_fields`` and ``X-Total-Count``; ``PATCH`` by sys_id appends
``work_notes`` to the journal; ``POST /api/sn_sc/servicecatalog/items/{sys_id}/order_now`` -> 200
with the request; errors as ``{"error": {"message", "detail"}, "status": "failure"}``.

``order_now`` keeps ServiceNow's data model: it creates the request (``sc_request``, REQ), its requested item
(``sc_req_item``, RITM, ``request`` -> the REQ, ``cat_item`` -> the item) and one ``sc_item_option`` per variable,
tied to the RITM by ``sc_item_option_mtom`` (``request_item``, ``sc_item_option``). The variables are stored with
the requested item, never as fields of ``sc_request``; ``sc_req_item`` reads them as ``variables.<name>`` in
``sysparm_fields`` and ``sysparm_query``. A scenario's ``servicenow.two_step_checkout: true`` makes ``order_now``
behave as on an instance with two-step checkout: the item goes to the user's cart, and the answer is only
``{"result": {"cart_id": ...}}`` with no request (ServiceNow Community, "Buy Item (order_now) POST API only returns
cart_id instead of request_id", itsm-forum m-p/3441243; ServiceNowDocs c_EnableATwoStepCheckout.md).
"""

from __future__ import annotations

import base64
import secrets
import threading
from datetime import datetime, timezone

from werkzeug.routing import Map, Rule

from .core import json_response

PREFIX = {"sc_request": "REQ", "incident": "INC", "sc_req_item": "RITM", "sc_task": "SCTASK"}
REFERENCES = {"assignment_group": "sys_user_group", "opened_by": "sys_user", "requested_for": "sys_user",
              "caller_id": "sys_user", "assigned_to": "sys_user", "request": "sc_request", "cat_item": "sc_cat_item",
              "request_item": "sc_req_item", "sc_item_option": "sc_item_option", "item_option_new": "item_option_new"}


# Fields every task record (incident, sc_request, sc_req_item, sc_task extend task) has, empty until set: the Table
# API sets "fields that are not specified" to their null value and reads every field back.
TASK_FIELDS = ("correlation_id", "correlation_display", "short_description", "description", "assignment_group",
               "assigned_to", "approval", "priority", "impact", "urgency")


def stamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def failure(status, message, detail=""):
    return json_response({"error": {"message": message, "detail": detail}, "status": "failure"}, status=status)


class ServiceNow:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.username = spec.get("username", "svc-nessus-automation")
        self.password = spec.get("password") or secrets_store.new("SN_PASSWORD")
        self.base_url = ""
        self.tables = {}
        self.counters = {}
        self.on_insert = []  # callbacks(table, record): the people who act on what is raised (see world.py)
        groups = spec.get("groups") or ["SOS Vulnerability Scanning", "Armada SRE"]
        for name in groups:
            self._insert("sys_user_group", {"name": name, "active": "true"})
        self.catalog_items = {item["sys_id"]: item for item in spec.get("catalog_items") or [
            {"sys_id": "45ef56a7db7c4c10c717e9ec0b96193a", "name": "SOS Vulnerability Scanning service request"}]}
        self.two_step_checkout = bool(spec.get("two_step_checkout", False))
        self.carts = {}  # user -> {"cart_id", "items": [...]}: what two-step checkout leaves in the cart
        self.url_map = Map([
            Rule("/api/now/table/<table>", endpoint="table", methods=["GET", "POST"]),
            Rule("/api/now/table/<table>/<sys_id>", endpoint="record", methods=["GET", "PATCH", "PUT"]),
            Rule("/api/sn_sc/servicecatalog/items/<item>/order_now", endpoint="order_now", methods=["POST"]),
            Rule("/api/sn_sc/v1/servicecatalog/items/<item>/order_now", endpoint="order_now", methods=["POST"]),
        ])

    def error_body(self, status, message, action=None):
        return {"error": {"message": message, "detail": (action or {}).get("detail", "")}, "status": "failure"}

    def records(self, table):
        return self.tables.setdefault(table, [])

    def _insert(self, table, fields):
        with self.lock:
            now = stamp(self.clock.now())
            self.counters[table] = self.counters.get(table, 10000) + 1
            record = {k: "" if v is None else str(v) for k, v in fields.items() if k != "work_notes"}
            record.update(sys_id=secrets.token_hex(16), sys_created_on=now, sys_updated_on=now,
                          sys_created_by=self.username, sys_updated_by=self.username, sys_mod_count="0",
                          sys_class_name=table)
            if table in PREFIX:
                for name in TASK_FIELDS:
                    record.setdefault(name, "")
                record.setdefault("number", "%s%07d" % (PREFIX[table], self.counters[table]))
                record.setdefault("active", "true")
                record.setdefault("state", "1")
            record["_journal"] = []
            if fields.get("work_notes"):
                record["_journal"].append({"element": "work_notes", "value": str(fields["work_notes"]), "at": now})
            self.records(table).append(record)
        for callback in self.on_insert:
            callback(table, record)
        return record

    def view(self, table, record, request):
        fields = [f for f in (request.args.get("sysparm_fields") or "").split(",") if f]
        exclude = request.args.get("sysparm_exclude_reference_link", "false").lower() == "true"
        out = {}
        for key, value in record.items():
            if key.startswith("_") or (fields and key not in fields):
                continue
            if key in REFERENCES and value and not exclude:
                out[key] = {"link": "%s/api/now/table/%s/%s" % (self.base_url, REFERENCES[key], value), "value": value}
            else:
                out[key] = value
        if not fields or "work_notes" in fields:
            out["work_notes"] = ""  # journal fields read back empty, as in ServiceNow
        for name in fields:
            if name.startswith("variables.") and table == "sc_req_item":
                out[name] = self.item_variables(record).get(name[len("variables."):], "")
        return out

    def item_variables(self, item):
        """A requested item's variables, as ServiceNow joins them: sc_item_option_mtom -> sc_item_option."""
        options = {row["sys_id"]: row for row in self.records("sc_item_option")}
        out = {}
        for link in self.records("sc_item_option_mtom"):
            if link.get("request_item") == item.get("sys_id") and link.get("sc_item_option") in options:
                option = options[link["sc_item_option"]]
                out[option.get("_name", "")] = option.get("value", "")
        return out

    def resolve(self, key, value, display):
        """With sysparm_input_display_value, a reference given by display name is stored as the sys_id."""
        if key in REFERENCES and display and value:
            for row in self.records(REFERENCES[key]):
                if row.get("name") == value or row.get("sys_id") == value:
                    return row["sys_id"]
        return value

    def authenticated(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.username and secrets.compare_digest(password, self.password)

    def __call__(self, request):
        if not self.authenticated(request):
            return failure(401, "User Not Authenticated", "Required to provide Auth information")
        endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        return getattr(self, "ep_" + endpoint)(request, **args)

    def value_of(self, record, key):
        if key.startswith("variables.") and record.get("sys_class_name") == "sc_req_item":
            return self.item_variables(record).get(key[len("variables."):], "")
        return record.get(key, "")

    def matches(self, record, query):
        for clause in filter(None, (query or "").split("^")):
            if clause.startswith("ORDERBY"):
                continue
            if "!=" in clause:
                key, value = clause.split("!=", 1)
                if self.value_of(record, key) == value:
                    return False
            elif "=" in clause:
                key, value = clause.split("=", 1)
                if self.value_of(record, key) != value:
                    return False
        return True

    def ep_table(self, request, table):
        if request.method == "GET":
            rows = [r for r in self.records(table) if self.matches(r, request.args.get("sysparm_query"))]
            for key, value in request.args.items():
                if not key.startswith("sysparm_"):
                    rows = [r for r in rows if r.get(key) == value]
            limit = int(request.args.get("sysparm_limit") or 10000)
            offset = int(request.args.get("sysparm_offset") or 0)
            page = rows[offset: offset + limit]
            return json_response({"result": [self.view(table, r, request) for r in page]},
                                 headers={"X-Total-Count": str(len(rows))})
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return failure(400, "Exception while reading request", "The payload is not valid JSON.")
        display = request.args.get("sysparm_input_display_value", "false").lower() == "true"
        fields = {k: self.resolve(k, v, display) for k, v in body.items()}
        record = self._insert(table, fields)
        return json_response({"result": self.view(table, record, request)}, status=201,
                             headers={"Location": "%s/api/now/table/%s/%s" % (self.base_url, table, record["sys_id"])})

    def ep_record(self, request, table, sys_id):
        record = next((r for r in self.records(table) if r["sys_id"] == sys_id), None)
        if record is None:
            return failure(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
        if request.method == "GET":
            return json_response({"result": self.view(table, record, request)})
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return failure(400, "Exception while reading request", "The payload is not valid JSON.")
        display = request.args.get("sysparm_input_display_value", "false").lower() == "true"
        with self.lock:
            for key, value in body.items():
                if key in ("work_notes", "comments"):
                    record["_journal"].append({"element": key, "value": str(value), "at": stamp(self.clock.now())})
                else:
                    record[key] = str(self.resolve(key, value, display))
            record["sys_updated_on"] = stamp(self.clock.now())
            record["sys_mod_count"] = str(int(record["sys_mod_count"]) + 1)
        return json_response({"result": self.view(table, record, request)})

    def ep_order_now(self, request, item):
        if item not in self.catalog_items:
            return failure(404, "Catalog item not found", "Invalid catalog item %s" % item)
        body = request.get_json(silent=True) or {}
        try:
            quantity = int(body.get("sysparm_quantity"))
        except (TypeError, ValueError):
            return failure(400, "Invalid quantity", "sysparm_quantity is required and must be a number")
        if quantity < 1:
            return failure(400, "Invalid quantity", "sysparm_quantity must be 1 or more")
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return failure(400, "Invalid variables", "variables must be an object of name-value pairs")
        catalog_item = self.catalog_items[item]
        if self.two_step_checkout:
            # Two-step checkout: order_now only adds the item to the user's cart; the request exists once the
            # cart is checked out (cart/checkout, then cart/submit_order). The answer names the cart, nothing else.
            with self.lock:
                cart = self.carts.setdefault(self.username, {"cart_id": secrets.token_hex(16), "items": []})
                cart["items"].append({"item": item, "quantity": quantity, "variables": dict(variables)})
            return json_response({"result": {"cart_id": cart["cart_id"]}})
        request_record = self._insert("sc_request", {"short_description": catalog_item["name"],
                                                     "request_state": "submitted", "approval": "approved",
                                                     "requested_for": self.user_id()})
        request_item = self._insert("sc_req_item", {"short_description": catalog_item["name"], "cat_item": item,
                                                    "request": request_record["sys_id"], "quantity": str(quantity),
                                                    "stage": "request_approved", "requested_for": self.user_id()})
        for name, value in variables.items():
            option = self._insert("sc_item_option", {"item_option_new": self.variable_id(item, name),
                                                     "value": "" if value is None else str(value)})
            option["_name"] = name
            self._insert("sc_item_option_mtom", {"request_item": request_item["sys_id"],
                                                 "sc_item_option": option["sys_id"]})
        return json_response({"result": {"sys_id": request_record["sys_id"], "number": request_record["number"],
                                         "request_number": request_record["number"],
                                         "request_id": request_record["sys_id"], "table": "sc_request"}})

    def user_id(self):
        """The integration user's sys_user record (created on first use)."""
        row = next((r for r in self.records("sys_user") if r.get("user_name") == self.username), None)
        return (row or self._insert("sys_user", {"user_name": self.username, "name": self.username}))["sys_id"]

    def variable_id(self, item, name):
        """The catalog item's variable definition (item_option_new) called ``name``."""
        row = next((r for r in self.records("item_option_new") if r.get("cat_item") == item and r.get("name") == name),
                   None)
        return (row or self._insert("item_option_new", {"cat_item": item, "name": name, "type": "6"}))["sys_id"]

    def requested_items(self, request_sys_id):
        """The requested items of a request, each with its variables (for the tests)."""
        return [dict(r, variables=self.item_variables(r)) for r in self.records("sc_req_item")
                if r.get("request") == request_sys_id]
