"""``maaor serve``'s response headers (``maaor.ui.webserver``), on a stand-in ASGI app
and on the Streamlit server builder it wraps (issue 12, item 11). Over HTTP against the
real server: ``tests/e2e/test_framing_headers_e2e.py``."""

from __future__ import annotations

import asyncio
import concurrent.futures

from maaor.headers import BROWSER_COOKIE
from maaor.ui import webserver
from maaor.ui.webserver import SecurityHeaders, response_headers

HEADERS = response_headers("coordinator")


def call(app, scope: dict) -> list[dict]:
    """Run ``app`` on one request; return the messages it sent."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    # A worker thread has no event loop of its own: asyncio.run works there even when
    # the suite runs this after a session-scoped Playwright fixture (whose sync API
    # keeps a loop running on the main thread).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


async def stand_in(scope, receive, send):
    """An app answering 200 "app" with its own X-Frame-Options (to be replaced)."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html"), (b"x-frame-options", b"ALLOWALL")]})
    await send({"type": "http.response.body", "body": b"app"})


def http(path: str = "/", cookie: str | None = None, scheme: str = "http") -> dict:
    headers = [(b"host", b"127.0.0.1")] + ([(b"cookie", cookie.encode())] if cookie else [])
    return {"type": "http", "path": path, "scheme": scheme, "headers": headers}


def response_headers_of(messages: list[dict]) -> list[tuple[str, str]]:
    start = next(m for m in messages if m["type"] == "http.response.start")
    return [(n.decode(), v.decode()) for n, v in start["headers"]]


def test_every_response_forbids_framing_in_coordinator_mode():
    got = response_headers_of(call(SecurityHeaders(stand_in, HEADERS), http("/Coordinator")))
    assert ("content-security-policy", "frame-ancestors 'none'") in got
    # The app's own value is replaced, not sent beside ours.
    assert [v for n, v in got if n == "x-frame-options"] == ["DENY"]
    assert ("x-content-type-options", "nosniff") in got


def test_a_new_browser_gets_the_cookie_a_returning_one_does_not():
    app = SecurityHeaders(stand_in, HEADERS)
    new = [v for n, v in response_headers_of(call(app, http())) if n == "set-cookie"]
    assert len(new) == 1 and new[0].startswith(BROWSER_COOKIE + "=")
    assert "HttpOnly" in new[0] and "SameSite=Strict" in new[0] and "Secure" not in new[0]
    back = response_headers_of(call(app, http(cookie=f"_streamlit_xsrf=x; {BROWSER_COOKIE}=t")))
    assert not [v for n, v in back if n == "set-cookie"]
    # An empty cookie is no cookie; over HTTPS the cookie is Secure.
    https = response_headers_of(call(app, http(cookie=f"{BROWSER_COOKIE}=", scheme="https")))
    assert [v for n, v in https if n == "set-cookie"][0].endswith("; Secure")


def test_a_request_from_another_site_does_not_replace_the_cookie():
    app = SecurityHeaders(stand_in, HEADERS)
    scope = http("/Presence")
    scope["headers"].append((b"sec-fetch-site", b"cross-site"))
    # The browser may hold a cookie it did not send (SameSite=Strict): none is set.
    assert not [v for n, v in response_headers_of(call(app, scope)) if n == "set-cookie"]
    scope["headers"][-1] = (b"sec-fetch-site", b"same-origin")
    assert [v for n, v in response_headers_of(call(app, scope)) if n == "set-cookie"]


def test_two_browsers_get_different_tokens():
    app = SecurityHeaders(stand_in, HEADERS)
    tokens = {dict(response_headers_of(call(app, http())))["set-cookie"] for _ in range(2)}
    assert len(tokens) == 2


def test_metrics_are_not_served():
    messages = call(SecurityHeaders(stand_in, HEADERS), http("/_stcore/metrics"))
    assert messages[0]["status"] == 404
    assert b"app" not in b"".join(m.get("body", b"") for m in messages)
    assert ("x-frame-options", "DENY") in response_headers_of(messages)


def test_websockets_pass_through_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
        await send({"type": "websocket.accept"})

    messages = call(SecurityHeaders(app, HEADERS), {"type": "websocket", "path": "/_stcore/stream",
                                                    "headers": []})
    assert seen == ["websocket"] and messages == [{"type": "websocket.accept"}]


def test_install_wraps_streamlits_server_builder_once(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    built = []

    class FakeStarlette:
        def add_middleware(self, cls, **kwargs):
            built.append((cls, kwargs))

    monkeypatch.setattr(starlette_server, "create_starlette_app", lambda runtime: FakeStarlette())
    webserver.install("coordinator")
    webserver.install("coordinator")  # a second call does not wrap twice
    starlette_server.create_starlette_app(object())
    assert built == [(SecurityHeaders, {"headers": HEADERS})]
