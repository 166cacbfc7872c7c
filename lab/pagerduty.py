"""PagerDuty stand-in: the Events API v2 (``POST /v2/enqueue``) and the REST API's incidents.

Held to PagerDuty's own OpenAPI descriptions (``shared/data/contracts/pagerduty_events_v2.json`` and
``pagerduty_rest_v2.json``, through ``lab/openapi.py``): every request is matched to an operation and checked (query
parameters - types, enums -, JSON body); one the real API refuses is answered as it does and counted as a contract
violation, and every answer is checked against the response schema of its status (``check_answer``).

Events: 202 ``{status, message, dedup_key}`` (a UUID when none is given); 400 ``{"status": "invalid event",
"message": "Event object is invalid", "errors": [...]}`` for an event the schema or the documentation refuses (no
routing key, unknown action, a trigger without a payload, summary, source or a valid severity, an acknowledge or
resolve without a dedup_key, a summary over 1024 characters), ``{"status": "Unrecognized object", "message": "Event
object format is unrecognized", "errors": ["JSON parse error"]}`` for a body that is not a JSON object, more than
512 KB refused; a trigger with an open ``dedup_key`` adds to that alert, a resolve closes it, a trigger after a
resolve opens a new one.

REST (``Authorization: Token token=...``; 401 ``Authentication failed``, code 2006): ``GET /incidents`` filtered by
``incident_key``, ``statuses[]``, ``urgencies[]``, ``service_ids[]`` and the date range - by default the last month
only, as the real API does (``since``/``until`` move it, ``date_range=all`` lifts it) -, paginated with
``limit`` (at most 100) / ``offset`` / ``more`` (``total`` with ``total=true``); ``GET /incidents/{id}``;
``POST /incidents/{id}/notes`` (needs a ``From`` header). A refused request answers 400 ``{"error": {"message":
"Invalid Input Provided", "code": 2001, "errors": [...]}}``.

A scenario's ``pagerduty.incidents`` may say how old an incident is (``age_days``, or ``created_at``).
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from datetime import datetime, timezone

from .core import ContractViolation, json_response, parse_time
from .openapi import Contract

SEVERITIES = ("critical", "error", "warning", "info")
WEB = "https://conductors.pagerduty.com"
API = "https://api.pagerduty.com"
SERVICE = {"id": "PSVC001", "type": "service_reference", "summary": "Security compliance",
           "self": API + "/services/PSVC001", "html_url": WEB + "/service-directory/PSVC001"}
POLICY = {"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Security compliance escalation",
          "self": API + "/escalation_policies/PEP0001", "html_url": WEB + "/escalation_policies/PEP0001"}
PARAM_ERRORS = {
    "statuses[]": "Status must be a list of triggered, acknowledged, or resolved.",
    "urgencies[]": "Urgency must be a list of high or low.",
    "date_range": "Date range must be all.",
}


def stamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def one_month_before(epoch):
    """The same day and time a calendar month earlier (the last day of that month when it is shorter)."""
    moment = datetime.fromtimestamp(epoch, timezone.utc)
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day).timestamp()
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28)).timestamp()


def rest_error(status, message, code, errors=None):
    body = {"message": message, "code": code}
    if errors:
        body["errors"] = list(errors)
    return json_response({"error": body}, status=status)


class PagerDuty:
    def __init__(self, spec, clock, secrets_store):
        self.events_contract = Contract("pagerduty_events_v2.json", base_path="/v2")
        self.rest_contract = Contract("pagerduty_rest_v2.json")
        self.clock = clock
        self.lock = threading.Lock()
        self.routing_key = spec.get("routing_key") or secrets_store.new("PAGERDUTY_ROUTING_KEY")
        self.api_token = spec.get("api_token") or secrets_store.new("PAGERDUTY_API_TOKEN", 10)
        # the account's user whose email the REST calls that act as someone (notes) name in their From header
        self.user_email = spec.get("user_email", "sre-automation@lab.example")
        self.incidents = []  # {id, number, incident_key, status, title, events, created_at, source, notes}
        self.events = []
        for item in spec.get("incidents") or []:
            created = parse_time(item["created_at"]) if item.get("created_at") else None
            if item.get("age_days") is not None:
                created = self.clock.now() - float(item["age_days"]) * 86400
            self._open(item["incident_key"], item.get("title", "existing incident"), item.get("source", ""),
                       item.get("status", "triggered"), created=created)

    def error_body(self, status, message, action=None):
        return {"status": "invalid event", "message": message, "errors": [message]}

    def _open(self, key, title, source, status="triggered", created=None):
        now = self.clock.now() if created is None else created
        incident = {"id": "Q%s" % uuid.uuid4().hex[:13].upper(), "number": len(self.incidents) + 1, "incident_key": key,
                    "status": status, "title": title, "source": source, "events": 1, "created_at": now,
                    "changed_at": now, "notes": []}
        self.incidents.append(incident)
        return incident

    def _current(self, key):
        for incident in reversed(self.incidents):
            if incident["incident_key"] == key and incident["status"] != "resolved":
                return incident
        return None

    def incident(self, item):
        """An incident as the REST API renders it."""
        resolved = item["status"] == "resolved"
        out = {
            "id": item["id"], "type": "incident", "summary": "[#%d] %s" % (item["number"], item["title"]),
            "self": "%s/incidents/%s" % (API, item["id"]), "html_url": "%s/incidents/%s" % (WEB, item["id"]),
            "incident_number": item["number"], "title": item["title"], "created_at": stamp(item["created_at"]),
            "updated_at": stamp(item["changed_at"]), "status": item["status"], "incident_key": item["incident_key"],
            "service": SERVICE, "assignments": [], "assigned_via": "escalation_policy",
            "last_status_change_at": stamp(item["changed_at"]), "last_status_change_by": SERVICE,
            "first_trigger_log_entry": {"id": "R%s" % item["id"][1:], "type": "trigger_log_entry_reference",
                                        "summary": "Triggered through the API.",
                                        "self": "%s/log_entries/R%s" % (API, item["id"][1:]),
                                        "html_url": "%s/incidents/%s/log_entries/R%s" % (WEB, item["id"], item["id"][1:])},
            "alert_counts": {"all": item["events"], "triggered": 0 if resolved else 1, "resolved": 1 if resolved else 0},
            "is_mergeable": True, "incident_type": {"name": "incident_default"}, "escalation_policy": POLICY,
            "teams": [], "pending_actions": [], "acknowledgements": [], "alert_grouping": None, "urgency": "high",
        }
        if out["alert_grouping"] is None:
            del out["alert_grouping"]  # the real API sends null here; the schema has no null for it
        if resolved:
            out["resolved_at"] = stamp(item["changed_at"])
        return out

    def __call__(self, request):
        if request.path.startswith("/v2/"):
            return self.enqueue(request)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Token token=") or not secrets.compare_digest(auth[len("Token token="):], self.api_token):
            return rest_error(401, "Authentication failed", 2006)
        operation, args, body, problems = self.rest_contract.check_request(request)
        if operation is None:
            raise ContractViolation(rest_error(404, "Not Found", 2100), "; ".join(map(str, problems)))
        if problems:
            errors = []
            for problem in problems:
                if problem.code == "unparsable":
                    text = "params must be a Hash"
                else:
                    text = PARAM_ERRORS.get(problem.field) or "%s %s." % (
                        (problem.field or "Body").capitalize(), "is required" if problem.code == "missing_field" else "is invalid")
                if text not in errors:
                    errors.append(text)
            raise ContractViolation(rest_error(400, "Invalid Input Provided", 2001, errors), "; ".join(map(str, problems)))
        if operation.key == "GET /incidents":
            return self.list_incidents(request, args)
        if operation.key == "GET /incidents/{id}":
            return self.get_incident(args)
        return self.add_note(request, args, body)

    def check_answer(self, request, response):
        contract = self.events_contract if request.path.startswith("/v2/") else self.rest_contract
        return contract.check_answer(request, response)

    # --- Events API v2 -----------------------------------------------------------------------------------------------

    def invalid(self, errors, rule=None, status="invalid event", message="Event object is invalid"):
        response = json_response({"status": status, "message": message, "errors": list(errors)}, status=400)
        if rule:
            raise ContractViolation(response, rule)
        return response

    def enqueue(self, request):
        if request.path != "/v2/enqueue" or request.method != "POST":
            raise ContractViolation(json_response({"status": "Not Found", "message": "Not Found", "errors": []}, status=404),
                                    "%s %s is no operation of the Events API v2" % (request.method, request.path))
        raw = request.get_data()
        if len(raw) > 512 * 1024:
            self.invalid(["Event too large"], rule="event larger than 512 KB", message="Event object is too large")
        unrecognized = dict(status="Unrecognized object", message="Event object format is unrecognized")
        try:
            event = json.loads(raw or b"null")
        except ValueError:
            event = None
        if not isinstance(event, dict):
            self.invalid(["JSON parse error"], rule="body is not a JSON object", **unrecognized)
        _operation, _args, _body, problems = self.events_contract.check_request(request, body_text=raw.decode("utf-8", "replace"))
        errors = []
        for problem in problems:
            if problem.code == "missing_field":
                errors.append("'%s' is missing or blank" % problem.field)
            else:
                errors.append("'%s' is invalid" % (problem.field or "event"))
        action = event.get("event_action")
        payload = event.get("payload")
        # what the documentation (not the schema) requires
        if action == "trigger":
            if not isinstance(payload, dict):
                if "'payload' is invalid" not in errors:
                    errors.append("'payload' is missing or blank")
            else:
                for field in ("summary", "source"):
                    if field in payload and isinstance(payload[field], str) and not payload[field].strip():
                        errors.append("'payload.%s' is missing or blank" % field)
                if len(str(payload.get("summary") or "")) > 1024:
                    errors.append("'payload.summary' is longer than 1024 characters")
        elif action in ("acknowledge", "resolve") and not event.get("dedup_key"):
            errors.append("'dedup_key' is missing or blank")
        if isinstance(event.get("routing_key"), str) and not event["routing_key"].strip():
            errors.append("'routing_key' is missing or blank")
        if len(str(event.get("dedup_key") or "")) > 255:
            errors.append("'dedup_key' is longer than 255 characters")
        if errors:
            self.invalid(errors, rule="; ".join(errors))
        if not secrets.compare_digest(event["routing_key"], self.routing_key):
            # a well-formed event for an integration that does not exist: refused, but no breach of the contract
            return self.invalid(["Invalid routing key"])
        key = event.get("dedup_key") or str(uuid.uuid4())
        with self.lock:
            self.events.append({"action": action, "dedup_key": key, "summary": (payload or {}).get("summary"),
                                "custom_details": (payload or {}).get("custom_details"), "links": event.get("links") or []})
            current = self._current(key)
            if action == "trigger":
                if current:
                    current["events"] += 1
                else:
                    self._open(key, payload["summary"], payload["source"])
            elif current is not None:
                current["status"] = "resolved" if action == "resolve" else "acknowledged"
                current["changed_at"] = self.clock.now()
        return json_response({"status": "success", "message": "Event processed", "dedup_key": key}, status=202)

    # --- REST API ----------------------------------------------------------------------------------------------------

    def list_incidents(self, request, args):
        now = self.clock.now()
        if args.get("date_range") == "all":
            since, until = None, None
        else:
            until = parse_time(args["until"]) if args.get("until") else now
            since = parse_time(args["since"]) if args.get("since") else one_month_before(until)
            if since > until:
                return rest_error(400, "Invalid Input Provided", 2001, ["Since must be before until."])
        key = args.get("incident_key")
        statuses = request.args.getlist("statuses[]") or ["triggered", "acknowledged", "resolved"]
        urgencies = request.args.getlist("urgencies[]") or ["high", "low"]
        services = request.args.getlist("service_ids[]")
        limit = max(1, min(int(args.get("limit") or 25), 100))
        offset = max(int(args.get("offset") or 0), 0)
        items = [self.incident(i) for i in self.incidents
                 if (key is None or i["incident_key"] == key) and i["status"] in statuses
                 and (since is None or since <= i["created_at"] < until)]
        items = [i for i in items if i["urgency"] in urgencies and (not services or i["service"]["id"] in services)]
        page = items[offset: offset + limit]
        return json_response({"incidents": page, "limit": limit, "offset": offset,
                              "total": len(items) if args.get("total") else None, "more": offset + limit < len(items)})

    def _find(self, incident_id):
        return next((i for i in self.incidents if i["id"] == incident_id), None)

    def get_incident(self, args):
        item = self._find(args["id"])
        if item is None:
            return rest_error(404, "Not Found", 2100)
        return json_response({"incident": self.incident(item)})

    def add_note(self, request, args, body):
        if not request.headers.get("From"):
            raise ContractViolation(rest_error(400, "Invalid Input Provided", 2001, ["Requester User Not Found"]),
                                    "POST /incidents/{id}/notes without the From header the contract requires")
        if request.headers["From"] != self.user_email:  # PagerDuty: From must name a user of the account
            return rest_error(400, "Invalid Input Provided", 2001, ["Requester User Not Found"])
        item = self._find(args["id"])
        if item is None:
            return rest_error(404, "Not Found", 2100)
        now = stamp(self.clock.now())
        note = {"id": "N%s" % uuid.uuid4().hex[:13].upper(), "content": body["note"]["content"], "created_at": now,
                "updated_at": now,
                "user": {"id": "PUSR001", "type": "user_reference", "summary": request.headers["From"],
                         "self": API + "/users/PUSR001", "html_url": WEB + "/users/PUSR001"},
                "channel": {"summary": "The PagerDuty website or APIs"}}
        with self.lock:
            item["notes"].append(note)
        return json_response({"note": note}, status=200)
