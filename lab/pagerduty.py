"""PagerDuty stand-in: the Events API v2 (``POST /v2/enqueue``) and the REST API's incident list.

Events: 202 ``{status, message, dedup_key}`` (a UUID when none is given); 400 ``{status, message,
errors}`` for a bad payload (no routing key, unknown action, trigger without summary, source or a
valid severity, more than 512 KB); a trigger with an open ``dedup_key`` adds to that alert, a resolve
closes it, a trigger after a resolve opens a new one. REST: ``GET /incidents`` with
``Authorization: Token token=...``, filtered by ``incident_key`` and ``statuses[]``.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from datetime import datetime, timezone

from .core import json_response

SEVERITIES = ("critical", "error", "warning", "info")


def stamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class PagerDuty:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.routing_key = spec.get("routing_key") or secrets_store.new("PAGERDUTY_ROUTING_KEY")
        self.api_token = spec.get("api_token") or secrets_store.new("PAGERDUTY_API_TOKEN", 10)
        self.incidents = []  # {id, incident_key, status, title, events, created_at, source}
        for item in spec.get("incidents") or []:
            self._open(item["incident_key"], item.get("title", "existing incident"), item.get("source", ""),
                       item.get("status", "triggered"))
        self.events = []

    def error_body(self, status, message, action=None):
        return {"status": "invalid event", "message": message, "errors": [message]}

    def _open(self, key, title, source, status="triggered"):
        incident = {"id": "Q%s" % uuid.uuid4().hex[:13].upper(), "incident_key": key, "status": status, "title": title,
                    "source": source, "events": 1, "created_at": stamp(self.clock.now())}
        self.incidents.append(incident)
        return incident

    def _current(self, key):
        for incident in reversed(self.incidents):
            if incident["incident_key"] == key and incident["status"] != "resolved":
                return incident
        return None

    def __call__(self, request):
        if request.path == "/v2/enqueue" and request.method == "POST":
            return self.enqueue(request)
        if request.path == "/incidents" and request.method == "GET":
            return self.list_incidents(request)
        return json_response({"error": {"message": "Not Found", "code": 2100}}, status=404)

    def invalid(self, *errors, status="invalid event", message="Event object is invalid"):
        return json_response({"status": status, "message": message, "errors": list(errors)}, status=400)

    def enqueue(self, request):
        raw = request.get_data()
        if len(raw) > 512 * 1024:
            return self.invalid("Event too large", message="Event object is too large")
        try:
            event = json.loads(raw or b"null")
        except ValueError:
            return self.invalid("JSON parse error", status="Unrecognized object", message="Event object format is unrecognized")
        if not isinstance(event, dict):
            return self.invalid("JSON parse error", status="Unrecognized object", message="Event object format is unrecognized")
        errors = []
        if not secrets.compare_digest(str(event.get("routing_key") or ""), self.routing_key):
            errors.append("'routing_key' is invalid" if event.get("routing_key") else "'routing_key' is missing")
        action = event.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is missing or invalid")
        payload = event.get("payload") or {}
        if action == "trigger":
            for field in ("summary", "source"):
                if not payload.get(field):
                    errors.append("'payload.%s' is missing or blank" % field)
            if payload.get("severity") not in SEVERITIES:
                errors.append("'payload.severity' is missing or invalid")
            if len(str(payload.get("summary") or "")) > 1024:
                errors.append("'payload.summary' is longer than 1024 characters")
        elif not event.get("dedup_key"):
            errors.append("'dedup_key' is missing")
        if errors:
            return self.invalid(*errors)
        key = event.get("dedup_key") or str(uuid.uuid4())
        with self.lock:
            self.events.append({"action": action, "dedup_key": key, "summary": payload.get("summary"),
                                "custom_details": payload.get("custom_details"), "links": event.get("links") or []})
            current = self._current(key)
            if action == "trigger":
                if current:
                    current["events"] += 1
                else:
                    self._open(key, payload["summary"], payload["source"])
            elif current is not None:
                current["status"] = "resolved" if action == "resolve" else "acknowledged"
        return json_response({"status": "success", "message": "Event processed", "dedup_key": key}, status=202)

    def list_incidents(self, request):
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Token token=") or not secrets.compare_digest(auth[len("Token token="):], self.api_token):
            return json_response({"error": {"message": "Authentication failed", "code": 2006}}, status=401)
        key = request.args.get("incident_key")
        statuses = request.args.getlist("statuses[]") or ["triggered", "acknowledged", "resolved"]
        limit = int(request.args.get("limit") or 25)
        offset = int(request.args.get("offset") or 0)
        items = [
            {"id": i["id"], "type": "incident", "incident_key": i["incident_key"], "status": i["status"],
             "title": i["title"], "summary": "[#%s] %s" % (i["id"], i["title"]), "created_at": i["created_at"],
             "html_url": "https://pagerduty.example/incidents/%s" % i["id"],
             "service": {"id": "PSVC001", "type": "service_reference", "summary": "Security compliance"}}
            for i in self.incidents
            if (key is None or i["incident_key"] == key) and i["status"] in statuses
        ]
        page = items[offset: offset + limit]
        return json_response({"incidents": page, "limit": limit, "offset": offset, "total": None,
                              "more": offset + limit < len(items)})
