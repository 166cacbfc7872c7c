# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty: the Events API v2 (send trigger/acknowledge/resolve) and the REST API (read incidents).

An event with a ``dedup_key`` is idempotent on PagerDuty's side (a repeated trigger adds to the same
alert), so it is retried on 429/5xx like a read; an event without one is never retried.

``GET /incidents`` looks back one month unless told otherwise: the client asks for ``date_range=all`` so that an
incident open for longer is seen, and reads every page (``offset``, ``more``).
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from .transport import ApiClient, AuthError, HttpClient, decode_json, http_argument_spec

SYSTEM = "PagerDuty"

PAGERDUTY_ARGUMENT_SPEC = dict(
    events_url=dict(type="str", default="https://events.pagerduty.com",
                    fallback=(env_fallback, ["PAGERDUTY_EVENTS_URL"])),
    routing_key=dict(type="str", no_log=True, fallback=(env_fallback, ["PAGERDUTY_ROUTING_KEY"])),
    api_url=dict(type="str", default="https://api.pagerduty.com", fallback=(env_fallback, ["PAGERDUTY_API_URL"])),
    api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["PAGERDUTY_API_TOKEN"])),
    **http_argument_spec("PAGERDUTY"),
)


class PagerDutyClient(ApiClient):
    MODULE_PARAMS = ("events_url", "routing_key", "api_url", "api_token", "ca_path", "validate_certs", "timeout",
                     "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = PAGERDUTY_ARGUMENT_SPEC
    AUTH_HINT = "check PAGERDUTY_API_TOKEN"
    ERROR_MESSAGES = {**ApiClient.ERROR_MESSAGES, AuthError: "token refused"}

    @classmethod
    def missing_settings(cls, params):
        """The routing key too: every run that may page needs it (reading incidents alone does not)."""
        missing = super().missing_settings(params)
        if not params.get("routing_key"):
            missing.append("routing_key (PAGERDUTY_ROUTING_KEY)")
        return missing

    def __init__(self, events_url, routing_key=None, api_url=None, api_token=None, ca_path=None, validate_certs=True,
                 timeout=30.0, retries=3, backoff=0.5):
        options = dict(timeout=timeout, validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff)
        self.events = HttpClient(events_url, SYSTEM, setting="events_url (PAGERDUTY_EVENTS_URL)", **options)
        self.api = HttpClient(api_url, SYSTEM, setting="api_url (PAGERDUTY_API_URL)", **options) if api_token else None
        self._routing_key = routing_key
        if self.api is not None:
            self.api.session.headers.update({"Authorization": "Token token=%s" % api_token,
                                             "Accept": "application/vnd.pagerduty+json;version=2"})

    @property
    def retry_log(self):
        return self.events.retry_log + (self.api.retry_log if self.api else [])

    def close(self):
        self.events.close()
        if self.api is not None:
            self.api.close()

    def send(self, event_action, dedup_key=None, payload=None, links=None, client=None, client_url=None):
        """Send one event; returns PagerDuty's answer (``status``, ``message``, ``dedup_key``)."""
        if not self._routing_key:
            raise ValueError("%s: no routing key; set routing_key (PAGERDUTY_ROUTING_KEY)" % SYSTEM)
        event = {"routing_key": self._routing_key, "event_action": event_action}
        if dedup_key:
            event["dedup_key"] = dedup_key
        if event_action == "trigger":
            event["payload"] = payload
            if client:
                event["client"] = client
            if client_url:
                event["client_url"] = client_url
        if links:
            event["links"] = links
        response = self.events.request("POST", "v2/enqueue", json_body=event, idempotent=bool(dedup_key))
        data = decode_json(response, SYSTEM, "POST", "/v2/enqueue")
        if response.status_code == 202:
            return data
        errors = "; ".join(str(e) for e in (data.get("errors") or [])) if isinstance(data, dict) else None
        message = data.get("message") if isinstance(data, dict) else None
        # the Events API knows no token: a refusal names the routing key or the event in its errors
        raise self.error(response.status_code, "POST", "/v2/enqueue", message or "event refused", detail=errors,
                         hint=None)

    def _incidents(self, params, max_pages=50, limit=100):
        """Every incident ``GET /incidents`` lists with ``params``, over the whole date range, page after page."""
        if self.api is None:
            raise ValueError("%s: reading incidents needs api_token (PAGERDUTY_API_TOKEN)" % SYSTEM)

        def fetch(offset, count):
            query = dict(params, date_range="all", limit=count, offset=offset)
            response = self.api.request("GET", "incidents", params=query)
            data = decode_json(response, SYSTEM, "GET", "/incidents")
            if response.status_code != 200:
                error = (data or {}).get("error") if isinstance(data, dict) else None
                error = error if isinstance(error, dict) else {}
                raise self.error(response.status_code, "GET", "/incidents", error.get("message"), code=error.get("code"),
                                 detail="; ".join(str(e) for e in error.get("errors") or []) or None)
            return data.get("incidents") or [], data.get("more")

        return self.api.offset_pages(fetch, "incidents", "/incidents", limit, max_pages)

    def add_note(self, incident_id, content, from_email):
        """``POST /incidents/{id}/notes`` (REST API, needs api_token; ``From`` is the email of a user of the account,
        as PagerDuty requires). A note is never sent twice: a lost answer is not retried."""
        if self.api is None:
            raise ValueError("%s: adding a note needs api_token (PAGERDUTY_API_TOKEN)" % SYSTEM)
        path = "incidents/%s/notes" % incident_id
        response = self.api.request("POST", path, json_body={"note": {"content": content}}, idempotent=False,
                                    headers={"From": from_email})
        data = decode_json(response, SYSTEM, "POST", "/" + path)
        if response.status_code in (200, 201) and isinstance(data, dict) and isinstance(data.get("note"), dict):
            return data["note"]
        error = (data or {}).get("error") if isinstance(data, dict) else None
        error = error if isinstance(error, dict) else {}
        raise self.error(response.status_code, "POST", "/" + path, error.get("message") or "note refused",
                         code=error.get("code"), detail="; ".join(str(e) for e in error.get("errors") or []) or None)

    def list_open_incidents(self):
        """Every triggered or acknowledged incident, however old (REST API, needs api_token)."""
        return self._incidents({"statuses[]": ["triggered", "acknowledged"]})

    def open_incidents(self, incident_key):
        """Triggered or acknowledged incidents with this key, however old (REST API, needs api_token)."""
        return self._incidents({"incident_key": incident_key, "statuses[]": ["triggered", "acknowledged"]})
