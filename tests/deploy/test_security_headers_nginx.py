"""The shipped nginx configuration (deploy/nginx.conf.template via deploy/cluster.py),
run by a real nginx in front of a stand-in upstream (issue 12, items 1 and 11):

* coordinator mode forbids framing every page (X-Frame-Options DENY, CSP
  frame-ancestors 'none'); viewer mode allows its own origin, or the origins configured
  for public embedding;
* /_stcore/metrics is not served (nginx answers 404 without asking the app);
* the access log holds neither the session id of an upload URL nor any query string.

The stand-in upstream answers every request with 200 "upstream", so a 404 can only
come from nginx and the headers only from the configuration.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy.cluster import free_port, nginx_config
from tests.conftest import require_or_skip


def _nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(path).exists():
        require_or_skip("nginx is not installed (apt-get install -y nginx)")
    return path


class _Upstream(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"upstream"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def run_nginx(tmp_path):
    binary = _nginx()
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    started: list[subprocess.Popen] = []

    def start(mode: str, frame_ancestors: str | None = None) -> tuple[int, Path]:
        prefix = tmp_path / f"nginx-{mode}-{len(started)}"
        prefix.mkdir()
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix=prefix, listen=f"127.0.0.1:{port}",
                                     ports=[upstream.server_address[1]], mode=mode,
                                     max_upload_mb=5, frame_ancestors=frame_ancestors))
        proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-e",
                                 str(prefix / "error.log")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
                return port, prefix
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(10)
    upstream.shutdown()


def request(port: int, method: str, path: str, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_coordinator_mode_forbids_framing_every_page(run_nginx):
    port, _ = run_nginx("coordinator")
    for path in ("/", "/Coordinator", "/Presence?v=1", "/static/js/main.js"):
        status, headers, _ = request(port, "GET", path)
        assert status == 200, path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["content-security-policy"] == "frame-ancestors 'none'", path


def test_viewer_mode_is_embeddable_by_configuration(run_nginx):
    port, _ = run_nginx("viewer")
    _, headers, _ = request(port, "GET", "/Presence")
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    port, _ = run_nginx("viewer", "'self' https://partner.example.org")
    _, headers, _ = request(port, "GET", "/Presence")
    assert headers["content-security-policy"] == (
        "frame-ancestors 'self' https://partner.example.org")
    assert "x-frame-options" not in headers


@pytest.mark.parametrize("mode", ["coordinator", "viewer"])
def test_metrics_are_closed(run_nginx, mode):
    port, _ = run_nginx(mode)
    for path in ("/_stcore/metrics", "/_stcore/metrics?x=1", "/_stcore/metrics/"):
        status, _, body = request(port, "GET", path)
        assert status == 404 and body != b"upstream", path
    assert request(port, "GET", "/_stcore/health")[2] == b"upstream"


def test_access_log_holds_no_session_id_and_no_query(run_nginx):
    port, prefix = run_nginx("coordinator")
    session = "5e551on-1d-0f-the-v1ct1m"
    request(port, "PUT", f"/_stcore/upload_file/{session}/file-1d-42?token=s3cret", b"x" * 10)
    request(port, "GET", f"/_stcore/upload_file/{session}")
    request(port, "GET", "/Work_plan?v=1&secret=q5tr1ng")
    time.sleep(0.5)
    log = (prefix / "access.log").read_text()
    assert log.count("/_stcore/upload_file/-") == 2
    assert "/Work_plan " in log
    for secret in (session, "file-1d-42", "s3cret", "q5tr1ng", "?"):
        assert secret not in log, secret
