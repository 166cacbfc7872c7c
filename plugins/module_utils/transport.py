# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP layer every client of this collection shares.

One ``requests`` session per client, a timeout on every call, TLS verification on by default (with
an optional CA bundle), and urllib3 ``Retry`` with exponential backoff and jitter on 429, 5xx and
connection errors, for safe methods only: a launch, a reboot or a ticket is never sent twice by the
transport. Errors are typed and carry the system, method, path, HTTP status and the API's own error
code and message, never a credential.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import NewConnectionError
    from urllib3.util.retry import Retry

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
RETRY_STATUSES = (429, 500, 502, 503, 504)


def http_argument_spec(env_prefix, timeout=30.0, retries=3):
    """The transport's options, as every module of a system takes them (doc fragment ``transport``): ``ca_path``,
    ``validate_certs`` and ``timeout`` fall back on the system's ``<env_prefix>_CA_PATH``, ``_VALIDATE_CERTS`` and
    ``_TIMEOUT`` environment variables."""
    return dict(
        ca_path=dict(type="path", fallback=(env_fallback, ["%s_CA_PATH" % env_prefix])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["%s_VALIDATE_CERTS" % env_prefix])),
        timeout=dict(type="float", default=timeout, fallback=(env_fallback, ["%s_TIMEOUT" % env_prefix])),
        retries=dict(type="int", default=retries),
    )


class ApiError(Exception):
    """An external system refused a request or could not be reached.

    ``system`` names the system ("Security Center", "IBM Cloud classic", ...); ``code`` and
    ``detail`` are the system's own error code and message when it sent them.
    """

    def __init__(self, message, system, method=None, path=None, status=None, code=None, detail=None, hint=None):
        super().__init__(message)
        self.message = message
        self.system = system
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.detail = detail
        self.hint = hint

    def __str__(self):
        where = " ".join(p for p in (self.method, self.path) if p)
        parts = ["%s: %s" % (self.system, self.message)]
        if where:
            parts.append("(%s%s)" % (where, ", HTTP %s" % self.status if self.status else ""))
        if self.code not in (None, "", 0):
            parts.append("error_code=%s" % self.code)
        if self.detail:
            parts.append("- %s" % self.detail.strip())
        if self.hint:
            parts.append("| %s" % self.hint)
        return " ".join(parts)

    def to_dict(self):
        """What a module returns beside ``msg`` so that playbooks can branch on the failure."""
        return {
            "system": self.system,
            "kind": type(self).__name__,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }


class TransportError(ApiError):
    """No usable HTTP answer: DNS, connection refused, TLS failure, timeout.

    ``may_have_arrived``: whether the server may have received the request all the same (an answer that did not
    come in time, a connection dropped after sending) - not for a TLS failure or a connection never made.
    """

    def __init__(self, *args, may_have_arrived=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_have_arrived = may_have_arrived


class AuthError(ApiError):
    """The credentials were refused. Never retried."""


class AccountLockedError(AuthError):
    """The account is locked after too many failed logins."""


class NotFoundError(ApiError):
    """The object asked for does not exist."""


class UnexpectedResponseError(ApiError):
    """The answer is not what the API documents (HTML page, broken JSON, unknown shape)."""


# What an HTTP error status means when the API says nothing more precise; any other status is an ApiError.
STATUS_ERRORS = {401: AuthError, 403: AuthError, 404: NotFoundError}


def answer_lost(exc):
    """Whether a failed POST may have been carried out: no answer (timeout, dropped connection) or a server error."""
    if isinstance(exc, TransportError):
        return exc.may_have_arrived
    return exc.status is not None and exc.status >= 500


def validate_base_url(url, system, setting):
    """Return ``url`` without a trailing slash, or raise ValueError naming the setting."""
    if not url:
        raise ValueError("%s: no URL given; set %s" % (system, setting))
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(
            "%s: %s must be an absolute http(s) URL such as https://sc.example.com, got %r" % (system, setting, url)
        )
    if parts.scheme == "http" and (parts.hostname or "").lower() not in allowed_http_hosts():
        raise ValueError(
            "%s: %s is plain http (%s): the credentials would cross the network in clear text. Use https://; for "
            "a test system only, name its host in %s" % (system, setting, url, ALLOW_HTTP_ENV)
        )
    return url.rstrip("/")


# Plain http is refused unless the user names the host it may be used for (a test system on their own machine).
ALLOW_HTTP_ENV = "NESSUS_COMPLIANCE_ALLOW_HTTP"


def allowed_http_hosts():
    return {h.strip().lower() for h in os.environ.get(ALLOW_HTTP_ENV, "").split(",") if h.strip()}


def insecure_warning(system, verify):
    """The warning every run prints while a system's certificates are not checked, or None."""
    if verify is not False:
        return None
    return ("%s: certificate checks are off (validate_certs=false): anyone on the network path can read and change "
            "this run's requests, credentials included. Give the system's CA bundle (ca_path) instead." % system)


def validate_timeout(timeout, system):
    if timeout is None or timeout <= 0:
        raise ValueError("%s: timeout must be a positive number of seconds, got %r" % (system, timeout))
    return float(timeout)


def html_title(text):
    """The <title> of an HTML page, or its first non-empty line, for an error message."""
    lower = text.lower()
    start = lower.find("<title>")
    if start >= 0:
        end = lower.find("</title>", start)
        if end > start:
            return " ".join(text[start + 7:end].split())
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


class HttpClient:
    """A ``requests`` session bound to one base URL, with the collection's transport rules."""

    def __init__(self, base_url, system, setting="url", timeout=30, validate_certs=True, ca_path=None,
                 retries=3, backoff=0.5, backoff_max=30.0, user_agent="conductors.nessus_compliance",
                 retry_statuses=RETRY_STATUSES):
        if not HAS_REQUESTS:
            raise ImportError("the Python library requests is required: %s" % REQUESTS_IMPORT_ERROR)
        self.system = system
        self.base_url = validate_base_url(base_url, system, setting)
        self.timeout = validate_timeout(timeout, system)
        if retries is None or retries < 0:
            raise ValueError("%s: retries must be 0 or more, got %r" % (system, retries))
        self.retry_log = []
        self.request_count = 0
        # retry_statuses: a client that handles a status itself (GitHub's rate limits on 429) leaves it out
        self._retry_settings = dict(retries=retries, backoff=backoff, backoff_max=backoff_max, statuses=tuple(retry_statuses))
        self.session = self._session(SAFE_METHODS)
        self.session.headers["User-Agent"] = user_agent
        self._idempotent_session = None
        # Passed on every request: a session-level verify loses to REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE.
        self.verify = (ca_path or True) if validate_certs else False

    def _session(self, methods):
        retries, backoff = self._retry_settings["retries"], self._retry_settings["backoff"]
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=methods,
            status_forcelist=self._retry_settings["statuses"],
            backoff_factor=backoff,
            backoff_jitter=backoff / 2.0,
            backoff_max=self._retry_settings["backoff_max"],
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def _for(self, method, idempotent):
        """The session to send with: POSTs that the API makes idempotent (a dedup key) may be retried too."""
        if not idempotent or method in SAFE_METHODS:
            return self.session
        if self._idempotent_session is None:
            self._idempotent_session = self._session(SAFE_METHODS | frozenset(("POST", "PUT", "PATCH")))
            self._idempotent_session.headers = self.session.headers
            self._idempotent_session.cookies = self.session.cookies
        self._idempotent_session.auth = self.session.auth  # the client's credentials (Basic auth) go with it
        return self._idempotent_session

    def close(self):
        self.session.close()
        if self._idempotent_session is not None:
            self._idempotent_session.close()

    def url(self, path):
        return self.base_url + "/" + path.lstrip("/")

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, auth=None,
                allow_redirects=False, idempotent=False):
        """Send one request (retried by the transport only when safe) and return the response.

        ``idempotent=True`` marks a change the API itself de-duplicates (a PagerDuty event with its
        dedup_key), which may then be retried like a read.

        Raises TransportError when no HTTP answer came back. HTTP error statuses are returned to
        the caller, who knows the API's envelope.
        """
        method = method.upper()
        self.request_count += 1
        url = self.url(path)
        path = urlsplit(url).path
        try:
            response = self._for(method, idempotent).request(
                method, url, params=params, json=json_body, data=data, headers=headers, auth=auth,
                timeout=self.timeout, allow_redirects=allow_redirects, verify=self.verify,
            )
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                "TLS verification failed: %s" % _short_reason(exc), self.system, method, path, may_have_arrived=False,
                hint="give the CA bundle of this endpoint (ca_path) rather than turning validate_certs off",
            )
        except requests.exceptions.Timeout as exc:
            raise TransportError("no answer within %ss: %s" % (self.timeout, _short_reason(exc)), self.system, method, path,
                                 may_have_arrived=not isinstance(exc, requests.exceptions.ConnectTimeout))
        except requests.exceptions.RetryError as exc:
            raise TransportError("gave up after retries: %s" % _short_reason(exc), self.system, method, path)
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else None
            raise TransportError("cannot connect: %s" % _short_reason(exc), self.system, method, path,
                                 may_have_arrived=not isinstance(reason, NewConnectionError))
        except requests.exceptions.RequestException as exc:
            raise TransportError("request failed: %s" % _short_reason(exc), self.system, method, path)
        self._record_retries(method, path, response)
        return response

    def link_pages(self, fetch, path, params=None):
        """Every item of a list served page by page with an RFC 5988 ``Link`` header: ``fetch(path, params)`` answers
        ``(items of the page, response)``, and the next page is the ``rel="next"`` URL (which carries the query)."""
        items, first = [], path
        while path:
            page, response = fetch(path, params)
            items += page or []
            url = next_link(response.headers.get("Link"))
            if url is not None and not url.startswith(self.base_url + "/"):
                raise UnexpectedResponseError("the Link header points away from %s: %s" % (self.base_url, url),
                                              self.system, "GET", first)
            path, params = (url[len(self.base_url) + 1:] if url is not None else None), None
        return items

    def offset_pages(self, fetch, what, path, limit=100, max_pages=50):
        """Every item of a list served by offset and limit: ``fetch(offset, limit)`` answers ``(items, more)``, ``more``
        saying whether items follow. More than ``max_pages`` pages is an ApiError (a list that never ends)."""
        items, offset = [], 0
        for _page in range(max_pages):
            page, more = fetch(offset, limit)
            items += page
            if not more:
                return items
            offset += len(page) or limit
        raise ApiError("more than %d pages of %s" % (max_pages, what), self.system, "GET", path)

    def _record_retries(self, method, path, response):
        retries = getattr(getattr(response, "raw", None), "retries", None)
        for attempt, event in enumerate(getattr(retries, "history", None) or (), start=1):
            self.retry_log.append({
                "system": self.system,
                "method": method,
                "path": path,
                "attempt": attempt,
                "status": event.status,
                "error": _short_reason(event.error) if event.error else None,
            })


class ApiClient:
    """What every client of the collection shares: built from a module's parameters, used as a context
    manager that closes its HTTP session, reporting the transport's retries, and turning an HTTP error status into
    a typed error.

    ``MODULE_PARAMS`` names the module parameters passed, in order, to the client's constructor; ``SYSTEM`` the
    system; ``AUTH_HINT`` what to check when the credentials are refused; ``ERROR_MESSAGES`` the message of each
    kind of error when the API gives none.
    """

    MODULE_PARAMS = ()
    ARGUMENT_SPEC = {}
    SYSTEM = None
    AUTH_HINT = None
    ERROR_MESSAGES = {AuthError: "credentials refused", NotFoundError: "object not found", ApiError: "request failed"}
    http = None

    def error(self, status, method, path, message=None, kind=None, **details):
        """The typed error for an answer with HTTP ``status``: 401 and 403 AuthError (with ``AUTH_HINT``), 404
        NotFoundError, any other ApiError - unless ``kind`` says what the API made it clear it is."""
        kind = kind or STATUS_ERRORS.get(status, ApiError)
        if issubclass(kind, AuthError):
            details.setdefault("hint", self.auth_hint())
        return kind(message or self.ERROR_MESSAGES.get(kind, self.ERROR_MESSAGES[ApiError]), self.SYSTEM, method,
                    path, status=status, **details)

    def auth_hint(self):
        return self.AUTH_HINT

    # -- the settings, checked without calling the system (settings_check) ------------------------------------

    @classmethod
    def missing_settings(cls, params):
        """What every module of the system needs and ``params`` lacks, each as ``name (ENV_VAR)``."""
        return [setting_name(cls.ARGUMENT_SPEC, name) for name, option in cls.ARGUMENT_SPEC.items()
                if option.get("required") and not params.get(name)]

    @classmethod
    def invalid_settings(cls, params):
        """What the system's own rules refuse in ``params`` (beyond the checks the constructor makes), as sentences."""
        return []

    @classmethod
    def settings_problems(cls, params):
        """What is wrong with ``params`` (the system's connection options, fallbacks applied), as sentences: the
        missing settings, the system's own rules, a CA bundle that is no file, and what the constructor refuses (URLs,
        the timeout, the retries, credential pairs)."""
        found = []
        missing = cls.missing_settings(params)
        if missing:
            found.append("%s: not set: %s" % (cls.SYSTEM, ", ".join(missing)))
        found += cls.invalid_settings(params)
        ca_path = params.get("ca_path")
        if ca_path and not os.path.isfile(ca_path):
            name = setting_name(cls.ARGUMENT_SPEC, "ca_path")
            found.append("%s: %s is not a readable file: %s" % (cls.SYSTEM, name, ca_path))
        if not missing:
            try:
                cls(*[params.get(name) for name in cls.MODULE_PARAMS]).close()
            except ValueError as exc:
                found.append(str(exc))
        return found

    @classmethod
    def from_module(cls, module):
        return cls(*[module.params[name] for name in cls.MODULE_PARAMS])

    @property
    def retry_log(self):
        return self.http.retry_log

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.http.close()


def decode_json(response, system, method, path):
    """The JSON body of a response whatever its Content-Type, or UnexpectedResponseError."""
    text = response.text or ""
    try:
        return json.loads(text)
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise UnexpectedResponseError(
            "answered with a non-JSON body (%s)%s" % (kind, ": " + html_title(text) if text.strip() else ", empty"),
            system, method, path, status=response.status_code,
        )


def setting_name(spec, name):
    """``name (ENV_VAR)`` for a message: the option and the environment variable it falls back on."""
    fallback = spec[name].get("fallback")
    return "%s (%s)" % (name, fallback[1][0]) if fallback else name


def next_link(header):
    """The ``rel="next"`` URL of an RFC 5988 ``Link`` header, or None."""
    for part in (header or "").split(","):
        match = re.match(r'\s*<([^>]+)>\s*;(.*)$', part)
        if match and re.search(r'\brel="?next"?', match.group(2)):
            return match.group(1)
    return None


def _short_reason(exc):
    """The innermost reason of a requests/urllib3 exception, on one line."""
    reason = exc
    for _depth in range(5):
        nxt = getattr(reason, "reason", None) or (reason.args[0] if getattr(reason, "args", None) else None)
        if nxt is None or nxt is reason or isinstance(nxt, str):
            break
        reason = nxt
    return " ".join(str(reason).split())[:300]
