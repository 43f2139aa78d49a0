"""Plenary mode in a real browser with the internet blocked: every slide draws from its
URL with no failed request and no exception; next / previous and ``?slide=N`` work."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from maaor.i18n import t
from tests.e2e.conftest import SLIDES, screenshot, wait_rendered

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
TITLES = {1: "slide.title.default", 2: "slide.headline.title", 3: "slide.presence.title"}


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture()
def offline(browser):
    """A page whose non-local requests are aborted and recorded, with failures and page
    errors recorded too."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def route(r):
        if _is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    context.route_web_socket(lambda url: not _is_local(url),
                             lambda ws: (blocked.append(ws.url), ws.close()))
    page = context.new_page()
    page.blocked, page.failed, page.errors = blocked, [], []
    page.on("requestfailed", lambda r: page.failed.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _h1(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()


def _assert_clean(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.url
    assert "Traceback" not in page.locator("body").inner_text(), page.url


def test_every_slide_draws_offline_and_navigation_works(server, offline):
    page = offline
    for number in range(1, SLIDES + 1):
        page.goto(f"{server}/Present?slide={number}")
        wait_rendered(page)
        _assert_clean(page)
        if number in TITLES:
            assert _h1(page) == t(TITLES[number], "en")
        if number == 3:  # the map slide: its picture, drawn on the server from the bundled
            # boundaries (issue 14: drawn with its slide), loaded from this server only
            image = page.locator(".st-key-present_map img").first
            image.wait_for(state="visible", timeout=20_000)
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        elif number > 3:
            page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(
                state="visible", timeout=20_000)
        assert page.get_by_text(t("slide.illustrative", "en")).first.is_visible()
        screenshot(page, f"present_slide_{number}")

    # next / previous rewrite the URL and the slide
    page.goto(f"{server}/Present?slide=2")
    wait_rendered(page)
    page.get_by_role("button", name=re.compile(t("present.next", "en"))).click()
    page.wait_for_url(re.compile(r"slide=3"), timeout=20_000)
    wait_rendered(page)
    assert _h1(page) == t("slide.presence.title", "en")
    page.get_by_role("button", name=re.compile(t("present.previous", "en"))).click()
    page.wait_for_url(re.compile(r"slide=2"), timeout=20_000)
    wait_rendered(page)
    assert _h1(page) == t("slide.headline.title", "en")
    _assert_clean(page)

    assert page.blocked == [], "the slides tried to reach the internet:\n" + "\n".join(
        page.blocked)
    assert page.failed == [], page.failed
    assert page.errors == [], page.errors
