"""A connection to a live Jira site: credentials from the environment, paged GETs
through the `jira` client, rate limits honoured, failures as one clear line.

Credentials come only from the environment and are handed straight to the client's
session; they are never part of a message, a log line, an exception or the store.
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from jira import JIRA, JIRAError

from backlog_health.errors import BacklogHealthError

RETRY_STATUSES = frozenset({429, 503})
MAX_ATTEMPTS = 6  # one request plus five retries
MAX_WAIT_SECONDS = 120.0  # a longer Retry-After is treated as "give up"
FIRST_BACKOFF_SECONDS = 2.0  # doubled per retry when the server names no wait
REQUEST_TIMEOUT_SECONDS = 60.0

log = logging.getLogger(__name__)


class JiraAccessError(BacklogHealthError):
    """Jira could not be reached or refused the request (`status`: the HTTP status, if any)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class JiraCredentials:
    """Basic auth (Cloud: email + API token) or a bearer personal access token (Data Center)."""

    kind: str  # "cloud" or "data-center"
    user: str | None = None
    secret: str = field(default="", repr=False)  # never printed

    def __str__(self) -> str:
        return f"{self.kind} credentials" + (f" for {self.user}" if self.user else "")


def credentials_from_env(env: Mapping[str, str] | None = None) -> JiraCredentials:
    """`JIRA_EMAIL` + `JIRA_API_TOKEN` (Cloud) or `JIRA_PAT` (Data Center)."""
    env = os.environ if env is None else env
    email_address, token, pat = (env.get(name, "").strip() for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT"))
    if email_address and token:
        return JiraCredentials("cloud", email_address, token)
    if pat:
        return JiraCredentials("data-center", None, pat)
    if email_address or token:
        missing = "JIRA_API_TOKEN" if email_address else "JIRA_EMAIL"
        raise JiraAccessError(f"{missing} is not set; Jira Cloud needs both JIRA_EMAIL and JIRA_API_TOKEN")
    raise JiraAccessError(
        "no Jira credentials in the environment: set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) "
        "or JIRA_PAT (Jira Data Center)"
    )


def server_url(value: str | None, env: Mapping[str, str] | None = None) -> str:
    """The site's base URL from `--server` or `JIRA_SERVER`, refusing credentials in it."""
    env = os.environ if env is None else env
    url = (value or env.get("JIRA_SERVER", "")).strip().rstrip("/")
    if not url:
        raise JiraAccessError("no Jira site given: pass --server URL or set JIRA_SERVER")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise JiraAccessError("--server: expected a URL like https://your-site.atlassian.net")
    if parts.username or parts.password:
        raise JiraAccessError(
            "--server: the URL must not carry a user name or password; put credentials in "
            "JIRA_EMAIL and JIRA_API_TOKEN, or JIRA_PAT"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class JiraSite:
    """Paged GETs against one Jira site, retried on 429/503 as Jira documents."""

    def __init__(
        self,
        url: str,
        credentials: JiraCredentials,
        *,
        notice: Callable[[str], None] = lambda message: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.notice = notice
        self.sleep = sleep
        auth: dict[str, Any] = (
            {"basic_auth": (credentials.user, credentials.secret)}
            if credentials.kind == "cloud"
            else {"token_auth": credentials.secret}
        )
        # The client's own retries are off (max_retries=0): retries happen here, per
        # request, so that 503 without Retry-After and HTTP-date Retry-After are handled too.
        self.client = JIRA(
            server=url, get_server_info=False, max_retries=0, timeout=REQUEST_TIMEOUT_SECONDS, **auth
        )
        self.api_version = "2"  # serverInfo answers on v2 everywhere; Cloud then switches to v3
        try:
            deployment = self.get("serverInfo", what="the server info").get("deploymentType")
        except JiraAccessError as error:
            if error.status != 404:
                raise
            deployment = "Cloud" if credentials.kind == "cloud" else "Server"  # a proxy hiding serverInfo
        self.cloud = deployment == "Cloud"
        self.client.deploymentType = deployment
        self.api_version = "3" if self.cloud else "2"

    def get(self, path: str, params: dict[str, Any] | None = None, *, agile: bool = False, what: str = "") -> Any:
        """GET one resource (`path` under /rest/api/N/ or /rest/agile/1.0/) as parsed JSON."""
        base = self.client.AGILE_BASE_URL if agile else self.client.JIRA_BASE_URL
        options = {} if agile else {"rest_api_version": self.api_version}
        url = base.format(**{**self.client._options, **options}, path=path)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.client._session.get(url, params=params)
                return response.json()
            except JIRAError as error:
                status = error.status_code
                headers = error.response.headers if error.response is not None else {}
                if status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                    raise JiraAccessError(self._explain(status, error, what or path, attempt), status) from None
                wait = retry_wait(headers.get("Retry-After"), attempt)
                if wait is None:
                    raise JiraAccessError(
                        f"{self.url}: Jira asked to wait {headers.get('Retry-After')} s (HTTP {status}), longer "
                        f"than the {MAX_WAIT_SECONDS:.0f} s this job waits; try again later"
                    ) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == MAX_ATTEMPTS:
                    raise JiraAccessError(
                        f"{self.url}: no answer after {attempt} attempts ({type(error).__name__}); "
                        "check the URL and the network"
                    ) from None
                status, wait = None, retry_wait(None, attempt)
            except ValueError:
                raise JiraAccessError(
                    f"{self.url}: the answer to {what or path} was not JSON; is this the site's base URL?"
                ) from None
            reason = f"HTTP {status}" if status else "no answer"
            self.notice(f"Jira is busy ({reason}); waiting {wait:.0f} s, then retrying ({attempt}/{MAX_ATTEMPTS - 1})")
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _explain(self, status: int | None, error: JIRAError, what: str, attempt: int) -> str:
        if status == 401:
            return (
                f"{self.url}: Jira rejected the credentials (HTTP 401); check JIRA_EMAIL and JIRA_API_TOKEN "
                "(Cloud) or JIRA_PAT (Data Center)"
            )
        if status == 403:
            return f"{self.url}: no permission to read {what} (HTTP 403); ask a Jira admin for browse access"
        if status == 404:
            return f"{self.url}: no such {what} (HTTP 404), or no permission to see it"
        if status == 410:
            return f"{self.url}: {what} is gone on this site (HTTP 410)"
        if status in RETRY_STATUSES:
            return f"{self.url}: Jira still answered HTTP {status} after {attempt} attempts; try again later"
        detail = _server_message(error)
        return f"{self.url}: Jira answered HTTP {status} to {what}" + (f": {detail}" if detail else "")


def retry_wait(retry_after: str | None, attempt: int) -> float | None:
    """Seconds to wait before retry number `attempt`: the server's Retry-After (seconds or
    an HTTP date) when given, else exponential back-off; None when the wait is too long."""
    if retry_after:
        value = retry_after.strip()
        if value.replace(".", "", 1).isdigit():
            wait = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is None:
                wait = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
            else:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                wait = max(0.0, (when - datetime.now(UTC)).total_seconds())
        return wait if wait <= MAX_WAIT_SECONDS else None
    return min(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_WAIT_SECONDS)


def _server_message(error: JIRAError) -> str:
    """The server's own error text, shortened (it never carries our credentials)."""
    text = " ".join(str(error.text or "").split())
    return text[:200]
