"""GitHub Enterprise Server stand-in: the REST API v3 under ``/api/v3`` (issues, their comments and labels, issue search).

Held to the GHES 3.19 OpenAPI description (``shared/data/contracts/github_ghes_3.19.json``, ``lab/openapi.py``):
every request is matched to an operation of the contract and checked (path and query parameters, JSON body), and
one the real server refuses is answered as it does - 404 ``Not Found`` for no such operation, 400 ``Problems parsing
JSON``, 422 ``Validation Failed`` with ``errors`` (``missing_field``, ``invalid`` with the ``value``) or ``Invalid
request.`` for a body of the wrong type - and counted as a contract violation; every answer is checked against the
response schema of its status (``check_answer``).

Token auth (``Authorization: Bearer <token>`` or ``token <token>``), 401 ``Bad credentials``; issues with every
field the schema requires (``node_id``, ``user``, ``repository_url``, ...), 201 with ``Location`` on create; lists
filtered by ``state``, ``labels``, ``creator``, ``assignee``, ``since``, sorted by ``sort``/``direction`` and
paginated with ``per_page`` (30 by default, at most 100) / ``page`` and a ``Link`` header that keeps the query.
A token without push access (``github.push_access: false`` in a scenario) may open issues, but GitHub drops their
labels, assignees and milestone silently, as documented for "Create an issue".

The contents API (files of the repository's default branch), in the object media type the contract describes
(``Accept: application/vnd.github.object``: a directory is an object with ``entries``): a file's ``sha`` is its git
blob id; ``PUT`` creates (201) or, with the file's current ``sha``, replaces it (200); a ``sha`` that is not the
file's current one is refused with 409 ``<path> does not match <sha>``, an existing file written without a ``sha``
with 422 (``"sha" wasn't supplied``), so two writers never both win; ``DELETE`` needs the current ``sha`` too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from datetime import datetime, timezone
from urllib.parse import urlencode

from .core import ContractViolation, json_response, parse_time
from .openapi import Contract

DOCS = "https://docs.github.com/enterprise-server@3.19/rest"
API = "/api/v3"
RESOURCES = {"search": "Search", "comments": "IssueComment", "labels": "Label", "issues": "Issue"}
JSON_TYPES = {"array": "an array", "object": "an object", "string": "a string", "integer": "an integer",
              "number": "a number", "boolean": "a boolean", "null": "null"}


def stamp(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def error(status, message, **extra):
    return json_response(dict({"message": message, "documentation_url": DOCS, "status": str(status)}, **extra),
                         status=status)


class GitHub:
    def __init__(self, spec, clock, secrets_store):
        self.contract = Contract("github_ghes_3.19.json", base_path=API)
        self.clock = clock
        self.lock = threading.Lock()
        self.token = spec.get("token") or "ghp_" + secrets_store.new("GITHUB_TOKEN", 18)[:36]
        secrets_store.values["GITHUB_TOKEN"] = self.token
        self.login = spec.get("login", "conductors-automation")
        self.user_id = 4242
        # A token of a user without push access: issues are opened, their labels/assignees/milestone silently dropped.
        self.push_access = spec.get("push_access", True)
        self.repositories = {}
        self.next_id = 5000
        for name in spec.get("repositories") or ["alchemy-conductors/team"]:
            self.repositories[name] = {"issues": {}, "next": 1, "labels": {}, "id": self._id(), "full_name": name,
                                       "files": {}}
            for label in spec.get("labels") or ():
                self._label(self.repositories[name], label)
        self.base_url = ""
        for item in spec.get("issues") or []:
            full_name = item.get("repository", next(iter(self.repositories)))
            self._new_issue(self.repositories[full_name], item["title"], item.get("body", ""), item.get("labels") or [],
                            item.get("state", "open"), created=item.get("created_at"), user=item.get("user"))

    @property
    def repository(self):
        return next(iter(self.repositories))

    # --- objects, rendered as the real API renders them --------------------------------------------------------------

    def _id(self):
        self.next_id += 1
        return self.next_id

    @property
    def api(self):
        return self.base_url + API

    def error_body(self, status, message, action=None):
        return {"message": message, "documentation_url": DOCS, "status": str(status)}

    def user(self, login=None, user_id=None):
        login = login or self.login
        user_id = user_id or (self.user_id if login == self.login else 4000 + sum(map(ord, login)))
        api = "%s/users/%s" % (self.api, login)
        return {
            "login": login, "id": user_id, "node_id": "U_kgDO%06d" % user_id,
            "avatar_url": "%s/avatars/u/%d?" % (self.base_url, user_id), "gravatar_id": "",
            "url": api, "html_url": "%s/%s" % (self.base_url, login),
            "followers_url": api + "/followers", "following_url": api + "/following{/other_user}",
            "gists_url": api + "/gists{/gist_id}", "starred_url": api + "/starred{/owner}{/repo}",
            "subscriptions_url": api + "/subscriptions", "organizations_url": api + "/orgs",
            "repos_url": api + "/repos", "events_url": api + "/events{/privacy}",
            "received_events_url": api + "/received_events", "type": "User", "user_view_type": "public",
            "site_admin": False,
        }

    def _label(self, repo, name):
        if name not in repo["labels"]:
            label_id = self._id()
            repo["labels"][name] = {"id": label_id, "node_id": "LA_kwDO%08d" % label_id, "name": name,
                                    "description": None, "color": "ededed", "default": False}
        return repo["labels"][name]

    def label(self, repo, label):
        return dict(label, url="%s/repos/%s/labels/%s" % (self.api, repo["full_name"], label["name"]))

    def _new_issue(self, repo, title, body, labels, state="open", created=None, user=None):
        with self.lock:
            number = repo["next"]
            repo["next"] += 1
            now = parse_time(created) if created else self.clock.now()
            issue = {"id": self._id(), "number": number, "title": title, "body": body or None, "state": state,
                     "labels": [self._label(repo, name) for name in labels], "created_at": now, "updated_at": now,
                     "closed_at": None if state == "open" else now, "login": user or self.login, "comments": 0,
                     "_comments": []}
            repo["issues"][number] = issue
            return issue

    def issue(self, repo, issue):
        """An issue as ``GET /repos/{owner}/{repo}/issues/{issue_number}`` answers it."""
        api = "%s/repos/%s" % (self.api, repo["full_name"])
        url = "%s/issues/%d" % (api, issue["number"])
        return {
            "id": issue["id"], "node_id": "I_kwDO%08d" % issue["id"], "url": url, "repository_url": api,
            "labels_url": url + "/labels{/name}", "comments_url": url + "/comments", "events_url": url + "/events",
            "html_url": "%s/%s/issues/%d" % (self.base_url, repo["full_name"], issue["number"]),
            "number": issue["number"], "state": issue["state"],
            "state_reason": None if issue["state"] == "open" else "completed", "title": issue["title"],
            "body": issue["body"], "user": self.user(issue["login"]),
            "labels": [self.label(repo, label) for label in issue["labels"]],
            "assignee": None, "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
            "comments": issue["comments"], "closed_at": stamp(issue["closed_at"]) if issue["closed_at"] else None,
            "created_at": stamp(issue["created_at"]), "updated_at": stamp(issue["updated_at"]), "closed_by": None,
            "author_association": "MEMBER", "timeline_url": url + "/timeline", "performed_via_github_app": None,
            "reactions": self.reactions(url + "/reactions"),
        }

    def comment(self, repo, issue, comment):
        url = "%s/repos/%s/issues/comments/%d" % (self.api, repo["full_name"], comment["id"])
        return {
            "id": comment["id"], "node_id": "IC_kwDO%08d" % comment["id"], "url": url, "body": comment["body"],
            "html_url": "%s/%s/issues/%d#issuecomment-%d" % (self.base_url, repo["full_name"], issue["number"], comment["id"]),
            "user": self.user(comment["login"]), "created_at": stamp(comment["created_at"]),
            "updated_at": stamp(comment["created_at"]),
            "issue_url": "%s/repos/%s/issues/%d" % (self.api, repo["full_name"], issue["number"]),
            "author_association": "MEMBER", "performed_via_github_app": None, "reactions": self.reactions(url + "/reactions"),
        }

    @staticmethod
    def reactions(url):
        return dict({key: 0 for key in ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")},
                    url=url, total_count=0)

    # --- requests ----------------------------------------------------------------------------------------------------

    def __call__(self, request):
        auth = request.headers.get("Authorization", "")
        scheme, _sep, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not secrets.compare_digest(token.strip(), self.token):
            return error(401, "Bad credentials")
        if request.method == "GET" and request.path.rstrip("/") == API:
            # the API root, outside the contract's extract: GitHub answers it with a map of its URL templates
            return json_response({"current_user_url": self.api + "/user",
                                  "issue_search_url": self.api + "/search/issues?q={query}{&page,per_page,sort,order}",
                                  "repository_url": self.api + "/repos/{owner}/{repo}"})
        operation, params, body, problems = self.contract.check_request(request)
        if problems:
            raise ContractViolation(self.refusal(operation, problems), "; ".join(str(p) for p in problems))
        self.check_limits(operation, body)
        args = dict(params)
        full_name = "%s/%s" % (args.pop("owner", ""), args.pop("repo", ""))
        repo = self.repositories.get(full_name)
        if repo is None and operation.key != "GET /search/issues":
            return error(404, "Not Found")
        handler = getattr(self, "ep_" + operation.method.lower() + operation.template.replace("/repos/{owner}/{repo}", "")
                          .replace("/{issue_number}", "_one").replace("/", "_").replace("{", "").replace("}", ""), None)
        if handler is None:  # an operation of the contract the lab does not serve: the real server would
            return error(404, "Not Found")
        return handler(request, repo, args, body)

    def check_answer(self, request, response):
        if response.status_code == 401:  # every operation answers it; the contract lists it for none of these
            return [] if json.loads(response.get_data(as_text=True)).get("message") else ["401 without a message"]
        return self.contract.check_answer(request, response)

    @staticmethod
    def check_limits(operation, body):
        """What GitHub refuses that its OpenAPI description does not say: a blank title, a body over 65536
        characters ({"resource": ..., "code": "custom", "field": "body", "message": "body is too long (maximum is
        65536 characters)"})."""
        if operation is None or operation.method not in ("POST", "PATCH") or not isinstance(body, dict):
            return
        resource = "IssueComment" if operation.template.endswith("/comments") else "Issue"
        if resource == "Issue" and "title" in body and not str(body.get("title") or "").strip():
            raise ContractViolation(error(422, "Validation Failed", errors=[
                {"resource": "Issue", "field": "title", "code": "missing_field"}]), "GitHub: a blank issue title")
        if isinstance(body.get("body"), str) and len(body["body"]) > 65536:
            raise ContractViolation(error(422, "Validation Failed", errors=[
                {"resource": resource, "code": "custom", "field": "body",
                 "message": "body is too long (maximum is 65536 characters)"}]),
                "GitHub: a body of %d characters (at most 65536)" % len(body["body"]))

    def refusal(self, operation, problems):
        """GitHub's own answer to a request its API refuses."""
        if operation is None or any(p.where == "path" for p in problems):
            return error(404, "Not Found")
        if any(p.code == "unparsable" for p in problems):
            return error(400, "Problems parsing JSON")
        resource = next((name for part, name in RESOURCES.items() if part in operation.template.split("/")[-2:]), "Issue")
        wrong_type = [p for p in problems if p.where == "body" and p.code == "invalid" and "is not of type" in p.message]
        if wrong_type and len(wrong_type) == len(problems):
            # GitHub's JSON-schema check of a body: "Invalid request.\n\nFor 'properties/labels', "x" is not an array."
            lines = ["For 'properties/%s', %s is not %s." % (
                "/items/".join(problem.field.split(".")), json.dumps(problem.instance),
                JSON_TYPES.get(problem.message.rsplit("'", 2)[-2], "valid")) for problem in wrong_type]
            return error(422, "Invalid request.\n\n" + "\n".join(lines))
        errors = []
        for problem in problems:
            item = {"resource": resource, "field": problem.field.split(".")[0] if problem.field else "", "code": problem.code}
            if problem.code == "invalid" and isinstance(problem.value, (str, int)) and not isinstance(problem.value, bool):
                item["value"] = problem.value
            errors.append(item)
        return error(422, "Validation Failed", errors=errors)

    def page(self, request, items):
        """One page of ``items`` and its ``Link`` header (every query parameter kept, ``page`` changed)."""
        per_page = max(1, min(int(request.args.get("per_page") or 30), 100))
        page = max(int(request.args.get("page") or 1), 1)
        last = max(1, -(-len(items) // per_page))
        links = []

        def link(number, rel):
            query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(number))]
            links.append('<%s%s?%s>; rel="%s"' % (self.base_url, request.path, urlencode(query), rel))

        if page > 1:
            link(page - 1, "prev")
        if page < last:
            link(page + 1, "next")
            link(last, "last")
        if page > 1:
            link(1, "first")
        headers = {"Link": ", ".join(links)} if links else {}
        return json_response(items[(page - 1) * per_page: page * per_page], headers=headers)

    def _issue_or_404(self, repo, number):
        issue = repo["issues"].get(number)
        return issue, (None if issue is not None else error(404, "Not Found"))

    def _labels_for(self, repo, labels):
        """The names of the labels a request sets (strings or objects); none without push access."""
        if not self.push_access:
            return []
        names = [label if isinstance(label, str) else label.get("name") for label in labels or []]
        return [name for name in names if name]

    # --- contents --------------------------------------------------------------------------------------------------

    def _entry(self, repo, path, data=None):
        """The contract's description of a file (with ``content`` when ``data`` is given) or of a directory."""
        base = "%s/repos/%s/contents/%s" % (self.api, repo["full_name"], path)
        html = "%s/%s/blob/main/%s" % (self.base_url, repo["full_name"], path)
        name = path.rsplit("/", 1)[-1]
        if path in repo["files"]:
            stored = repo["files"][path]
            entry = {"type": "file", "size": len(stored), "name": name, "path": path, "sha": blob_sha(stored),
                     "url": base, "git_url": "%s/repos/%s/git/blobs/%s" % (self.api, repo["full_name"], blob_sha(stored)),
                     "html_url": html, "download_url": "%s/raw/%s/main/%s" % (self.base_url, repo["full_name"], path)}
            entry["_links"] = {"git": entry["git_url"], "html": html, "self": base}
            if data is not None:
                # GitHub's base64 breaks its lines every 60 characters
                encoded = base64.b64encode(data).decode("ascii")
                entry.update(content="\n".join(encoded[i:i + 60] for i in range(0, len(encoded), 60)) + "\n",
                             encoding="base64")
            return entry
        return {"type": "dir", "size": 0, "name": name, "path": path, "sha": hashlib.sha1(path.encode()).hexdigest(),
                "url": base, "git_url": None, "html_url": html, "download_url": None,
                "_links": {"git": None, "html": html, "self": base}}

    def _commit(self, message):
        sha = secrets.token_hex(20)
        when = stamp(self.clock.now())
        who = {"name": self.login, "email": "%s@users.noreply.github.example" % self.login, "date": when}
        return {"sha": sha, "node_id": "C_" + sha[:20], "url": "%s/repos/commits/%s" % (self.api, sha), "author": who,
                "committer": who, "message": message, "tree": {"url": self.api, "sha": secrets.token_hex(20)},
                "parents": [], "verification": {"verified": False, "reason": "unsigned", "signature": None,
                                                "payload": None, "verified_at": None}}

    def ep_get_contents_path(self, request, repo, args, _body):
        path = args["path"].strip("/")
        # the object media type (what the contract describes) or GitHub's default JSON (a directory as an array),
        # which the contract's extract does not hold: the answer check then counts it against the client
        whole = OBJECT in request.headers.get("Accept", "")
        kind = OBJECT if whole else "application/json"
        with self.lock:
            files = repo["files"]
            if path in files:
                return json_response(self._entry(repo, path, files[path]), content_type=kind)
            below = sorted({p[len(path) + 1:].split("/", 1)[0] for p in files if p.startswith(path + "/")})
            if not below:
                return error(404, "Not Found")
            entries = [self._entry(repo, "%s/%s" % (path, name)) for name in below]
            if not whole:
                return json_response(entries)
            answer = self._entry(repo, path)
            answer["entries"] = entries
            return json_response(answer, content_type=OBJECT)

    def ep_put_contents_path(self, request, repo, args, body):
        path = args["path"].strip("/")
        try:
            data = base64.b64decode(body["content"], validate=True)
        except ValueError:
            return error(422, "Validation Failed", errors=[{"resource": "Commit", "field": "content", "code": "invalid"}])
        with self.lock:
            current = repo["files"].get(path)
            if current is not None and "sha" not in body:
                return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
            if body.get("sha") is not None and (current is None or body["sha"] != blob_sha(current)):
                if current is None:
                    return error(404, "Not Found")
                return error(409, "%s does not match %s" % (path, body["sha"]))
            repo["files"][path] = data
            answer = {"content": self._entry(repo, path), "commit": self._commit(body["message"])}
        return json_response(answer, status=200 if current is not None else 201)

    def ep_delete_contents_path(self, request, repo, args, body):
        path = args["path"].strip("/")
        with self.lock:
            current = repo["files"].get(path)
            if current is None:
                return error(404, "Not Found")
            if body["sha"] != blob_sha(current):
                return error(409, "%s does not match %s" % (path, body["sha"]))
            del repo["files"][path]
            return json_response({"content": None, "commit": self._commit(body["message"])})

    # --- issues ------------------------------------------------------------------------------------------------------

    def ep_get_issues(self, request, repo, args, _body):
        state = args.get("state", "open")
        labels = [name.strip() for name in (args.get("labels") or "").split(",") if name.strip()]
        since = parse_time(args["since"]) if args.get("since") else None
        items = []
        for issue in repo["issues"].values():
            if state != "all" and issue["state"] != state:
                continue
            if any(label not in [mine["name"] for mine in issue["labels"]] for label in labels):
                continue
            if args.get("creator") and issue["login"] != args["creator"]:
                continue
            if args.get("assignee") not in (None, "none", "*"):
                continue  # the lab never assigns
            if args.get("assignee") == "*":
                continue
            if since is not None and issue["updated_at"] < since:
                continue
            items.append(issue)
        key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[args.get("sort", "created")]
        items.sort(key=lambda i: (i[key], i["number"]),
                   reverse=args.get("direction", "desc") == "desc")
        return self.page(request, [self.issue(repo, issue) for issue in items])

    def ep_post_issues(self, request, repo, args, body):
        labels = self._labels_for(repo, body.get("labels"))
        issue = self._new_issue(repo, str(body["title"]), body.get("body"), labels)
        answer = self.issue(repo, issue)
        return json_response(answer, status=201, headers={"Location": answer["url"]})

    def ep_get_issues_one(self, request, repo, args, _body):
        issue, missing = self._issue_or_404(repo, args["issue_number"])
        return missing or json_response(self.issue(repo, issue))

    def ep_patch_issues_one(self, request, repo, args, body):
        issue, missing = self._issue_or_404(repo, args["issue_number"])
        if missing:
            return missing
        with self.lock:
            if body.get("title") is not None:
                issue["title"] = str(body["title"])
            if "body" in body:
                issue["body"] = body["body"]
            if body.get("state") in ("open", "closed") and body["state"] != issue["state"]:
                issue["state"] = body["state"]
                issue["closed_at"] = self.clock.now() if body["state"] == "closed" else None
            if "labels" in body and self.push_access:
                issue["labels"] = [self._label(repo, name) for name in self._labels_for(repo, body["labels"])]
            issue["updated_at"] = self.clock.now()
        return json_response(self.issue(repo, issue))

    def ep_get_issues_one_comments(self, request, repo, args, _body):
        issue, missing = self._issue_or_404(repo, args["issue_number"])
        if missing:
            return missing
        since = parse_time(args["since"]) if args.get("since") else None
        comments = [c for c in issue["_comments"] if since is None or c["created_at"] >= since]
        return self.page(request, [self.comment(repo, issue, c) for c in comments])

    def ep_post_issues_one_comments(self, request, repo, args, body):
        issue, missing = self._issue_or_404(repo, args["issue_number"])
        if missing:
            return missing
        with self.lock:
            comment = {"id": self._id(), "body": body["body"], "login": self.login, "created_at": self.clock.now()}
            issue["_comments"].append(comment)
            issue["comments"] += 1
            issue["updated_at"] = comment["created_at"]
        answer = self.comment(repo, issue, comment)
        return json_response(answer, status=201, headers={"Location": answer["url"]})

    def ep_get_labels(self, request, repo, args, _body):
        return self.page(request, [self.label(repo, label) for label in repo["labels"].values()])

    def ep_get_search_issues(self, request, _repo, args, _body):
        """``q``: words (in the title or body) and the qualifiers ``repo:``, ``is:``/``state:``, ``label:``, ``in:title``."""
        words, where, wanted = [], ("title", "body"), {}
        for token in _split_query(args["q"]):
            key, sep, value = token.partition(":")
            if sep and key in ("repo", "is", "state", "label", "in", "type", "author"):
                wanted.setdefault(key, []).append(value.strip('"'))
            else:
                words.append(token.strip('"').lower())
        if "title" in wanted.get("in", []):
            where = ("title",)
        items = []
        for full_name, repo in self.repositories.items():
            if wanted.get("repo") and full_name not in wanted["repo"]:
                continue
            for issue in repo["issues"].values():
                states = [v for v in wanted.get("is", []) + wanted.get("state", []) if v in ("open", "closed")]
                if states and issue["state"] not in states:
                    continue
                if any(label not in [mine["name"] for mine in issue["labels"]] for label in wanted.get("label", [])):
                    continue
                if wanted.get("author") and issue["login"] not in wanted["author"]:
                    continue
                text = " ".join((issue.get(field) or "") for field in where).lower()
                if all(word in text for word in words):
                    items.append(dict(self.issue(repo, issue), score=1.0))
        per_page = max(1, min(int(args.get("per_page") or 30), 100))
        page = max(int(args.get("page") or 1), 1)
        return json_response({"total_count": len(items), "incomplete_results": False, "search_type": "lexical",
                              "items": items[(page - 1) * per_page: page * per_page]})


OBJECT = "application/vnd.github.object"


def blob_sha(data):
    """The git blob id of ``data`` (what GitHub's contents API calls a file's ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _split_query(text):
    """Search words, keeping "quoted phrases" (and qualifier:"quoted values") together."""
    out, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
            current += char
        elif char.isspace() and not quoted:
            if current:
                out.append(current)
            current = ""
        else:
            current += char
    if current:
        out.append(current)
    return out
