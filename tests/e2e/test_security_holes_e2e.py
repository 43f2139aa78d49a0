"""Issue 12 against the running server (no browser; the protocol as Streamlit's own
frontend speaks it): session take-over refused, anonymous uploads refused with memory
back near its baseline.

* Item 1: a signed-in coordinator's session id is not a credential. Another client that
  reconnects with the victim's session id (subprotocols ``["streamlit", <its xsrf>,
  <victim's session id>]``) resumes the session but is not signed in; the victim,
  reconnecting from its own browser, still is.
* Item 5: a session that never signed in cannot upload (403, refused before the body is
  read), 30 x 25 MB leaves the server's memory within 50 MB of its baseline; a signed-in
  coordinator can upload, within a per-session file budget.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.appcopy import coordinator_secrets, start_copy, stop
from tests.e2e.protocol import Browser, new_xsrf_cookie

pytestmark = pytest.mark.browser

PASSWORD = "e2e-security-password"
UPLOAD_MB = 25


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """(process, base URL) of a coordinator-mode server with a password configured."""
    tmp = tmp_path_factory.mktemp("security-holes")
    proc, url = start_copy(tmp, "--server.maxUploadSize", str(UPLOAD_MB),
                           secrets=coordinator_secrets(PASSWORD))
    yield proc, url
    stop(proc)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def coordinator(url: str) -> Browser:
    victim = Browser(url, new_xsrf_cookie(url)).connect(page="Coordinator")
    assert not victim.signed_in()
    victim.sign_in(PASSWORD)
    assert victim.signed_in(), victim.texts
    return victim


def test_session_take_over_with_the_session_id_is_refused(server):
    _, url = server
    victim = coordinator(url)
    stolen = victim.session_id
    attacker = Browser(url, new_xsrf_cookie(url))
    try:
        attacker.connect(resume=stolen, page="Coordinator")
        # The reconnect did reach the victim's session (the attack is real) ...
        assert attacker.session_id == stolen
        # ... but coordinator rights did not come with it.
        assert not attacker.signed_in(), attacker.texts
        assert attacker.rerun() and not attacker.signed_in()
        # Nor may it upload into the session it resumed.
        assert attacker.upload(1000) in (403, 0)
    finally:
        attacker.close()
    # The victim, reconnecting from its own browser, is still signed in.
    victim.close()
    again = Browser(url, victim.xsrf).connect(resume=stolen, page="Coordinator")
    try:
        assert again.session_id == stolen
        assert again.signed_in(), again.texts
    finally:
        again.close()


def test_sign_out_revokes_and_sign_in_rotates(server):
    _, url = server
    first = coordinator(url)
    try:
        first.sign_in(PASSWORD) if not first.signed_in() else None
        signout = next(w for i, w in first.widgets.items() if i.endswith("-coord_signout"))
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = first.page_hash
        pressed = msg.rerun_script.widget_states.widgets.add()
        pressed.id = signout.id
        pressed.trigger_value = True
        first._run(msg)
        first.rerun()
        assert not first.signed_in()
        assert first.upload(1000) in (403, 0)
    finally:
        first.close()


def test_anonymous_uploads_are_refused_and_memory_returns(server):
    proc, url = server
    anonymous = Browser(url, new_xsrf_cookie(url)).connect()
    try:
        time.sleep(1)
        baseline = rss_mb(proc.pid)
        statuses = [anonymous.upload(UPLOAD_MB * 1024 * 1024 - 4096) for _ in range(30)]
        time.sleep(2)
        after = rss_mb(proc.pid)
    finally:
        anonymous.close()
    print(f"\n30 x {UPLOAD_MB} MB from an anonymous session: statuses {sorted(set(statuses))}, "
          f"server RSS {baseline:.0f} -> {after:.0f} MB")
    assert 204 not in statuses
    assert set(statuses) <= {403, 0}
    assert after - baseline < 50


def test_a_signed_in_coordinator_uploads_within_a_budget(server):
    _, url = server
    victim = coordinator(url)
    try:
        statuses = [victim.upload(100_000) for _ in range(12)]
    finally:
        victim.close()
    # The default budget holds 10 files per session; the rest is refused.
    assert statuses[:10] == [204] * 10
    assert set(statuses[10:]) <= {413, 0}
