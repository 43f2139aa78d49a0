"""End-to-end with no internet: every request to a host other than the local server is
blocked and recorded; every page must still draw, and no page may even try to reach out
(no CDN topojson, no web fonts, no basemap tiles by default)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import PAGE_PATHS, assert_drawn, screenshot, wait_rendered

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture()
def offline_page(browser):
    """A page whose every non-local request is aborted; ``page.blocked`` lists them."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()
    # WebSockets are not seen by context.route; any to a non-local host is recorded
    # (context.route_web_socket is not used: with it, Streamlit's own local socket
    # never connected in chromium, and the app did not draw).
    page.on("websocket", lambda ws: None if _is_local(ws.url) else blocked.append(ws.url))
    page.blocked = blocked
    yield page
    context.close()


def test_every_page_draws_with_the_internet_blocked(server, offline_page):
    page = offline_page
    for path, title_key in PAGE_PATHS.items():
        page.goto(f"{server}/{path}")
        wait_rendered(page)
        assert_drawn(page, title_key)
        if path == "Presence":
            canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
            canvas.wait_for(state="visible", timeout=20_000)
        screenshot(page, f"offline_{path or 'overview'}")
    assert page.blocked == [], "pages tried to reach the internet:\n" + "\n".join(page.blocked)
    # The recorder itself works: a request the page makes to the internet is caught.
    probe = "https://example.org/maaor-offline-probe"
    page.evaluate("url => fetch(url).catch(() => null)", probe)
    assert page.blocked == [probe]
