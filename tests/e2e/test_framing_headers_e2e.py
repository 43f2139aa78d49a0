"""Issue 12, item 11 (Build 11) without nginx: ``maaor serve`` forbids framing the
Coordinator page, gives each browser an HttpOnly cookie the coordinator's grant is bound
to, and closes ``/_stcore/metrics``; plain ``streamlit run app.py`` does none of this
(Streamlit has no setting for response headers), exactly as the README says.

* ``maaor serve`` (coordinator mode): every response, from the first, carries
  ``Content-Security-Policy: frame-ancestors 'none'`` and ``X-Frame-Options: DENY``;
  Chromium refuses to draw the Coordinator page in a frame; a browser without the
  ``maaor_browser`` cookie gets one (HttpOnly, SameSite=Strict), once.
* ``maaor serve --mode viewer`` with ``MAAOR_FRAME_ANCESTORS``: the configured sources,
  no X-Frame-Options (it cannot name other origins).
* Session take-over with the victim's session id *and* its XSRF cookie (readable by a
  script in the page): refused under ``maaor serve`` (the grant is bound to the
  HttpOnly cookie the attacker does not have); under plain ``streamlit run`` it
  succeeds (the documented limit of that way of running).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from maaor.auth import hash_password
from maaor.headers import BROWSER_COOKIE
from tests.e2e.appcopy import coordinator_secrets, start_copy, stop
from tests.e2e.conftest import ROOT, free_port
from tests.e2e.protocol import Browser

pytestmark = pytest.mark.browser

PASSWORD = "e2e-framing-password"
PAGES = ("/", "/Coordinator", "/Presence", "/_stcore/health")


def start_serve(tmp, *args: str, env_extra: dict[str, str] | None = None):
    """Start ``maaor serve`` (``python -m maaor.serve``) on loopback; (process, URL)."""
    port = free_port()
    env = dict(os.environ)
    for name in ("MAAOR_DATABASE_URL", "MAAOR_BASEMAP_STYLE", "MAAOR_PUBLIC_PRESENCE_LEVEL",
                 "MAAOR_FRAME_ANCESTORS", "MAAOR_MODE"):
        env.pop(name, None)
    env["MAAOR_SQLITE_PATH"] = str(tmp / "maaor.sqlite")
    env["MAAOR_COORDINATOR_PASSWORD_HASH"] = hash_password(PASSWORD, n=2**10)
    env.update(env_extra or {})
    log_path = tmp / f"serve-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "maaor.serve", "--port", str(port), "--address", "127.0.0.1",
         *args, "--", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("maaor serve did not become healthy in 60 s")


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium_path):
    """(process, URL) of ``maaor serve`` in coordinator mode, before any page ran."""
    proc, url = start_serve(tmp_path_factory.mktemp("serve"))
    yield proc, url
    stop(proc)


@pytest.fixture(scope="module")
def plain(tmp_path_factory, chromium_path):
    """(process, URL) of plain ``streamlit run app.py`` with the shipped configuration."""
    tmp = tmp_path_factory.mktemp("plain")
    proc, url = start_copy(tmp, secrets=coordinator_secrets(PASSWORD))
    yield proc, url
    stop(proc)


def get(url: str, cookies: dict[str, str] | None = None):
    """(status, headers) of GET ``url`` (an HTTP error is an answer too)."""
    request = urllib.request.Request(url)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def set_cookies(headers) -> dict[str, str]:
    """Cookie name -> whole ``Set-Cookie`` value."""
    out = {}
    for header in headers.get_all("Set-Cookie") or []:
        out[header.partition("=")[0].strip()] = header
    return out


def cookies_of(url: str) -> dict[str, str]:
    """The cookies a new browser gets from the server (name -> value)."""
    _, headers = get(url + "/_stcore/health")
    return {name: value.partition("=")[2].split(";")[0]
            for name, value in set_cookies(headers).items()}


def test_maaor_serve_forbids_framing_from_the_first_response(served):
    _, url = served
    # No page script has run yet in this process: the headers do not wait for one.
    for path in PAGES:
        status, headers = get(url + path)
        assert status == 200, path
        assert headers["Content-Security-Policy"] == "frame-ancestors 'none'", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
    status, headers = get(url + "/_stcore/metrics")
    assert status == 404
    assert headers["X-Frame-Options"] == "DENY"


def test_maaor_serve_gives_each_browser_an_httponly_cookie_once(served):
    _, url = served
    _, first = get(url + "/Coordinator")
    cookie = set_cookies(first)[BROWSER_COOKIE]
    attributes = {a.strip() for a in cookie.split(";")[1:]}
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= attributes
    token = cookie.partition("=")[2].split(";")[0]
    assert len(token) >= 32
    _, second = get(url + "/Coordinator")
    assert set_cookies(second)[BROWSER_COOKIE].split(";")[0] != cookie.split(";")[0]
    # A browser that has it keeps it: nothing is set again.
    _, again = get(url + "/Coordinator", {BROWSER_COOKIE: token})
    assert BROWSER_COOKIE not in set_cookies(again)


def test_chromium_refuses_to_frame_the_coordinator_page(served, browser):
    _, url = served
    context = browser.new_context()
    try:
        page = context.new_page()
        blocked = []
        page.on("console", lambda m: blocked.append(m.text)
                if "frame-ancestors" in m.text or "X-Frame-Options" in m.text else None)
        page.set_content(f'<iframe id="f" src="{url}/Coordinator" width="800" height="600">'
                         "</iframe>")
        page.wait_for_timeout(4000)
        frame = page.frame_locator("#f")
        # The page would draw Streamlit's app container; a refused frame shows nothing.
        assert frame.locator('[data-testid="stApp"]').count() == 0
        assert blocked, "chromium did not report the refused frame"
    finally:
        context.close()


def test_maaor_serve_viewer_mode_allows_the_configured_embedders(tmp_path, chromium_path):
    proc, url = start_serve(tmp_path, "--mode", "viewer", env_extra={
        "MAAOR_FRAME_ANCESTORS": "'self' https://www.example.org"})
    try:
        _, headers = get(url + "/Presence")
    finally:
        stop(proc)
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self' https://www.example.org"
    assert headers["X-Frame-Options"] is None


def take_over(url: str) -> tuple[bool, bool]:
    """A coordinator signs in; another client reconnects to the session with the
    victim's session id and XSRF cookie but none of its other cookies. Return (victim
    signed in, attacker signed in)."""
    cookies = cookies_of(url)
    xsrf = cookies.pop("_streamlit_xsrf")
    victim = Browser(url, xsrf, extra_cookies=cookies).connect(page="Coordinator")
    attacker = None
    try:
        victim.sign_in(PASSWORD)
        victim_in = victim.signed_in()
        attacker = Browser(url, xsrf).connect(resume=victim.session_id, page="Coordinator")
        assert attacker.session_id == victim.session_id
        return victim_in, attacker.rerun().signed_in()
    finally:
        victim.close()
        if attacker is not None:
            attacker.close()


def test_maaor_serve_binds_the_grant_to_the_httponly_cookie(served):
    _, url = served
    victim_in, attacker_in = take_over(url)
    assert victim_in
    assert not attacker_in


def test_plain_streamlit_run_lacks_the_headers_as_documented(plain):
    _, url = plain
    for path in ("/", "/Coordinator"):
        status, headers = get(url + path)
        assert status == 200
        assert headers["X-Frame-Options"] is None
        assert headers["Content-Security-Policy"] is None
        assert BROWSER_COOKIE not in set_cookies(headers)
    status, _ = get(url + "/_stcore/metrics")
    assert status == 200
    # The grant rests on the XSRF cookie alone: whoever also has that cookie (a script
    # in the page can read it) and the session id is signed in.
    victim_in, attacker_in = take_over(url)
    assert victim_in and attacker_in
