"""A local HTTP server that answers like Jira Cloud or Data Center, for ingest tests.

It follows Jira's documented behaviour: Cloud pages /rest/api/3/search/jql with an opaque
`nextPageToken` (absent on the last page, no `total`) and answers 410 to the old
/search; Data Center pages /rest/api/2/search with `startAt`/`total`; the agile API pages
with `startAt`/`maxResults` plus `isLast` (lists) or `total` (issues), and may serve
fewer items per page than asked for. Faults (429 with Retry-After, 503, 401...) are
injected per path for a number of requests.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.jira_recordings import Site

EMAIL, TOKEN, PAT = "person01@example.com", "cloud-token-Zx81-secret", "dc-pat-Qw93-secret"


@dataclass
class Fault:
    """Answer `status` (with `headers`) to the next `times` requests whose path contains `path`."""

    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class FakeJira:
    site: Site
    cloud: bool = True
    search_page: int = 4  # the most issues per search page, whatever the client asks
    agile_page: int = 5  # the most values per agile page
    changelog_page: int = 40  # the most histories per /issue/{key}/changelog page
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeJira:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    # -- answers -------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, dict, Any]:
        self.requests.append((path, query))
        for fault in self.faults:
            if fault.path in path and fault.times > 0:
                fault.times -= 1
                return fault.status, fault.headers, {"errorMessages": [f"fault {fault.status}"], "errors": {}}
        if not self._authorised(auth):
            message = "You are not authenticated. Authentication required to perform this operation."
            return 401, {}, {"errorMessages": [message], "errors": {}}
        one = {k: v[0] for k, v in query.items()}
        if m := re.fullmatch(r"/rest/api/([23])/serverInfo", path):
            return 200, {}, self._server_info()
        if re.fullmatch(r"/rest/api/([23])/field", path):
            return 200, {}, self.site.fields
        if re.fullmatch(r"/rest/api/([23])/status", path):
            return 200, {}, self.site.statuses
        if re.fullmatch(r"/rest/api/([23])/issueLinkType", path):
            return 200, {}, {"issueLinkTypes": self.site.link_types}
        if m := re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)/changelog", path):
            return self._changelog(m.group(1), one)
        if m := re.fullmatch(r"/rest/api/([23])/search(/jql)?", path):
            return self._search(m.group(1), bool(m.group(2)), one)
        if m := re.fullmatch(r"/rest/agile/1\.0/board/(\d+)(/.*)?", path):
            return self._agile(int(m.group(1)), m.group(2) or "", one)
        return 404, {}, {"errorMessages": ["Not found"], "errors": {}}

    def _authorised(self, auth: str | None) -> bool:
        basic = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        return auth == (basic if self.cloud else f"Bearer {PAT}")

    def _server_info(self) -> dict:
        if self.cloud:
            return {"baseUrl": self.url, "version": "1001.0.0-SNAPSHOT", "versionNumbers": [1001, 0, 0],
                    "deploymentType": "Cloud", "buildNumber": 100280, "serverTitle": "Jira"}
        return {"baseUrl": self.url, "version": "9.12.15", "versionNumbers": [9, 12, 15],
                "deploymentType": "Server", "buildNumber": 9120015, "serverTitle": "Jira"}

    def _search(self, version: str, jql_endpoint: bool, q: dict[str, str]) -> tuple[int, dict, Any]:
        issues = [self._as_v(version, i, q.get("fields"), q.get("expand")) for i in self.site.issues]
        if self.cloud and not jql_endpoint:
            message = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
            return 410, {}, {"errorMessages": [message]}
        if not self.cloud and jql_endpoint:
            return 404, {}, {"errorMessages": ["null for uri: " + self.url]}
        size = min(int(q.get("maxResults", 50)), self.search_page)
        if jql_endpoint:
            start = int(base64.b64decode(q["nextPageToken"]).decode()) if q.get("nextPageToken") else 0
            page = {"issues": issues[start : start + size]}
            if start + size < len(issues):
                page["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
            page["isLast"] = "nextPageToken" not in page
            return 200, {}, page
        start = int(q.get("startAt", 0))
        return 200, {}, {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(issues),
                         "issues": issues[start : start + size]}

    def _changelog(self, key: str, q: dict[str, str]) -> tuple[int, dict, Any]:
        """Cloud's /issue/{key}/changelog: oldest first, `startAt`/`maxResults`, `isLast`."""
        issue = next((i for i in self.site.issues if i["key"] == key), None)
        if issue is None:
            return 404, {}, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
        histories = (issue.get("changelog") or {}).get("histories") or []
        start, size = int(q.get("startAt", 0)), min(int(q.get("maxResults", 100)), self.changelog_page)
        return 200, {}, {"startAt": start, "maxResults": size, "total": len(histories),
                         "isLast": start + size >= len(histories), "values": histories[start : start + size]}

    def _as_v(self, version: str, issue: dict, fields: str | None, expand: str | None = None) -> dict:
        """An issue as API v2 (wiki text) or v3 (ADF) serves it; Cloud search/jql sends
        only the id unless fields are asked for. With `expand=changelog`, Cloud embeds the
        newest 100 histories (newest first) with the full `total`; Data Center all of them."""
        if self.cloud and not fields:
            return {"id": issue["id"]}
        issue = copy.deepcopy(issue)
        histories = (issue.pop("changelog", None) or {}).get("histories") or []
        if expand and "changelog" in expand:
            shown = list(reversed(histories))[: 100 if self.cloud else None]
            issue["changelog"] = {"startAt": 0, "maxResults": len(shown), "total": len(histories),
                                  "histories": shown}
        if version == "2":
            for name, value in list(issue["fields"].items()):
                if isinstance(value, dict) and value.get("type") == "doc":
                    issue["fields"][name] = "\n".join(
                        t["text"] for p in value["content"] for t in p.get("content", []) if "text" in t
                    )
        return issue

    def _agile(self, board: int, rest: str, q: dict[str, str]) -> tuple[int, dict, Any]:
        if board != self.site.board["id"]:
            return 404, {}, {"errorMessages": ["Board does not exist or you do not have permission to see it."],
                             "errors": {}}
        if rest == "":
            return 200, {}, self.site.board
        version = "3" if self.cloud else "2"
        start = int(q.get("startAt", 0))
        size = min(int(q.get("maxResults", 50)), self.agile_page)
        kanban = self.site.board.get("type") == "kanban"
        if rest == "/sprint" and kanban:
            return 400, {}, {"errorMessages": ["The board does not support sprints"], "errors": {}}
        if rest == "/backlog" and kanban:
            return 400, {}, {"errorMessages": ["The board does not have the backlog enabled"], "errors": {}}
        if rest == "/sprint":
            values = self.site.sprints[start : start + size]
            return 200, {}, {"maxResults": size, "startAt": start, "isLast": start + size >= len(self.site.sprints),
                             "values": values}
        if m := re.fullmatch(r"/sprint/(\d+)/issue", rest):
            issues = self.site.sprint_issues(int(m.group(1)))
        elif rest == "/backlog":
            issues = self.site.backlog_issues()
        elif rest == "/issue":
            issues = self.site.issues
        else:
            return 404, {}, {"errorMessages": ["Not found"], "errors": {}}
        return 200, {}, {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(issues),
                         "issues": [self._as_v(version, i, "*all", q.get("expand")) for i in issues[start : start + size]]}


def _handler(jira: FakeJira) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, headers, body = jira.answer(parts.path, parse_qs(parts.query), self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler
