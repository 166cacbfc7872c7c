"""Jenkins stand-in: parameterized jobs in folders, the build queue, builds with results and console text.

As the remote API documents it: Basic auth with a user and an API token (exempt from CSRF protection) or
a password (a POST then needs the crumb from ``/crumbIssuer/api/json`` and the session cookie it was issued
with, else 403 "No valid crumb was included in the request"); ``POST {job}/buildWithParameters`` with the
parameters in the query string or the form body, answering 201 with the queue item's absolute ``Location``,
303 to an identical item still queued, 500 for an unparameterized job, 409 for a disabled one, 404 for an
unknown one (Jenkins' ``ParameterizedJobMixIn.doBuildWithParameters`` checks buildable first, 409 "<job> is not
buildable!", then throws ``IllegalStateException("This build is not parameterized!")`` for a job without parameters:
HTTP 500 and the "Oops!" page, not 400); queue items (``/queue/item/N/api/json``) that wait, then leave with their ``executable`` or
``cancelled``, and vanish five minutes after they left; builds (``{job}/N/api/json``) ``building`` until
they end with a ``result``, and their ``consoleText``; ``X-Jenkins`` on every answer, and ``GET /`` (where
python-jenkins' ``get_version`` reads it) 200 for an authenticated user, 403 for anonymous (no Overall/Read), 401
for credentials Jenkins refuses; ``/me/api/json`` (python-jenkins' ``get_whoami``). Times are simulated.

Requests Jenkins refuses because the client misused the API (buildWithParameters on a job without parameters, a
parameter given twice, a password-authenticated POST without its crumb) raise ``ContractViolation``.

A scenario sets each job's ``parameters`` (name -> default; ``{}``: a job without parameters), ``result``
(SUCCESS, FAILURE, ...), ``queue_seconds``, ``build_seconds``, ``console`` (lines), ``disabled``, ``cancel`` (the item leaves the queue without running) and
``vanish_seconds`` (how long a left item stays visible; 300 as in Jenkins).
"""

from __future__ import annotations

import base64
import secrets
import threading
from urllib.parse import quote

from werkzeug.wrappers import Response

from .core import ContractViolation, json_response

VERSION = "2.462.3"
DEFAULT_JOBS = {
    "armada-ops/bastion-register-nodes-ww": {},
    "armada-ops/bastion-register-nodes": {},
}
DEFAULT_PARAMETERS = {"TARGET_HOSTS_IP": "", "TARGET_HOSTNAME": "", "Branch": "master"}


class Jenkins:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.user = spec.get("user", "svc-nessus-automation")
        self.version = str(spec.get("version", VERSION))
        self.api_token = spec.get("api_token") or "11" + secrets_store.new("JENKINS_TOKEN", 16)[:32]
        secrets_store.values["JENKINS_TOKEN"] = self.api_token
        self.password = spec.get("password") or secrets_store.new("JENKINS_PASSWORD", 16)
        self.csrf = spec.get("csrf", True)
        self.jobs = {}
        for path, job in dict(DEFAULT_JOBS, **(spec.get("jobs") or {})).items():
            self.jobs[path] = dict({"result": "SUCCESS", "queue_seconds": 20, "build_seconds": 240, "disabled": False,
                                    "cancel": False, "vanish_seconds": 300, "parameters": dict(DEFAULT_PARAMETERS),
                                    "console": None}, **(job or {}), builds=[], next=1)
        self.queue = {}  # id -> item
        self.next_queue_id = 1000
        self.sessions = {}  # session id -> crumb
        self.triggers = []  # (sim time, job path, parameters): every build asked for
        self.base_url = ""

    def error_body(self, status, message, action=None):
        return {"message": message}

    # -- plumbing ---------------------------------------------------------------------------------

    def _html(self, status, text, headers=None):
        return Response("<html><head><title>Error %d</title></head><body><h2>%s</h2></body></html>" % (status, text),
                        status=status, content_type="text/html;charset=utf-8",
                        headers=dict(headers or {}, **{"X-Jenkins": self.version}))

    def _oops(self):
        """What Jenkins answers to an exception in a request: HTTP 500, the "Oops!" page with a logging id (the
        stack trace, with the exception's message, goes to the server's log only)."""
        return Response("<!DOCTYPE html><html><head><title>Jenkins</title></head><body><h1>Oops!</h1>"
                        "<p>A problem occurred while processing the request.</p><p>Logging ID=%s</p></body></html>"
                        % secrets.token_hex(18), status=500, content_type="text/html;charset=utf-8",
                        headers={"X-Jenkins": self.version})

    def _json(self, payload, status=200, headers=None):
        return json_response(payload, status=status, headers=dict(headers or {}, **{"X-Jenkins": self.version}))

    def _auth(self, request):
        """'token', 'password', 'anonymous' (no credentials sent), or None (credentials refused)."""
        header = request.headers.get("Authorization", "")
        if not header:
            return "anonymous"
        if not header.startswith("Basic "):
            return None
        try:
            user, _sep, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if user != self.user:
            return None
        if secrets.compare_digest(secret, self.api_token):
            return "token"
        if secrets.compare_digest(secret, self.password):
            return "password"
        return None

    def job_url(self, path):
        return self.base_url + "".join("/job/%s" % quote(part) for part in path.split("/")) + "/"

    def __call__(self, request):
        how = self._auth(request)
        if how is None:
            return self._html(401, "Invalid password/token for user: %s" % self.user)
        if how == "anonymous":
            # a Jenkins whose anonymous user lacks Overall/Read: 403 for everything, the version header included
            return self._html(403, "Authentication required", headers={
                "X-You-Are-Authenticated-As": "anonymous", "X-Required-Permission": "hudson.model.Hudson.Read"})
        parts = [p for p in request.path.split("/") if p]
        if not parts and request.method in ("GET", "HEAD"):
            return Response("<!DOCTYPE html><html><head><title>Dashboard [Jenkins]</title></head><body></body></html>",
                            content_type="text/html;charset=utf-8",
                            headers={"X-Jenkins": self.version, "X-Hudson": "1.395"})
        if parts == ["me", "api", "json"]:
            return self._json({"_class": "hudson.model.User", "absoluteUrl": "%s/user/%s" % (self.base_url, self.user),
                               "description": None, "fullName": self.user, "id": self.user, "property": []})
        now = self.clock.now()
        if parts == ["crumbIssuer", "api", "json"]:
            if not self.csrf:
                return self._html(404, "Not Found")
            sid = request.cookies.get("JSESSIONID") or secrets.token_hex(8)
            crumb = self.sessions.setdefault(sid, secrets.token_hex(32))
            response = self._json({"_class": "hudson.security.csrf.DefaultCrumbIssuer", "crumb": crumb,
                                   "crumbRequestField": "Jenkins-Crumb"})
            response.set_cookie("JSESSIONID", sid, httponly=True)
            return response
        if request.method == "POST" and how == "password" and self.csrf:
            sid = request.cookies.get("JSESSIONID")
            crumb = request.headers.get("Jenkins-Crumb") or request.form.get("Jenkins-Crumb")
            if not sid or not crumb or self.sessions.get(sid) != crumb:
                # CrumbFilter: a POST authenticated with a password needs the crumb of its session
                raise ContractViolation(self._html(403, "No valid crumb was included in the request"),
                                        "Jenkins CSRF: a password-authenticated POST without a valid crumb")
        if len(parts) == 5 and parts[:2] == ["queue", "item"] and parts[3:] == ["api", "json"] and parts[2].isdigit():
            return self.queue_item(int(parts[2]), now)
        # /job/a/job/b/<rest>
        path, rest = [], parts
        while len(rest) >= 2 and rest[0] == "job":
            path.append(rest[1])
            rest = rest[2:]
        job = self.jobs.get("/".join(path))
        if not path or job is None:
            return self._html(404, "Not Found")
        name = "/".join(path)
        if rest == ["buildWithParameters"] and request.method == "POST":
            return self.trigger(name, job, request, now)
        if rest == ["api", "json"]:
            prop = []
            if job["parameters"]:
                prop.append({"_class": "hudson.model.ParametersDefinitionProperty", "parameterDefinitions": [
                    {"_class": "hudson.model.StringParameterDefinition", "name": key, "type": "StringParameterDefinition",
                     "defaultParameterValue": {"_class": "hudson.model.StringParameterValue", "name": key, "value": value}}
                    for key, value in job["parameters"].items()]})
            return self._json({"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": path[-1],
                               "property": prop,
                               "fullName": name, "url": self.job_url(name), "buildable": not job["disabled"],
                               "builds": [{"number": b["number"], "url": self.build_url(name, b), "queueId": b["queue_id"]}
                                          for b in reversed(job["builds"])]})
        if len(rest) >= 1 and rest[0].isdigit():
            build = next((b for b in job["builds"] if b["number"] == int(rest[0])), None)
            if build is None:
                return self._html(404, "Not Found")
            if rest[1:] == ["api", "json"]:
                return self._json(self.build_view(name, job, build, now))
            if rest[1:] == ["consoleText"]:
                return Response(self.console(name, job, build, now), content_type="text/plain;charset=utf-8",
                                headers={"X-Jenkins": self.version})
        return self._html(404, "Not Found")

    # -- queue and builds -------------------------------------------------------------------------

    def trigger(self, name, job, request, now):
        # ParameterizedJobMixIn.doBuildWithParameters: buildable first, then the parameters property
        if job["disabled"]:
            return self._html(409, "%s is not buildable!" % name)
        if not job["parameters"]:
            raise ContractViolation(self._oops(), "Jenkins: buildWithParameters on a job without parameters "
                                                  "(IllegalStateException: This build is not parameterized!)")
        given = {}
        for key in job["parameters"]:
            values = request.args.getlist(key) + request.form.getlist(key)
            if len(values) > 1:
                raise ContractViolation(self._oops(), "Jenkins: parameter %s given more than once "
                                                      "(IllegalArgumentException: Illegal number of parameter values)" % key)
            given[key] = values[0] if values else job["parameters"][key]
        with self.lock:
            for item in self.queue.values():
                if item["job"] == name and item["params"] == given and self._state(item, now) == "waiting":
                    return Response("", status=303, headers={"Location": self.queue_url(item["id"]), "X-Jenkins": self.version})
            self.next_queue_id += 1
            item = {"id": self.next_queue_id, "job": name, "params": given, "since": now,
                    "leaves": now + float(job["queue_seconds"]), "build": None}
            self.queue[item["id"]] = item
            self.triggers.append((now, name, dict(given)))
        return Response("", status=201, headers={"Location": self.queue_url(item["id"]), "X-Jenkins": self.version})

    def queue_url(self, ident):
        return "%s/queue/item/%d/" % (self.base_url, ident)

    def build_url(self, name, build):
        return "%s%d/" % (self.job_url(name), build["number"])

    def _state(self, item, now):
        if now < item["leaves"]:
            return "waiting"
        job = self.jobs[item["job"]]
        if item["build"] is None and not job["cancel"]:
            build = {"number": job["next"], "queue_id": item["id"], "start": item["leaves"], "params": item["params"]}
            job["next"] += 1
            job["builds"].append(build)
            item["build"] = build
        if now >= item["leaves"] + float(job["vanish_seconds"]):
            return "gone"
        return "left"

    def queue_item(self, ident, now):
        with self.lock:
            item = self.queue.get(ident)
            state = self._state(item, now) if item else "gone"
        if state == "gone":
            return self._html(404, "Not Found")
        job = self.jobs[item["job"]]
        common = {"id": ident, "inQueueSince": int(item["since"] * 1000), "url": "queue/item/%d/" % ident,
                  "params": "".join("\n%s=%s" % kv for kv in item["params"].items()),
                  "task": {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowJob", "name": item["job"].split("/")[-1],
                           "url": self.job_url(item["job"]), "color": "blue"},
                  "blocked": False, "stuck": False, "actions": []}
        if state == "waiting":
            return self._json(dict(common, _class="hudson.model.Queue$WaitingItem", buildable=False,
                                   timestamp=int(item["leaves"] * 1000), why="In the quiet period. Expires in %d sec"
                                   % max(1, int(item["leaves"] - now))))
        executable = None
        if item["build"] is not None:
            executable = {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": item["build"]["number"],
                          "url": self.build_url(item["job"], item["build"])}
        return self._json(dict(common, _class="hudson.model.Queue$LeftItem", buildable=False, why=None,
                               cancelled=bool(job["cancel"]), executable=executable))

    def build_view(self, name, job, build, now):
        ended = now >= build["start"] + float(job["build_seconds"])
        return {"_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun", "number": build["number"],
                "id": str(build["number"]), "url": self.build_url(name, build), "queueId": build["queue_id"],
                "fullDisplayName": "%s #%d" % (name, build["number"]), "displayName": "#%d" % build["number"],
                "timestamp": int(build["start"] * 1000), "building": not ended, "inProgress": not ended,
                "duration": int(float(job["build_seconds"]) * 1000) if ended else 0,
                "estimatedDuration": int(float(job["build_seconds"]) * 1000),
                "result": job["result"] if ended else None,
                "actions": [{"_class": "hudson.model.ParametersAction",
                             "parameters": [{"name": k, "value": v} for k, v in build["params"].items()]}]}

    def console(self, name, job, build, now):
        params = build["params"]
        lines = ["Started by remote API user %s" % self.user,
                 "[Pipeline] Start of Pipeline",
                 "+ ansible-playbook bastion/register-nodes.yml -e target_hosts=%s -e target_hostname=%s (branch %s)"
                 % (params.get("TARGET_HOSTS_IP"), params.get("TARGET_HOSTNAME"), params.get("Branch"))]
        if now < build["start"] + float(job["build_seconds"]):
            return "\n".join(lines) + "\n"
        lines += job["console"] or (
            ["TASK [register node] ok: [%s]" % params.get("TARGET_HOSTS_IP"), "Finished: %s" % job["result"]]
            if job["result"] == "SUCCESS" else
            ["TASK [register node] fatal: [%s]: UNREACHABLE! => ssh: connect to host %s port 22: Connection timed out"
             % (params.get("TARGET_HOSTS_IP"), params.get("TARGET_HOSTS_IP")), "Finished: %s" % job["result"]])
        return "\n".join(lines) + "\n"
