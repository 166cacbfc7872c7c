"""GitHub Enterprise issues stand-in: the REST API v3 under ``/api/v3`` (issues and their comments).

Token auth (``Authorization: Bearer <token>`` or ``token <token>``), 401 ``Bad credentials``, 404
``Not Found``, 422 ``Validation Failed`` with ``errors``, 201 with ``Location`` on create, issue
lists filtered by ``state``, ``labels``, ``creator``, paginated with ``per_page``/``page`` and a
``Link`` header, as documented for GitHub's REST API.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timezone

from werkzeug.routing import Map, Rule

from .core import json_response

DOCS = "https://docs.github.com/rest"


def stamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHub:
    def __init__(self, spec, clock, secrets_store):
        self.clock = clock
        self.lock = threading.Lock()
        self.token = spec.get("token") or "ghp_" + secrets_store.new("GITHUB_TOKEN", 18)[:36]
        secrets_store.values["GITHUB_TOKEN"] = self.token
        self.login = spec.get("login", "conductors-automation")
        self.repositories = {}
        for name in spec.get("repositories") or ["alchemy-conductors/team"]:
            self.repositories[name] = {"issues": {}, "next": 1}
        self.next_id = 5000
        self.base_url = ""
        for item in spec.get("issues") or []:
            repo = self.repositories[item.get("repository", next(iter(self.repositories)))]
            self._new_issue(repo, next(iter(self.repositories)), item["title"], item.get("body", ""),
                            item.get("labels") or [], item.get("state", "open"))
        self.url_map = Map([
            Rule("/api/v3/repos/<owner>/<repo>/issues", endpoint="issues", methods=["GET", "POST"]),
            Rule("/api/v3/repos/<owner>/<repo>/issues/<int:number>", endpoint="issue", methods=["GET"]),
            Rule("/api/v3/repos/<owner>/<repo>/issues/<int:number>/comments", endpoint="comments",
                 methods=["GET", "POST"]),
        ])

    @property
    def repository(self):
        return next(iter(self.repositories))

    def error_body(self, status, message, action=None):
        return {"message": message, "documentation_url": DOCS}

    def _user(self):
        return {"login": self.login, "id": 4242, "type": "User"}

    def _new_issue(self, repo, full_name, title, body, labels, state="open"):
        with self.lock:
            number = repo["next"]
            repo["next"] += 1
            self.next_id += 1
            now = self.clock.now()
            issue = {
                "id": self.next_id, "node_id": "I_kwDO%08d" % self.next_id, "number": number, "title": title,
                "body": body, "state": state, "locked": False, "user": self._user(),
                "labels": [{"id": 100 + i, "name": name, "color": "d73a4a", "default": False} for i, name in enumerate(labels)],
                "assignees": [], "comments": 0, "created_at": stamp(now), "updated_at": stamp(now),
                "closed_at": None if state == "open" else stamp(now),
                "url": "%s/api/v3/repos/%s/issues/%d" % (self.base_url, full_name, number),
                "html_url": "%s/%s/issues/%d" % (self.base_url, full_name, number),
                "comments_url": "%s/api/v3/repos/%s/issues/%d/comments" % (self.base_url, full_name, number),
                "_comments": [],
            }
            repo["issues"][number] = issue
            return issue

    @staticmethod
    def public(issue):
        return {k: v for k, v in issue.items() if not k.startswith("_")}

    def __call__(self, request):
        auth = request.headers.get("Authorization", "")
        scheme, _sep, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not secrets.compare_digest(token.strip(), self.token):
            return json_response(self.error_body(401, "Bad credentials"), status=401)
        endpoint, args = self.url_map.bind_to_environ(request.environ).match()
        full_name = "%s/%s" % (args.pop("owner"), args.pop("repo"))
        repo = self.repositories.get(full_name)
        if repo is None:
            return json_response(self.error_body(404, "Not Found"), status=404)
        return getattr(self, "ep_" + endpoint)(request, repo, full_name, **args)

    def ep_issues(self, request, repo, full_name):
        if request.method == "POST":
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return json_response({"message": "Problems parsing JSON", "documentation_url": DOCS}, status=400)
            if not body.get("title"):
                return json_response({"message": "Validation Failed", "errors": [
                    {"resource": "Issue", "code": "missing_field", "field": "title"}], "documentation_url": DOCS},
                    status=422)
            issue = self._new_issue(repo, full_name, body["title"], body.get("body") or "", body.get("labels") or [])
            return json_response(self.public(issue), status=201, headers={"Location": issue["url"]})
        state = request.args.get("state", "open")
        labels = [name for name in request.args.get("labels", "").split(",") if name]
        creator = request.args.get("creator")
        items = []
        for issue in sorted(repo["issues"].values(), key=lambda i: i["number"], reverse=True):
            if state != "all" and issue["state"] != state:
                continue
            names = {label["name"] for label in issue["labels"]}
            if any(label not in names for label in labels):
                continue
            if creator and issue["user"]["login"] != creator:
                continue
            items.append(self.public(issue))
        per_page = min(int(request.args.get("per_page", 30)), 100)
        page = max(int(request.args.get("page", 1)), 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = '<%s%s?state=%s&per_page=%d&page=%d>; rel="next"' % (
                self.base_url, request.path, state, per_page, page + 1)
        return json_response(chunk, headers=headers)

    def ep_issue(self, request, repo, full_name, number):
        issue = repo["issues"].get(number)
        if issue is None:
            return json_response(self.error_body(404, "Not Found"), status=404)
        return json_response(self.public(issue))

    def ep_comments(self, request, repo, full_name, number):
        issue = repo["issues"].get(number)
        if issue is None:
            return json_response(self.error_body(404, "Not Found"), status=404)
        if request.method == "GET":
            return json_response(issue["_comments"])
        body = request.get_json(silent=True) or {}
        if not body.get("body"):
            return json_response({"message": "Validation Failed", "errors": [
                {"resource": "IssueComment", "code": "missing_field", "field": "body"}], "documentation_url": DOCS},
                status=422)
        with self.lock:
            self.next_id += 1
            comment = {"id": self.next_id, "body": body["body"], "user": self._user(),
                       "created_at": stamp(self.clock.now()), "updated_at": stamp(self.clock.now()),
                       "html_url": "%s#issuecomment-%d" % (issue["html_url"], self.next_id),
                       "issue_url": issue["url"]}
            issue["_comments"].append(comment)
            issue["comments"] += 1
            issue["updated_at"] = comment["created_at"]
        return json_response(comment, status=201)
