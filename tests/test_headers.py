"""The framing policy and the browser cookie (``maaor.headers``), shared by the shipped
nginx configuration and ``maaor serve`` (issue 12, item 11)."""

from __future__ import annotations

import pytest

from maaor.headers import BROWSER_COOKIE, browser_cookie, frame_policy


def test_coordinator_mode_is_never_framed_whatever_is_configured():
    policy = frame_policy("coordinator", "'self' https://www.example.org")
    assert policy.headers() == [("Content-Security-Policy", "frame-ancestors 'none'"),
                                ("X-Frame-Options", "DENY")]


def test_viewer_mode_is_framed_by_its_own_origin_by_default():
    policy = frame_policy("viewer", "")
    assert policy.ancestors == "'self'" and policy.frame_options == "SAMEORIGIN"


def test_viewer_mode_names_the_configured_embedders_without_x_frame_options():
    policy = frame_policy("viewer", "  'self'   https://www.example.org ")
    assert policy.headers() == [
        ("Content-Security-Policy", "frame-ancestors 'self' https://www.example.org")]


def test_viewer_mode_reads_maaor_frame_ancestors(monkeypatch):
    monkeypatch.setenv("MAAOR_FRAME_ANCESTORS", "https://a.example.org")
    assert frame_policy("viewer").ancestors == "https://a.example.org"


@pytest.mark.parametrize("bad", ["'self'\r\nSet-Cookie: x=1", "https://a.org; script-src *",
                                 'https://a.org"', "{x}"])
def test_sources_that_would_break_out_of_the_header_are_refused(bad):
    with pytest.raises(ValueError, match="MAAOR_FRAME_ANCESTORS"):
        frame_policy("viewer", bad)


def test_the_browser_cookie_is_httponly_strict_and_secure_over_https():
    plain = browser_cookie("abc", secure=False)
    assert plain == f"{BROWSER_COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict"
    assert browser_cookie("abc", secure=True) == plain + "; Secure"
