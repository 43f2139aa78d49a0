"""Three Streamlit processes behind nginx on one PostgreSQL store (deploy/cluster.py).

A version published by the coordinator's command line into the shared store is seen
by viewers reaching every process through nginx; nginx keeps a browser on one process
(route cookie) and carries the WebSocket; viewer mode has no coordinator page and
refuses uploads.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require_or_skip
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))


def _run(coro):
    """Run ``coro`` to completion in a thread of its own: a session-scoped Playwright
    browser (tests/e2e) keeps an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()

def _nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(path).exists():
        require_or_skip("nginx is not installed (apt-get install -y nginx)")
    return path


def test_nginx_config_has_sticky_routes_and_websocket(tmp_path):
    from deploy.cluster import nginx_config

    viewer = nginx_config(prefix=tmp_path, listen="127.0.0.1:8080", ports=[8501, 8502, 8503],
                          mode="viewer", max_upload_mb=50)
    assert "{{" not in viewer
    assert "hash $maaor_route consistent;" in viewer
    assert viewer.count("server 127.0.0.1:85") == 3
    assert "proxy_set_header Upgrade $http_upgrade;" in viewer
    assert "location /_stcore/upload_file { return 403; }" in viewer
    assert "client_max_body_size 1m;" in viewer
    coordinator = nginx_config(prefix=tmp_path, listen="127.0.0.1:8080", ports=[8501],
                               mode="coordinator", max_upload_mb=50)
    assert "return 403" not in coordinator
    assert "client_max_body_size 51m;" in coordinator
    with pytest.raises(ValueError):
        nginx_config(prefix=tmp_path, listen="x", ports=[1], mode="admin", max_upload_mb=1)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if Path(binary).exists():
        conf = tmp_path / "nginx.conf"
        conf.write_text(viewer)
        check = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(conf),
                                "-e", str(tmp_path / "error.log")],
                               capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr


def _version_text(version: int) -> str:
    """The start of the page caption naming the data version (English)."""
    from maaor.i18n import t

    return t("page.version", "en", version=version)


async def _shown_versions(url: str, sessions: int) -> list[tuple[bool, bool, str | None]]:
    """Open ``sessions`` viewers of the Work plan page one after another; return, for
    each, (shows version 1, shows version 2, error)."""
    from loadclient import Session

    out = []
    for _ in range(sessions):
        s = Session(url, page="Work_plan", run_timeout_s=60)
        timing = await s.open()
        await s.close()
        shown = " ".join(s.texts)
        out.append((_version_text(1) in shown, _version_text(2) in shown, timing.error))
    return out


def _get(url: str, headers: dict[str, str] | None = None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get_all("Set-Cookie") or [], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_all("Set-Cookie") or [], e.read()


@pytest.mark.postgres
def test_publish_on_one_is_seen_through_nginx_on_all(tmp_path, pg_store_url):
    _nginx()
    from deploy.cluster import Cluster
    from maaor.bundled import load_default
    from maaor.dataset import Dataset
    from maaor.store import Store

    with Cluster(tmp_path / "cluster", processes=3, mode="viewer",
                 database_url=pg_store_url) as cluster:
        # Sticky: the first answer sets a route cookie; nginx hashes on it.
        status, cookies, _ = _get(cluster.url + "/_stcore/health")
        assert status == 200
        route = [c for c in cookies if c.startswith("maaor_route=")]
        assert len(route) == 1 and "HttpOnly" in route[0]
        # A browser that has the cookie is not given a new one.
        key = route[0].split(";")[0]
        assert not [c for c in _get(cluster.url + "/_stcore/health", {"Cookie": key})[1]
                    if c.startswith("maaor_route=")]
        # Viewer mode: the upload endpoint is refused at nginx.
        assert _get(cluster.url + "/_stcore/upload_file/x/y")[0] == 403

        seen = _run(_shown_versions(cluster.url, 6))
        assert seen == [(True, False, None)] * 6

        # A coordinator publishes version 2 into the shared store.
        ds = load_default().dataset
        smaller = Dataset({**ds.tables, "presence": ds.presence.iloc[:10]}, ds.meta)
        with Store.open(pg_store_url) as store:
            assert store.publish(smaller, [], by="test", note="cluster test") == 2

        # Every process picks it up (each re-reads the current version every 5 s) ...
        deadline = time.monotonic() + 40
        latest: dict[str, tuple] = {}
        while time.monotonic() < deadline:
            for backend in cluster.backend_urls:
                latest[backend] = _run(_shown_versions(backend, 1))[0]
            if all(v == (False, True, None) for v in latest.values()):
                break
            time.sleep(1)
        assert latest == {b: (False, True, None) for b in cluster.backend_urls}
        # ... and viewers through nginx see version 2 whichever process they land on.
        seen = _run(_shown_versions(cluster.url, 6))
        assert seen == [(False, True, None)] * 6
        logs = [p.read_text(errors="replace") for p in (tmp_path / "cluster").glob("*.log")]
        assert not any("Traceback" in text for text in logs)


async def _open_close(session):
    timing = await session.open()
    await session.close()
    return timing


def test_viewer_mode_has_no_coordinator_page(tmp_path):
    _nginx()
    from loadclient import Session

    from deploy.cluster import Cluster
    from maaor.i18n import t

    env = {"MAAOR_SQLITE_PATH": str(tmp_path / "store.sqlite")}
    with Cluster(tmp_path / "one", processes=1, mode="viewer", nginx=False, env=env) as cluster:
        s = Session(cluster.url, page="Coordinator", run_timeout_s=60)
        timing = _run(_open_close(s))
        assert timing.error is None
        assert t("coord.viewer_mode", "en") in s.texts
        assert not any("password" in text.lower() for text in s.texts)
