# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client for Jenkins' remote API: trigger a parameterized job, follow its queue item to the build, and
wait for the build's result.

Basic auth with a user and an API token (which Jenkins exempts from CSRF protection, so no crumb), or a
password (then each POST carries the crumb from ``crumbIssuer/api/json``, and the session cookie it was
issued with). ``buildWithParameters`` answers 201 with the new queue item, or 303 with an identical item
already queued; either way the item is followed, never triggered twice. Queue items disappear five
minutes after they leave the queue: a vanished item is looked for among the job's builds by its queue
id. A result is trusted only once ``building`` is false. The trigger is never retried by the transport.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlsplit

from ansible.module_utils.basic import env_fallback

from .polling import poll_until
from .transport import ApiClient, ApiError, HttpClient, NotFoundError, decode_json, html_title, http_argument_spec

SYSTEM = "Jenkins"

JENKINS_ARGUMENT_SPEC = dict(
    url=dict(type="str", required=True, fallback=(env_fallback, ["JENKINS_URL"])),
    user=dict(type="str", required=True, fallback=(env_fallback, ["JENKINS_USER"])),
    token=dict(type="str", no_log=True, fallback=(env_fallback, ["JENKINS_TOKEN"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["JENKINS_PASSWORD"])),
    **http_argument_spec("JENKINS"),
)


def job_path(job):
    """``folder/sub/name`` -> ``job/folder/job/sub/job/name/`` (each part quoted)."""
    parts = [part for part in (job or "").strip("/").split("/") if part]
    if not parts:
        raise ValueError("%s: the job path is empty" % SYSTEM)
    return "".join("job/%s/" % quote(part, safe="") for part in parts)


class JenkinsClient(ApiClient):
    MODULE_PARAMS = ("url", "user", "token", "password", "ca_path", "validate_certs", "timeout", "retries")
    SYSTEM = SYSTEM
    ARGUMENT_SPEC = JENKINS_ARGUMENT_SPEC
    AUTH_HINT = "check JENKINS_USER and JENKINS_TOKEN"

    @classmethod
    def missing_settings(cls, params):
        missing = super().missing_settings(params)
        if not (params.get("token") or params.get("password")):
            missing.append("token (JENKINS_TOKEN) or password (JENKINS_PASSWORD)")
        return missing

    def __init__(self, url, user, token=None, password=None, ca_path=None, validate_certs=True, timeout=30.0, retries=3,
                 backoff=0.5):
        if not token and not password:
            raise ValueError("%s: no credentials; set token (JENKINS_TOKEN, preferred) or password (JENKINS_PASSWORD)"
                             % SYSTEM)
        self.http = HttpClient(url, SYSTEM, setting="url (JENKINS_URL)", timeout=timeout, validate_certs=validate_certs,
                               ca_path=ca_path, retries=retries, backoff=backoff)
        self.http.session.auth = (user, token or password)
        self.uses_token = bool(token)
        self.crumb = None  # (field, value) once fetched; False when CSRF protection is off

    def _fail(self, response, method, path, what):
        text = response.text or ""
        detail = html_title(text) if "<html" in text[:200].lower() else text.strip()[:300] or None
        message = {401: None, 404: "%s not found" % what}.get(response.status_code, "%s failed" % what)
        raise self.error(response.status_code, method, path, message, detail=detail)

    def get_json(self, path, what, params=None):
        response = self.http.request("GET", path, params=params)
        shown = urlsplit(self.http.url(path)).path
        if response.status_code != 200:
            self._fail(response, "GET", shown, what)
        return decode_json(response, SYSTEM, "GET", shown)

    def _crumb_headers(self):
        """The CSRF crumb for a POST: none with an API token; fetched once (with its session cookie) otherwise."""
        if self.uses_token:
            return {}
        if self.crumb is None:
            response = self.http.request("GET", "crumbIssuer/api/json")
            if response.status_code == 404:
                self.crumb = False  # CSRF protection is off
            elif response.status_code != 200:
                self._fail(response, "GET", "/crumbIssuer/api/json", "crumb")
            else:
                data = decode_json(response, SYSTEM, "GET", "/crumbIssuer/api/json")
                self.crumb = (data.get("crumbRequestField") or "Jenkins-Crumb", data.get("crumb"))
        return {self.crumb[0]: self.crumb[1]} if self.crumb else {}

    def trigger(self, job, parameters):
        """``POST {job}buildWithParameters``; returns ``(queue id, created)`` (created false: an identical item)."""
        path = job_path(job) + "buildWithParameters"
        response = self.http.request("POST", path, data=dict(parameters), headers=self._crumb_headers())
        shown = "/" + path
        if response.status_code not in (201, 303):
            if response.status_code == 409:
                raise ApiError("the job is disabled (not buildable)", SYSTEM, "POST", shown, status=409)
            if response.status_code == 500 and self.takes_no_parameters(job):
                # ParameterizedJobMixIn.doBuildWithParameters throws IllegalStateException("This build is not
                # parameterized!") for a job without parameters, which Jenkins answers with HTTP 500 ("Oops!")
                raise ApiError("the job takes no parameters, so Jenkins refuses buildWithParameters (HTTP 500: "
                               "\"This build is not parameterized!\")", SYSTEM, "POST", shown, status=500,
                               hint="check the job path; the bastion registration jobs take TARGET_HOSTS_IP and "
                                    "TARGET_HOSTNAME")
            self._fail(response, "POST", shown, "job %s" % job if response.status_code == 404 else "triggering %s" % job)
        location = response.headers.get("Location") or ""
        tail = location.rstrip("/").rsplit("/", 1)[-1]
        if not tail.isdigit():
            raise ApiError("no queue item in the answer (Location %r)" % location, SYSTEM, "POST", shown,
                           status=response.status_code)
        return int(tail), response.status_code == 201

    def takes_no_parameters(self, job):
        """True when the job defines no parameters (no ``ParametersDefinitionProperty``); False when it does or when
        that cannot be read."""
        try:
            data = self.get_json(job_path(job) + "api/json", "job %s" % job,
                                 params={"tree": "property[parameterDefinitions[name]]"})
        except ApiError:
            return False
        return not any((prop or {}).get("parameterDefinitions") for prop in data.get("property") or [])

    def queue_item(self, ident):
        return self.get_json("queue/item/%d/api/json" % ident, "queue item %d" % ident)

    def build_by_queue_id(self, job, ident):
        data = self.get_json(job_path(job) + "api/json", "job %s" % job, params={"tree": "builds[number,url,queueId]"})
        return next((b for b in data.get("builds") or [] if b.get("queueId") == ident), None)

    def _build_path(self, url):
        """A build URL as a path under the configured Jenkins root (its own host name may differ)."""
        return urlsplit(url).path[len(urlsplit(self.http.base_url).path):].lstrip("/")

    def build(self, url):
        return self.get_json(self._build_path(url) + "api/json", "build %s" % url,
                             params={"tree": "number,url,building,result,duration,queueId,timestamp"})

    def console_tail(self, url, lines=40):
        response = self.http.request("GET", self._build_path(url) + "consoleText")
        if response.status_code != 200:
            return []
        return (response.text or "").splitlines()[-lines:]

    def wait_for_build(self, job, ident, timeout, interval=2.0, clock=time.monotonic, sleep=time.sleep):
        """Follow queue item ``ident`` until it has a build: ``(build {number, url}, history)``.

        Raises ApiError when the item is cancelled, or vanished and no build of the job has its queue id,
        or after ``timeout`` seconds.
        """
        history = []

        def look(dummy_since):
            try:
                item = self.queue_item(ident)
            except NotFoundError:
                build = self.build_by_queue_id(job, ident)
                if build is None:
                    raise ApiError("queue item %d vanished before its build was seen, and no build of %s has that "
                                   "queue id" % (ident, job), SYSTEM, "GET", "/queue/item/%d/api/json" % ident, status=404)
                history.append("queue item %d vanished; found build #%s by its queue id" % (ident, build.get("number")))
                return True, build
            if item.get("executable"):
                return True, item["executable"]
            if item.get("cancelled"):
                raise ApiError("queue item %d was cancelled before it ran" % ident, SYSTEM, "GET",
                               "/queue/item/%d/api/json" % ident)
            note = "%s: %s" % ((item.get("_class") or "").rsplit("$", 1)[-1], item.get("why") or "")
            if not history or history[-1] != note:
                history.append(note)
            return False, note

        waited = poll_until(look, timeout, interval, clock=clock, sleep=sleep)
        if waited.timed_out:
            raise ApiError("queue item %d did not start a build within %ss (%s)" % (ident, timeout, waited.value), SYSTEM)
        return {"number": waited.value.get("number"), "url": waited.value.get("url")}, history

    def wait_for_result(self, url, timeout, interval=5.0, max_interval=30.0, clock=time.monotonic, sleep=time.sleep):
        """Poll the build until ``building`` is false (a result set while building is not final):
        ``(build, timed_out)``. The interval grows by half each poll up to ``max_interval``."""
        def look(dummy_since):
            build = self.build(url)
            return not build.get("building"), build

        waited = poll_until(look, timeout, interval, max_interval, clock=clock, sleep=sleep, cut_to_timeout=True)
        return waited.value, waited.timed_out
