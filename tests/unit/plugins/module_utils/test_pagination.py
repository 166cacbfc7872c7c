"""Pagination in the transport: RFC 5988 Link pages (GitHub) and offset/limit pages (PagerDuty), served for real."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import GitHubClient
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.pagerduty import PagerDutyClient
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import (
    ALLOW_HTTP_ENV,
    ApiError,
    UnexpectedResponseError,
    next_link,
)

COMMENTS = [{"id": n, "body": "comment %d" % n} for n in range(1, 251)]  # 3 pages of 100
INCIDENTS = [{"id": "P%d" % n, "status": "triggered"} for n in range(1, 8)]


class Api(BaseHTTPRequestHandler):
    """GitHub's comments (``page``/``per_page`` and a Link header keeping the query) and PagerDuty's incidents
    (``offset``/``limit`` and ``more``)."""

    seen = []
    link_host = None  # a Link header pointing elsewhere when set

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        type(self).seen.append(self.path)
        if url.path == "/repos/o/r/issues/7/comments":
            per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
            items = COMMENTS[(page - 1) * per_page: page * per_page]
            headers = {}
            if page * per_page < len(COMMENTS):
                host = self.link_host or "http://%s:%d" % self.server.server_address
                headers["Link"] = '<%s%s?per_page=%d&page=%d>; rel="next", <%s%s?page=1>; rel="first"' % (
                    host, url.path, per_page, page + 1, host, url.path)
            return self.answer(200, items, headers)
        if url.path == "/incidents":
            offset, limit = int(query["offset"]), int(query["limit"])
            items = INCIDENTS[offset: offset + limit]
            return self.answer(200, {"incidents": items, "more": offset + limit < len(INCIDENTS),
                                     "offset": offset, "limit": limit})
        return self.answer(404, {"message": "Not Found"})

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv(ALLOW_HTTP_ENV, "127.0.0.1")
    Api.seen, Api.link_host = [], None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_github_issue_comments_are_read_on_every_page(api):
    with GitHubClient(api, "t0ken", "o/r", timeout=5, retries=0) as client:
        comments = client.list_comments(7)
    assert [c["id"] for c in comments] == list(range(1, 251))
    assert [p.split("?", 1)[1] for p in Api.seen] == ["per_page=100", "per_page=100&page=2", "per_page=100&page=3"]


def test_a_link_that_leaves_the_api_is_refused(api):
    Api.link_host = "https://elsewhere.example"
    with GitHubClient(api, "t0ken", "o/r", timeout=5, retries=0) as client:
        with pytest.raises(UnexpectedResponseError) as err:
            client.list_comments(7)
    assert "points away from" in str(err.value) and len(Api.seen) == 1


def test_pagerduty_incidents_are_read_by_offset_until_no_more(api):
    with PagerDutyClient(api, api_url=api, api_token="tok", timeout=5, retries=0) as client:
        incidents = client._incidents({}, limit=3)
    assert [i["id"] for i in incidents] == ["P%d" % n for n in range(1, 8)]
    assert [parse_qs(urlsplit(p).query)["offset"] for p in Api.seen] == [["0"], ["3"], ["6"]]


def test_offset_pages_stop_at_a_list_that_never_ends(api):
    with PagerDutyClient(api, api_url=api, api_token="tok", timeout=5, retries=0) as client:
        with pytest.raises(ApiError) as err:
            client._incidents({}, max_pages=2, limit=3)
    assert "more than 2 pages of incidents" in str(err.value)


@pytest.mark.parametrize("header, url", [
    ('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"', "https://a/x?page=2"),
    ('<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel=next', "https://a/x?page=3"),
    ('<https://a/x?page=1>; rel="first"', None),
    (None, None),
])
def test_next_link(header, url):
    assert next_link(header) == url
