"""`backlog-health check`: thresholds for cron and CI, and the summary sent through Apprise to a
local HTTP receiver (never a real service)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from backlog_health.cli import app
from backlog_health.errors import InputError
from backlog_health.metrics.thresholds import parse_thresholds


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def check(runner, demo_db, *extra):
    return run(runner, "check", "--backlog", "CHECKOUT", "--db", demo_db, *extra)


def ready_ratio(runner, demo_db) -> float:
    data = json.loads(run(runner, "metrics", "--backlog", "CHECKOUT", "--json", "--db", demo_db).stdout)
    return data["readiness"]["ratio"]


@pytest.fixture
def receiver():
    """A local HTTP server recording the JSON bodies posted to it; yields (port, received)."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def test_thresholds_met_exit_0_with_the_summary(runner, demo_db):
    result = check(runner, demo_db, "--fail-under", "ready=0,estimated_near=0%")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("CHECKOUT: ") and "not ready" in result.stdout


def test_a_missed_threshold_exits_1_with_one_line_per_miss(runner, demo_db):
    ratio = ready_ratio(runner, demo_db)
    assert ratio < 1
    result = check(runner, demo_db, "--fail-under", "ready=1.0", "--fail-under", "estimated=0")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"missed: ready share of the near term {ratio:.0%} is under 100%"]


@pytest.mark.parametrize("text, expected", [
    ("bogus=1", "NAME one of ready"), ("ready", "NAME one of ready"), ("ready=lots", 'got "lots"'),
    ("ready=120%", "is a share"),
])
def test_bad_thresholds_are_one_line(runner, demo_db, text, expected):
    result = check(runner, demo_db, "--fail-under", text)
    assert result.exit_code == 1 and expected in result.stderr and len(result.stderr.splitlines()) == 1
    with pytest.raises(InputError):
        parse_thresholds([text])


def test_parse_thresholds_reads_shares_and_percentages():
    assert parse_thresholds(["ready=0.8,estimated_near=90%", "ready_sprints=1.5"]) == {
        "ready": 0.8, "estimated_near": 0.9, "ready_sprints": 1.5,
    }


def test_the_summary_is_sent_to_the_receiver(runner, demo_db, receiver):
    port, received = receiver
    result = check(runner, demo_db, "--fail-under", "ready=1.0", "--notify", f"json://127.0.0.1:{port}/hook")
    assert result.exit_code == 1, result.output
    assert len(received) == 1
    message = received[0]
    assert message["title"] == "Backlog health CHECKOUT: 1 threshold missed"
    body = message["message"]
    assert "ready share of the near term" in body
    assert result.stdout.strip() in body  # the agenda's summary line
    agenda = json.loads(run(runner, "agenda", "--backlog", "CHECKOUT", "--json", "--db", demo_db).stdout)
    first = agenda["not_ready"][0]
    assert f"- {first['key']} (rank {first['rank_position']}): {'; '.join(first['reasons'])}" in body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_receiver_is_one_line(runner, demo_db):
    port = free_port()  # nothing listens there
    result = check(runner, demo_db, "--notify", f"json://127.0.0.1:{port}/hook")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: --notify: json://127.0.0.1:{port}/hook did not take the notification (unreachable or refused)"
    ]


def test_an_unknown_url_is_one_line_without_its_secret(runner, demo_db):
    result = check(runner, demo_db, "--notify", "nosuchservice://token-s3cret@host")
    assert result.exit_code == 1
    assert result.stderr.startswith('error: --notify: "nosuchservice://..." is not a notification URL')
    assert "s3cret" not in result.output and "Traceback" not in result.output
