"""Who may frame the dashboard's pages, said once for nginx and ``maaor serve``.

Coordinator mode (the default) is never framed: Streamlit serves one page for every
path and navigates inside it, so a framed public page can be navigated to the
Coordinator page (clickjacking the sign-in, the upload, Publish). Viewer mode (a public
process without the Coordinator page) may be framed by its own origin, or by the
sources in ``MAAOR_FRAME_ANCESTORS`` (e.g. ``"'self' https://www.example.org"``) to
embed the public pages elsewhere.

The headers reach browsers through the shipped nginx configuration
(``deploy/cluster.py``) or through ``maaor serve`` (``maaor.ui.webserver``); plain
``streamlit run app.py`` cannot send them (Streamlit has no setting for response
headers): see the README, "Security".
"""

from __future__ import annotations

from dataclasses import dataclass

FRAME_ANCESTORS_ENV = "MAAOR_FRAME_ANCESTORS"
# Characters neither an HTTP header value nor nginx's quoted string may hold.
_FORBIDDEN = '";{}\r\n\0'


@dataclass(frozen=True)
class FramePolicy:
    """The framing headers of one mode.

    Attributes:
        ancestors: the CSP ``frame-ancestors`` sources ("'none'", "'self'", ...).
        frame_options: the ``X-Frame-Options`` value for browsers without CSP
            ("DENY", "SAMEORIGIN"), None when other origins may frame the pages (the
            header cannot name them).
    """

    ancestors: str
    frame_options: str | None

    def headers(self) -> list[tuple[str, str]]:
        """The response headers, (name, value) pairs."""
        out = [("Content-Security-Policy", f"frame-ancestors {self.ancestors}")]
        if self.frame_options:
            out.append(("X-Frame-Options", self.frame_options))
        return out


def frame_policy(mode: str, frame_ancestors: str | None = None) -> FramePolicy:
    """Return the framing policy of ``mode``.

    Args:
        mode: "coordinator" or "viewer".
        frame_ancestors: viewer mode: who may frame the pages (None: read
            ``MAAOR_FRAME_ANCESTORS``; "" = own origin only).

    Raises:
        ValueError: the sources hold characters a header value cannot carry.
    """
    if mode == "coordinator":
        return FramePolicy("'none'", "DENY")
    if frame_ancestors is None:
        from maaor import config

        frame_ancestors = config.settings().frame_ancestors
    if any(c in frame_ancestors for c in _FORBIDDEN):
        raise ValueError(f"{FRAME_ANCESTORS_ENV} holds characters a header cannot carry")
    sources = " ".join(frame_ancestors.split()) or "'self'"
    if sources == "'self'":
        return FramePolicy(sources, "SAMEORIGIN")
    return FramePolicy(sources, None)


# ------------------------------------------------------------------ the browser cookie

#: A random token per browser, set HttpOnly and SameSite=Strict by ``maaor serve``
#: (page scripts cannot read it, other sites' pages do not send it). A coordinator's
#: sign-in grant is bound to it (``maaor.ui.auth``), so knowing the session id and the
#: XSRF cookie (which scripts in the page can read) is not enough to take a session over.
BROWSER_COOKIE = "maaor_browser"


def browser_cookie(token: str, *, secure: bool) -> str:
    """The ``Set-Cookie`` value that gives a browser its :data:`BROWSER_COOKIE`.

    Args:
        token: the browser's random token (URL-safe characters).
        secure: the request came over HTTPS (the cookie is then never sent over HTTP).
    """
    return (f"{BROWSER_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            + ("; Secure" if secure else ""))
