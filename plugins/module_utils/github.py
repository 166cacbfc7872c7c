# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client for GitHub (Enterprise) issues through the REST API v3.

Reads are retried by the transport; creating an issue or a comment is never retried blind (GitHub does
not de-duplicate them). When the answer to such a POST is lost - a 5xx, a timeout, a dropped connection -
the client reads again what it meant to create (the open issue with that title, the issue's comments with
that body): found, it was created and is returned; not found, the POST is sent once more, and a second
failure is reported.
"""

from __future__ import annotations

import re

from ansible.module_utils.basic import env_fallback

from .transport import ApiClient, ApiError, AuthError, HttpClient, NotFoundError, TransportError, decode_json

SYSTEM = "GitHub"

GITHUB_ARGUMENT_SPEC = dict(
    api_url=dict(type="str", default="https://api.github.com", fallback=(env_fallback, ["GITHUB_API_URL"])),
    token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["GITHUB_TOKEN"])),
    repository=dict(type="str", required=True, fallback=(env_fallback, ["GITHUB_REPOSITORY"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["GITHUB_CA_PATH"])),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="float", default=30.0),
    retries=dict(type="int", default=3),
)


class GitHubClient(ApiClient):
    MODULE_PARAMS = ("api_url", "token", "repository", "ca_path", "validate_certs", "timeout", "retries")

    def __init__(self, api_url, token, repository, ca_path=None, validate_certs=True, timeout=30.0, retries=3,
                 backoff=0.5):
        if not re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", repository or ""):
            raise ValueError("%s: repository must be OWNER/NAME (GITHUB_REPOSITORY), got %r" % (SYSTEM, repository))
        if not token:
            raise ValueError("%s: no token; set token (GITHUB_TOKEN)" % SYSTEM)
        self.http = HttpClient(api_url, SYSTEM, setting="api_url (GITHUB_API_URL)", timeout=timeout,
                               validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff)
        self.http.session.headers.update({
            "Authorization": "Bearer %s" % token,
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        })
        self.repository = repository

    def _call(self, method, path, expected, params=None, body=None):
        response = self.http.request(method, path, params=params, json_body=body)
        path = self.http.url(path)[len(self.http.base_url):] or "/"
        data = decode_json(response, SYSTEM, method, path) if response.content else None
        if response.status_code in expected:
            return data, response
        message = data.get("message") if isinstance(data, dict) else None
        detail = None
        if isinstance(data, dict) and data.get("errors"):
            detail = "; ".join(str(error) for error in data["errors"])
        args = dict(system=SYSTEM, method=method, path=path, status=response.status_code, detail=detail)
        if response.status_code == 401:
            raise AuthError("token refused (%s)" % (message or "Bad credentials"),
                            hint="check GITHUB_TOKEN and that it may write issues in %s" % self.repository, **args)
        if response.status_code == 404:
            raise NotFoundError("%s (repository %s)" % (message or "Not Found", self.repository), **args)
        raise ApiError(message or "request failed", **args)

    def find_open_issue(self, title, labels=(), max_pages=5):
        """The open issue with exactly this title (and these labels), or None."""
        params = {"state": "open", "per_page": 100}
        if labels:
            params["labels"] = ",".join(labels)
        for page in range(1, max_pages + 1):
            params["page"] = page
            issues, response = self._call("GET", "repos/%s/issues" % self.repository, (200,), params=params)
            for issue in issues or []:
                if issue.get("title") == title and "pull_request" not in issue:
                    return issue
            if 'rel="next"' not in response.headers.get("Link", ""):
                break
        return None

    def _create(self, path, body, find):
        """POST ``body``; when the answer is lost, ``find()`` what the POST may have created before sending it again.
        Returns (the created object, whether an answer was lost)."""
        try:
            return self._call("POST", path, (201,), body=body)[0], False
        except ApiError as exc:
            if not answer_lost(exc):
                raise
            found = find()
            if found is not None:
                return found, True
            return self._call("POST", path, (201,), body=body)[0], True

    def create_issue(self, title, body, labels=()):
        """(issue, answer_lost)."""
        return self._create("repos/%s/issues" % self.repository, {"title": title, "body": body, "labels": list(labels)},
                            lambda: self.find_open_issue(title, labels))

    def list_comments(self, number):
        comments, _response = self._call("GET", "repos/%s/issues/%d/comments" % (self.repository, number), (200,),
                                         params={"per_page": 100})
        return comments or []

    def add_comment(self, number, body):
        """(comment, answer_lost)."""
        return self._create("repos/%s/issues/%d/comments" % (self.repository, number), {"body": body},
                            lambda: next((c for c in reversed(self.list_comments(number)) if c.get("body") == body), None))


def answer_lost(exc):
    """Whether a failed POST may have been carried out: no answer (timeout, dropped connection) or a server error."""
    if isinstance(exc, TransportError):
        return exc.may_have_arrived
    return exc.status is not None and exc.status >= 500
