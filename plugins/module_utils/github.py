# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client for GitHub (Enterprise) issues and repository files through the REST API v3.

Reads are retried by the transport; creating an issue or a comment is never retried blind (GitHub does
not de-duplicate them). When the answer to such a POST is lost - a 5xx, a timeout, a dropped connection -
the client reads again what it meant to create (the open issue with that title, the issue's comments with
that body): found, it was created and is returned; not found, the POST is sent once more, and a second
failure is reported. The look-up never depends on labels: GitHub drops them silently when the token may not
push to the repository.

Every list is read to its end by following the ``Link`` header's ``rel="next"``. A rate limit (HTTP 403 or 429
with ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset``, or a secondary limit with ``retry-after``) is waited
out when the wait fits in the client's timeout - the refused request was not carried out, so it is sent again,
a POST too -; otherwise the client fails saying when to retry.

Files go through the contents API, in its object media type: a file is read with its ``sha`` (its git blob id), and
written back only with that ``sha``. GitHub refuses a write whose ``sha`` is no longer the file's (409), or a
write without one over a file that exists (422): :class:`StaleError`, on which the caller reads again. That is the
compare-and-swap every shared record and lease relies on.
"""

from __future__ import annotations

import base64
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from .transport import (ApiClient, ApiError, HttpClient, NotFoundError, answer_lost, decode_json,
                        http_argument_spec)

SYSTEM = "GitHub"
# 429 is GitHub's rate limit: the client reads its headers (the transport would wait blindly, or for hours)
RETRY_STATUSES = (500, 502, 503, 504)
SECONDARY_LIMIT_WAIT = 60  # "Otherwise, wait for at least one minute before retrying" (GitHub's REST API docs)
# The contents API's media type that answers a directory as an object with ``entries`` (the one the contract holds)
CONTENTS_OBJECT = "application/vnd.github.object"


class StaleError(ApiError):
    """A file was written with a ``sha`` that is no longer its own (someone changed it first): read it again."""


GITHUB_ARGUMENT_SPEC = dict(
    api_url=dict(type="str", default="https://api.github.com", fallback=(env_fallback, ["GITHUB_API_URL"])),
    token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["GITHUB_TOKEN"])),
    repository=dict(type="str", required=True, fallback=(env_fallback, ["GITHUB_REPOSITORY"])),
    **http_argument_spec("GITHUB"),
)


class GitHubClient(ApiClient):
    MODULE_PARAMS = ("api_url", "token", "repository", "ca_path", "validate_certs", "timeout", "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = GITHUB_ARGUMENT_SPEC

    @classmethod
    def invalid_settings(cls, params):
        repository = params.get("repository")
        if repository and not re.match(r"^[\w.-]+/[\w.-]+$", repository):
            return ["%s: repository (GITHUB_REPOSITORY) must be owner/name, got %r" % (SYSTEM, repository)]
        return []

    def __init__(self, api_url, token, repository, ca_path=None, validate_certs=True, timeout=30.0, retries=3,
                 backoff=0.5):
        if not re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", repository or ""):
            raise ValueError("%s: repository must be OWNER/NAME (GITHUB_REPOSITORY), got %r" % (SYSTEM, repository))
        if not token:
            raise ValueError("%s: no token; set token (GITHUB_TOKEN)" % SYSTEM)
        self.http = HttpClient(api_url, SYSTEM, setting="api_url (GITHUB_API_URL)", timeout=timeout,
                               validate_certs=validate_certs, ca_path=ca_path, retries=retries, backoff=backoff,
                               retry_statuses=RETRY_STATUSES)
        self.rate_limit_budget = self.http.timeout  # seconds this client may spend waiting out rate limits
        self.rate_limit_waits = []
        self.http.session.headers.update({
            "Authorization": "Bearer %s" % token,
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        })
        self.repository = repository

    def _call(self, method, path, expected, params=None, body=None, headers=None):
        """One request (sent again after a rate limit it may wait out); (decoded body, response) or an ApiError."""
        while True:
            response = self.http.request(method, path, params=params, json_body=body, headers=headers)
            shown = self.http.url(path)[len(self.http.base_url):] or "/"
            shown = shown.split("?", 1)[0]
            data = decode_json(response, SYSTEM, method, shown) if response.content else None
            if response.status_code in expected:
                return data, response
            wait = rate_limit_wait(response, data)
            if wait is None:
                break
            seconds, until = wait
            if seconds > self.rate_limit_budget:
                raise ApiError("rate limit exceeded; retry after %s" % until, SYSTEM, method, shown,
                               status=response.status_code, detail=data.get("message") if isinstance(data, dict) else None,
                               hint="GitHub asks to wait %ds, more than this task's timeout (%ss) allows" % (
                                   seconds, self.http.timeout))
            self.rate_limit_waits.append({"method": method, "path": shown, "status": response.status_code,
                                          "seconds": seconds, "until": until})
            self.rate_limit_budget -= seconds
            time.sleep(seconds)
        message = data.get("message") if isinstance(data, dict) else None
        detail = None
        if isinstance(data, dict) and data.get("errors"):
            detail = "; ".join(str(error) for error in data["errors"])
        status = response.status_code
        if status == 401:
            message = "token refused (%s)" % (message or "Bad credentials")
        elif status == 404:
            message = "%s (repository %s)" % (message or "Not Found", self.repository)
        raise self.error(status, method, shown, message, detail=detail)

    def auth_hint(self):
        return "check GITHUB_TOKEN and that it may write issues in %s" % self.repository

    def list_all(self, path, params=None):
        """Every item of a list, page after page as the ``Link`` header's ``rel="next"`` points."""
        return self.http.link_pages(lambda page, query: self._call("GET", page, (200,), params=query), path,
                                    dict(params or {}, per_page=100))

    def find_open_issue(self, title):
        """The open issue with exactly this title, or None. The title is the key: labels play no part (GitHub drops
        them silently from an issue opened with a token that may not push)."""
        for issue in self.list_all("repos/%s/issues" % self.repository, {"state": "open"}):
            if issue.get("title") == title and "pull_request" not in issue:
                return issue
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
        issue = {"title": title, "body": fit_body(body)}
        if labels:
            issue["labels"] = list(labels)
        return self._create("repos/%s/issues" % self.repository, issue, lambda: self.find_open_issue(title))

    def list_comments(self, number):
        """Every comment of the issue (all pages)."""
        return self.list_all("repos/%s/issues/%d/comments" % (self.repository, number))

    def add_comment(self, number, body):
        """(comment, answer_lost)."""
        body = fit_body(body)
        return self._create("repos/%s/issues/%d/comments" % (self.repository, number), {"body": body},
                            lambda: next((c for c in reversed(self.list_comments(number)) if c.get("body") == body), None))

    # --- files (the contents API) ---------------------------------------------------------------------------------

    def _contents(self, path):
        return "repos/%s/contents/%s" % (self.repository, quote(path.strip("/")))

    def read_file(self, path):
        """``(text, sha)`` of a file of the repository, or ``(None, None)`` when there is none."""
        try:
            data, _response = self._call("GET", self._contents(path), (200,), headers={"Accept": CONTENTS_OBJECT})
        except NotFoundError:
            return None, None
        if not isinstance(data, dict) or data.get("type") != "file":
            raise ApiError("%s is not a file (%s)" % (path, data.get("type") if isinstance(data, dict) else data),
                           SYSTEM, "GET", "/" + self._contents(path))
        return base64.b64decode(data.get("content") or "").decode("utf-8"), data["sha"]

    def list_files(self, path):
        """The names of the files directly in the directory ``path`` (empty when it does not exist)."""
        try:
            data, _response = self._call("GET", self._contents(path), (200,), headers={"Accept": CONTENTS_OBJECT})
        except NotFoundError:
            return []
        entries = data.get("entries") if isinstance(data, dict) else None
        return sorted(e["name"] for e in entries or () if isinstance(e, dict) and e.get("type") == "file")

    def write_file(self, path, text, message, sha=None):
        """Create the file (``sha`` None) or replace the version ``sha``; returns the new ``sha``. StaleError when the
        file is not (or no longer) that version. Never sent twice blind: a lost answer is read back."""
        body = {"message": message, "content": base64.b64encode(text.encode("utf-8")).decode("ascii")}
        if sha is not None:
            body["sha"] = sha
        try:
            data, _response = self._call("PUT", self._contents(path), (200, 201), body=body)
        except ApiError as exc:
            if exc.status == 409 or (exc.status == 422 and "sha" in (exc.message or "")):
                raise StaleError("%s changed since it was read" % path, SYSTEM, "PUT", "/" + self._contents(path),
                                 status=exc.status, detail=exc.detail) from exc
            if not answer_lost(exc):
                raise
            now, now_sha = self.read_file(path)
            if now == text:  # the write arrived
                return now_sha
            raise
        return data["content"]["sha"]

    def delete_file(self, path, sha, message):
        """Remove the version ``sha`` of the file; StaleError when it is no longer that version, nothing when it is
        already gone."""
        try:
            self._call("DELETE", self._contents(path), (200,), body={"message": message, "sha": sha})
        except NotFoundError:
            return
        except ApiError as exc:
            if exc.status == 409:
                raise StaleError("%s changed since it was read" % path, SYSTEM, "DELETE", "/" + self._contents(path),
                                 status=exc.status) from exc
            raise


# GitHub refuses an issue or comment body longer than this with 422 ("body is too long (maximum is 65536 characters)")
MAX_BODY = 65536
CUT_NOTE = "\n\n(cut to GitHub's %d-character limit; the whole report is in the job's reports)" % MAX_BODY


def fit_body(body):
    """The body as GitHub accepts it: a report too long for an issue is cut, and says so, rather than refused."""
    if body is None or len(body) <= MAX_BODY:
        return body
    return body[:MAX_BODY - len(CUT_NOTE)] + CUT_NOTE


def rate_limit_wait(response, data):
    """(seconds to wait, when to retry as UTC ISO text) for a rate-limit refusal, or None for any other answer.

    GitHub answers 403 or 429 with ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` (UTC epoch seconds) for
    the primary limit, and a ``retry-after`` (seconds) or a message naming a secondary rate limit for the others.
    The reset time is measured against the server's own ``Date``, so the controller's clock does not matter.
    """
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    message = (data.get("message") if isinstance(data, dict) else "") or ""
    now = time.time()
    server_now = now
    try:
        server_now = parsedate_to_datetime(headers["Date"]).timestamp()
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    seconds = None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            seconds = max(0.0, float(retry_after))
        except ValueError:
            try:
                seconds = max(0.0, parsedate_to_datetime(retry_after).timestamp() - server_now)
            except (TypeError, ValueError, IndexError):
                seconds = None
    if seconds is None and headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        try:
            # +1: the reset is whole seconds and the Date header too
            seconds = max(0.0, float(headers["x-ratelimit-reset"]) - server_now) + 1
        except ValueError:
            seconds = None
    if seconds is None and ("rate limit" in message.lower() or response.status_code == 429):
        seconds = float(SECONDARY_LIMIT_WAIT)
    if seconds is None:
        return None  # a 403 that is no rate limit: permissions
    until = datetime.fromtimestamp(now + seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return seconds, until
