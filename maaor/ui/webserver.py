"""``maaor serve``'s server: Streamlit's own ``streamlit run``, with the dashboard's
response headers on every response from the first one.

Streamlit 1.67 has no setting for response headers, and a page script runs only after
the browser has loaded the page (too late for that response's headers). Its ``st.App``
entry point takes middleware, but only when the main script is a launcher rather than
the home page. So this module runs ``streamlit run`` in this process after wrapping
the function that builds Streamlit's Starlette application
(``streamlit.web.server.starlette.starlette_server.create_starlette_app``): the server
is built with :class:`SecurityHeaders` around it before it listens.

:class:`SecurityHeaders` (a plain ASGI middleware) adds to every HTTP response:

* the framing policy of the process's mode (:func:`maaor.headers.frame_policy`:
  coordinator mode ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``);
* ``X-Content-Type-Options: nosniff``;
* for a browser without one, the HttpOnly, SameSite=Strict browser cookie
  (:data:`maaor.headers.BROWSER_COOKIE`) a coordinator's grant is bound to (not on a
  request from another site, which would not carry it even if the browser had it);

and answers ``/_stcore/metrics`` (Streamlit's internal counters) with 404, as the
shipped nginx does.

Run as ``python -m maaor.ui.webserver run app.py [streamlit options]`` (what
``maaor serve`` execs, see :func:`maaor.serve.serve_command`).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Sequence
from typing import Any

from maaor.headers import BROWSER_COOKIE, browser_cookie, frame_policy

METRICS_PATH = "/_stcore/metrics"

Scope = dict[str, Any]
Message = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str:
    """The value of request header ``name`` (lower case), "" when absent."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1").strip().lower()
    return ""


def _has_cookie(scope: Scope, name: str) -> bool:
    """Whether the request carries a non-empty cookie ``name``."""
    for key, value in scope.get("headers", ()):
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            cookie, _, content = part.strip().partition("=")
            if cookie == name and content.strip():
                return True
    return False


class SecurityHeaders:
    """ASGI middleware: the dashboard's response headers (see the module docstring).

    Args:
        app: the ASGI application it wraps (Streamlit's Starlette app).
        headers: (name, value) pairs added to every HTTP response.
    """

    def __init__(self, app: Callable, headers: Sequence[tuple[str, str]]) -> None:
        self.app = app
        self.headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        self._names = {n for n, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path", "").rstrip("/").endswith(METRICS_PATH):
            await self._not_found(send)
            return
        cookie = None
        # A request from another site's page does not carry a SameSite=Strict cookie
        # even when the browser has one: giving it a new one there would replace the
        # browser's (and sign its coordinator out). The page's own requests that follow
        # (scripts, the WebSocket) are same-site and get or carry it.
        if (not _has_cookie(scope, BROWSER_COOKIE)
                and _header(scope, b"sec-fetch-site") != "cross-site"):
            cookie = browser_cookie(secrets.token_urlsafe(32),
                                    secure=scope.get("scheme") == "https")

        async def send_with_headers(message: Message) -> None:
            if message.get("type") == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", ())
                           if n.lower() not in self._names]
                headers += self.headers
                if cookie is not None:
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _not_found(self, send: Callable) -> None:
        body = b"Not found"
        await send({"type": "http.response.start", "status": 404,
                    "headers": [(b"content-type", b"text/plain"),
                                (b"content-length", str(len(body)).encode()),
                                *self.headers]})
        await send({"type": "http.response.body", "body": body})


def response_headers(mode: str | None = None) -> list[tuple[str, str]]:
    """The headers :class:`SecurityHeaders` adds in ``mode`` (default: ``MAAOR_MODE``)."""
    from maaor import config

    policy = frame_policy(mode or config.app_mode())
    return [*policy.headers(), ("X-Content-Type-Options", "nosniff")]


def install(mode: str | None = None) -> None:
    """Make the Streamlit server this process will start send the dashboard's headers.

    Call before Streamlit starts its server (it builds its application once, when it
    starts listening).

    Raises:
        RuntimeError: this Streamlit does not build its server where expected (a
            Streamlit upgrade moved it): ``maaor serve`` refuses to run without its
            headers rather than run silently without them.
    """
    from streamlit.web.server.starlette import starlette_server

    original = getattr(starlette_server, "create_starlette_app", None)
    if original is None:
        raise RuntimeError("this Streamlit version has no "
                           "starlette_server.create_starlette_app: maaor serve cannot add "
                           "its security headers (see maaor/ui/webserver.py)")
    if getattr(original, "maaor_headers", False):
        return
    headers = response_headers(mode)

    def create_starlette_app(runtime: Any) -> Any:
        app = original(runtime)
        app.add_middleware(SecurityHeaders, headers=headers)
        return app

    create_starlette_app.maaor_headers = True
    starlette_server.create_starlette_app = create_starlette_app


def main(argv: Sequence[str] | None = None) -> None:
    """Run Streamlit's command line (``run app.py ...``) with the headers installed."""
    install()
    from streamlit.web import cli

    cli.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="streamlit")


if __name__ == "__main__":
    main()
