"""The running server's own defences, probed over HTTP and WebSocket (no browser).

One server is started from a temporary copy of the app (app.py, the shipped
``.streamlit/config.toml``, links to ``maaor/``, ``pages/`` and ``data/``) whose
``.streamlit/secrets.toml`` holds a canary string, with a small
``--server.maxUploadSize`` so the upload limits are cheap to reach. It checks:

* an upload without the XSRF cookie and header is refused (403); with them it works;
* an upload over the limit is refused (413), with or without a Content-Length;
* uploads near the limit into one signed-in coordinator session stop at the session's
  file budget (10 files, then 413) and grow the server's memory by no more than the
  budget plus slack. Since issue 12 only a signed-in coordinator session may upload at
  all (``maaor.ui.serverguard``; anonymous sessions are tested in
  ``test_security_holes_e2e.py``), so these tests sign in first;
* a WebSocket from another origin is refused with the shipped configuration;
* path probes for ``secrets.toml`` (``..``, encoded, double-encoded) never return the
  canary, nor ``/etc/passwd``.

The coordinator sign-in throttle (per client: 5 wrong passwords lock that client out,
never another one) is tested in ``tests/ui/test_coordinator_apptest.py`` and, counted
atomically across processes, in ``tests/store/test_signin_throttle.py``.
"""

from __future__ import annotations

import http.client
import os
import secrets
import time
import urllib.request
from pathlib import Path

import pytest

from maaor.auth import hash_password
from tests.e2e.appcopy import start_copy, stop
from tests.e2e.protocol import Browser

pytestmark = pytest.mark.browser

UPLOAD_LIMIT_MB = 2
LIMIT = UPLOAD_LIMIT_MB * 1024 * 1024
CANARY = "canary-" + secrets.token_hex(8)
PASSWORD = "http-security-password"


@pytest.fixture(scope="module")
def hardened(tmp_path_factory, chromium_path):
    """(process, base URL) of a server with a canary secret and a 2 MB upload limit."""
    tmp = tmp_path_factory.mktemp("http-security")
    (tmp / "secrets.toml").write_text(f'canary = "{CANARY}"\n')
    proc, url = start_copy(tmp, "--server.maxUploadSize", str(UPLOAD_LIMIT_MB),
                           secrets=f'canary = "{CANARY}"\n[coordinator]\npassword_hash = '
                                   f'"{hash_password(PASSWORD, n=2**10)}"\n')
    yield proc, url
    stop(proc)


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` in kB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def open_session(url: str, origin: str | None = None):
    """Open a WebSocket session and run the app once; return (socket, session id)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    ws = connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                 origin=origin or url, max_size=None, open_timeout=30, legacy=True)
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = ""
    ws.send(msg.SerializeToString())
    session_id = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fwd = ForwardMsg()
        fwd.ParseFromString(ws.recv(timeout=120))
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            session_id = fwd.new_session.initialize.session_id
        if kind == "script_finished":
            break
    assert session_id
    return ws, session_id


def xsrf_cookie(url: str) -> str:
    """The XSRF cookie the server sets (on its health route, as the frontend reads it)."""
    with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";")[0]
    raise AssertionError("no _streamlit_xsrf cookie")


def coordinator_session(url: str) -> tuple[Browser, str, str]:
    """A signed-in coordinator tab: (tab, its session id, its XSRF cookie)."""
    tab = Browser(url, xsrf_cookie(url)).connect(page="Coordinator").sign_in(PASSWORD)
    assert tab.signed_in(), tab.texts
    return tab, tab.session_id, tab.xsrf


def put_file(url: str, session: str, file_id: str, size: int, *, token: str | None,
             header: bool = True, header_token: str | None = None,
             content_length: bool = True) -> int:
    """PUT a multipart upload of ``size`` bytes; return the HTTP status."""
    boundary = "maaorboundary" + secrets.token_hex(4)
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + os.urandom(size) + tail
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if token is not None:
        headers["Cookie"] = f"_streamlit_xsrf={token}"
        if header:
            headers["X-Xsrftoken"] = header_token or token
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    path = f"/_stcore/upload_file/{session}/{file_id}"
    try:
        if content_length:
            conn.request("PUT", path, body=body, headers=headers)
        else:
            conn.putrequest("PUT", path)
            for k, v in {**headers, "Transfer-Encoding": "chunked"}.items():
                conn.putheader(k, v)
            conn.endheaders()
            step = 256 * 1024
            try:
                for i in range(0, len(body), step):
                    chunk = body[i:i + step]
                    conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                conn.send(b"0\r\n\r\n")
            except OSError:
                pass  # the server may close the connection once the limit is passed
        return conn.getresponse().status
    finally:
        conn.close()


def test_upload_needs_the_xsrf_token(hardened):
    _, url = hardened
    ws, session, token = coordinator_session(url)
    try:
        assert put_file(url, session, "a", 1000, token=None) == 403
        assert put_file(url, session, "b", 1000, token=token, header=False) == 403
        other = xsrf_cookie(url)  # a token of another visitor, not this cookie's
        assert put_file(url, session, "c", 1000, token=token, header_token=other) == 403
        # The same request with the token is accepted: the refusals above are the token's.
        assert put_file(url, session, "d", 1000, token=token) == 204
    finally:
        ws.close()


def test_upload_over_the_limit_is_refused(hardened):
    _, url = hardened
    ws, session, token = coordinator_session(url)
    try:
        assert put_file(url, session, "big", LIMIT + 512 * 1024, token=token) == 413
        assert put_file(url, session, "big2", LIMIT + 2 * 1024 * 1024, token=token,
                        content_length=False) == 413
        assert put_file(url, session, "ok", LIMIT - 4096, token=token) == 204
    finally:
        ws.close()


def test_upload_flood_is_bounded_by_the_limit(hardened):
    proc, url = hardened
    ws, session, token = coordinator_session(url)
    n = 20
    budget = 10  # files one session may hold (MAAOR_UPLOAD_MAX_FILES, default 10)
    before = rss_kb(proc.pid)
    statuses = [put_file(url, session, f"flood{i}", LIMIT - 4096, token=token) for i in range(n)]
    time.sleep(1)
    during = rss_kb(proc.pid)
    growth_mb = (during - before) / 1024
    bound_mb = budget * UPLOAD_LIMIT_MB + 64  # every file held once, plus interpreter slack
    print(f"\nupload flood: {n} x {UPLOAD_LIMIT_MB} MB into one session: RSS "
          f"{before / 1024:.0f} -> {during / 1024:.0f} MB (+{growth_mb:.0f} MB; bound "
          f"{bound_mb} MB)")
    assert statuses == [204] * budget + [413] * (n - budget)
    assert growth_mb <= bound_mb
    ws.close()


def test_cross_origin_websocket_is_refused(hardened):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    _, url = hardened
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    for origin in ("https://evil.example", "http://127.0.0.1.evil.example",
                   "null"):
        with pytest.raises(InvalidStatus) as refused:
            connect(stream, subprotocols=["streamlit"], origin=origin, open_timeout=30,
                    legacy=True).close()
        assert refused.value.response.status_code == 403, origin
    # The app's own origin is accepted (the refusals above are about the origin).
    connect(stream, subprotocols=["streamlit"], origin=url, open_timeout=30, legacy=True).close()


PROBES = (
    "/../.streamlit/secrets.toml",
    "/..%2f.streamlit%2fsecrets.toml",
    "/%2e%2e/.streamlit/secrets.toml",
    "/%2e%2e%2f.streamlit%2fsecrets.toml",
    "/%252e%252e/.streamlit/secrets.toml",
    "/%252e%252e%252f.streamlit%252fsecrets.toml",
    "/..%5c.streamlit%5csecrets.toml",
    "/.streamlit/secrets.toml",
    "/secrets.toml",
    "/app/static/../../.streamlit/secrets.toml",
    "/app/static/..%2f..%2f.streamlit%2fsecrets.toml",
    "/app/static/%2e%2e/%2e%2e/.streamlit/secrets.toml",
    "/app/static/.streamlit/secrets.toml",
    "/media/../../.streamlit/secrets.toml",
    "/media/..%2f..%2f.streamlit%2fsecrets.toml",
    "/media/%2e%2e/%2e%2e/secrets.toml",
    "/_stcore/../.streamlit/secrets.toml",
    "/_stcore/..%2f.streamlit%2fsecrets.toml",
    "/_stcore/static/../../.streamlit/secrets.toml",
    "/static/../../../.streamlit/secrets.toml",
    "/static/..%2f..%2f..%2f.streamlit%2fsecrets.toml",
    "/component/../../.streamlit/secrets.toml",
    "/component/x/..%2f..%2f.streamlit%2fsecrets.toml",
    "/~/.streamlit/secrets.toml",
    "//.streamlit/secrets.toml",
    "/./.streamlit/./secrets.toml",
    "/pages/../.streamlit/secrets.toml",
    "/Presence/../.streamlit/secrets.toml",
    "/static/../../../../../../../../etc/passwd",
    "/media/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd",
)


@pytest.mark.parametrize("path", PROBES)
def test_path_probes_never_return_secrets(hardened, path):
    _, url = hardened
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()
    assert CANARY not in body, path
    assert "root:x:0:0" not in body, path
    assert response.status in (200, 400, 403, 404, 405), (path, response.status)
