"""Supervised scale-out (deploy/cluster.py): supervisord restarts a dead process while
nginx keeps viewers away from it; the health check follows the store.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import require_or_skip
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))


def _run(coro):
    """Run ``coro`` in a thread of its own (a Playwright browser may own the main loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


async def _burst(url: str, viewers: int) -> list[tuple[str | None, bool]]:
    """Open ``viewers`` new viewers of the Work plan page at once (each a new browser:
    no route cookie, so nginx spreads them over every process); return, for each, its
    error (None when the page rendered) and whether the page shows its title."""
    from loadclient import Session

    from maaor.i18n import t

    async def one():
        s = Session(url, page="Work_plan", run_timeout_s=90)
        timing = await s.open()
        await s.close()
        return timing.error, t("page.workplan.title", "en") in s.texts

    return list(await asyncio.gather(*(one() for _ in range(viewers))))


def test_supervisor_config_restarts_every_program(tmp_path):
    from deploy.cluster import nginx_config, supervisor_config

    text = supervisor_config(workdir=tmp_path, ports=[8501, 8502, 8503], mode="viewer",
                             max_upload_mb=50, health_port=8590,
                             nginx_conf=tmp_path / "nginx" / "nginx.conf")
    for name in ("app-8501", "app-8502", "app-8503", "health", "nginx"):
        section = text.split(f"[program:{name}]", 1)[1].split("[program:", 1)[0]
        assert "autorestart=true" in section
    assert text.count("-m maaor.serve --port 85") == 3
    assert "--mode viewer --max-upload-mb 1" in text
    assert "-m maaor health --listen 127.0.0.1:8590" in text
    conf = nginx_config(prefix=tmp_path, listen="127.0.0.1:8080", ports=[8501, 8502],
                        mode="viewer", max_upload_mb=50, health="127.0.0.1:8590")
    assert "server 127.0.0.1:8501 max_fails=1 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:8502 max_fails=1 fail_timeout=5s;" in conf
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
    assert "location = /healthz { proxy_pass http://127.0.0.1:8590/healthz;" in conf


@pytest.mark.postgres
@pytest.mark.slow
def test_killed_process_is_restarted_and_viewers_see_no_error(tmp_path, pg_store_url):
    from deploy.cluster import Cluster, nginx_binary

    if nginx_binary() is None:
        require_or_skip("nginx is not installed (apt-get install -y nginx)")
    with Cluster(tmp_path / "cluster", processes=3, mode="viewer",
                 database_url=pg_store_url) as cluster:
        # Health through nginx: the store answers.
        assert _status(cluster.url + "/healthz") == 200
        before = cluster.pids
        victim_port, victim = cluster.ports[1], before[1]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        with ThreadPoolExecutor(1) as pool:
            # A burst of new viewers while the process is down (in the background, while
            # this thread watches the restart): nginx passes each on to a live process.
            burst = pool.submit(asyncio.run, _burst(cluster.url, 12))
            # New browsers (no route cookie) land on every process, the dead one too.
            pages = [_status(cluster.url + "/") for _ in range(30)]
            # supervisord starts it again: a new pid on the same port, answering.
            back_s = None
            while time.monotonic() - killed_at < 30:
                info = cluster.process_info()[f"app-{victim_port}"]
                if (info["statename"] == "RUNNING" and info["pid"] not in (0, victim)
                        and _status(f"http://127.0.0.1:{victim_port}/_stcore/health") == 200):
                    back_s = time.monotonic() - killed_at
                    break
                time.sleep(0.2)
            viewers = burst.result()
        assert pages == [200] * 30
        assert viewers == [(None, True)] * 12
        # Some requests met the dead process, and nginx passed them on (no 502 below).
        errors = (tmp_path / "cluster" / "nginx" / "error.log").read_text()
        assert f"127.0.0.1:{victim_port}" in errors and "connect() failed" in errors
        assert back_s is not None and back_s <= 10, f"back after {back_s} s"
        after = cluster.pids
        assert after[0] == before[0] and after[2] == before[2] and after[1] != victim
        # And it serves viewers again (its own URL, no nginx in between).
        again = _run(_burst(f"http://127.0.0.1:{victim_port}", 1))
        assert again == [(None, True)]
        print(f"killed process back in {back_s:.1f} s")
    access = (tmp_path / "cluster" / "nginx" / "access.log").read_text()
    assert " 502 " not in access and " 504 " not in access
