"""Issue 12, item 5 (Build 5) against the running server: the bytes of an upload are
released when the upload is consumed, not only when the session ends.

A signed-in coordinator (the protocol as Streamlit's own frontend speaks it, no
browser) puts two valid 20 MB 4W files into the Coordinator page's uploader, publishes
them, then twice puts two more and discards them. After each consumed upload,
Streamlit's upload store holds nothing (``/_stcore/metrics`` has no
``UploadedFileManager`` bytes) and the server's memory comes back within 50 MB of its
baseline within a bounded time. 120 MB passing through a session whose budget is 60 MB
also shows the budget is given back.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import urllib.request

import pytest

from tests.e2e.appcopy import coordinator_secrets, start_copy, stop
from tests.e2e.protocol import Browser, new_xsrf_cookie
from tests.e2e.test_security_holes_e2e import rss_mb

pytestmark = pytest.mark.browser

PASSWORD = "e2e-release-password"
FILE_MB = 20
SETTLE_S = 30  # the bound within which memory must come back


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """(process, base URL) of a coordinator-mode server with a password configured."""
    tmp = tmp_path_factory.mktemp("upload-release")
    proc, url = start_copy(tmp, secrets=coordinator_secrets(PASSWORD))
    yield proc, url
    stop(proc)


def presence_csv(mb: float, tag: str) -> bytes:
    """A valid 4W CSV of about ``mb`` MB: a thousand-odd rows, each with a 15 KB
    "Remarks" cell (a column the dashboard does not keep), so the file is large and
    quick to check."""
    lines = ["Organisation,Country,Admin 1,Pillar,Status,Women reached,Remarks"]
    size = len(lines[0])
    i = 0
    while size < mb * 1024 * 1024:
        line = (f"UNMAS,Iraq,Ninewa {tag}-{i},Land release,active,{i % 97},"
                f"{os.urandom(7500).hex()}")
        lines.append(line)
        size += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


def held_upload_bytes(url: str) -> int:
    """Bytes in Streamlit's upload store (0: the metric is absent when it holds none)."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=30) as r:
        text = r.read().decode()
    found = re.search(r'cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\} (\d+)', text)
    return int(found.group(1)) if found else 0


def put_files(tab: Browser, files: list[bytes], stem: str) -> list[tuple[str, str, int]]:
    """Upload ``files`` to the endpoint and hand them to the uploader widget."""
    infos = []
    for n, data in enumerate(files):
        file_id, name = secrets.token_hex(8), f"{stem}-{n}.csv"
        assert tab.upload(0, file_id=file_id, data=data, name=name) == 204
        infos.append((file_id, name, len(data)))
    return infos


def uploader_key(tab: Browser) -> str:
    """The user key of the uploader the page drew last (it changes after a release)."""
    keys = [i.rsplit("-", 1)[-1] for i in tab.widgets
            if re.search(r"-coord_files(_\d+)?$", i)]
    return max(keys, key=lambda k: int(k.rsplit("_", 1)[-1]) if k != "coord_files" else 0)


def settle(proc, url: str, baseline: float) -> tuple[float, int]:
    """Wait (at most SETTLE_S) for memory within 50 MB of ``baseline`` and an empty
    upload store; return (RSS in MB, upload-store bytes) at the end."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        rss, held = rss_mb(proc.pid), held_upload_bytes(url)
        if (rss - baseline < 50 and held == 0) or time.monotonic() > deadline:
            return rss, held
        time.sleep(1)


def test_consumed_uploads_are_released(server):
    proc, url = server
    tab = Browser(url, new_xsrf_cookie(url)).connect(page="Coordinator")
    try:
        tab.sign_in(PASSWORD)
        assert tab.signed_in(), tab.texts
        # Warm up (imports, caches of the checks): one small upload, discarded.
        infos = put_files(tab, [presence_csv(0.2, "warm")], "warm")
        tab.send((uploader_key(tab), "file_uploader_state_value", infos))
        tab.send(("coord_discard", "trigger_value", True)).rerun()
        time.sleep(2)
        baseline = rss_mb(proc.pid)
        assert held_upload_bytes(url) == 0

        measured = []
        for round_, action in enumerate(("publish", "discard", "discard")):
            files = [presence_csv(FILE_MB, f"r{round_}f{n}") for n in range(2)]
            infos = put_files(tab, files, f"round{round_}")
            del files
            key = uploader_key(tab)
            tab.send((key, "file_uploader_state_value", infos))
            assert held_upload_bytes(url) >= 2 * FILE_MB * 1024 * 1024
            peak = rss_mb(proc.pid)
            if action == "publish":
                tab.send(("coord_note", "string_value", "e2e: large upload"),
                         ("coord_publish", "trigger_value", True))
                assert any("Published as version" in t for t in tab.texts), tab.texts
            else:
                tab.send(("coord_discard", "trigger_value", True))
            tab.rerun()
            # The uploader was replaced: a new, empty one.
            assert uploader_key(tab) != key
            rss, held = settle(proc, url, baseline)
            measured.append((action, peak, rss, held))
            print(f"\nround {round_} ({action}, 2 x {FILE_MB} MB): server RSS {baseline:.0f} "
                  f"-> {peak:.0f} (files held) -> {rss:.0f} MB; upload store {held} bytes")
            assert held == 0, measured
            assert rss - baseline < 50, measured
    finally:
        tab.close()
