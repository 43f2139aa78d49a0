"""The wheel, installed in a fresh venv and run outside the checkout: ``maaor validate``
on the bundled work plan, ``maaor health``, and ``maaor serve`` rendering the Overview
over HTTP (what CI proves on every run)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import require_or_skip
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a server where maaor was installed: no checkout on the path,
    no store configured (the default SQLite file under the working directory)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "MAAOR_DATABASE_URL", "MAAOR_SQLITE_PATH",
                        "VIRTUAL_ENV")}
    env.update(extra)
    return env


def _run(args, cwd, timeout=600, **kw):
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout, **kw)


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    python3 = shutil.which("python3")
    if python3 is None:
        require_or_skip("python3 is not on PATH")
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "server"
    work.mkdir()
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                  str(ROOT)], cwd=work)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("maaor-*.whl")
    made = _run([python3, "-m", "venv", str(venv)], cwd=work)
    assert made.returncode == 0, made.stderr
    installed = _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=work,
                     timeout=1200)
    assert installed.returncode == 0, installed.stderr[-3000:]
    maaor = str(venv / "bin" / "maaor")

    where = _run([str(venv / "bin" / "python"), "-c",
                  "import maaor.resources as r; print(r.INSTALLED, r.bundled_data_dir())"],
                 cwd=work)
    flag, data_dir = where.stdout.split()
    assert flag == "True" and str(venv) in data_dir and str(ROOT) not in data_dir

    validated = _run([maaor, "validate", "--json", f"{data_dir}/workplan_2018_2019.xlsx"],
                     cwd=work)
    assert validated.returncode == 0, validated.stderr
    report = json.loads(validated.stdout)
    (sheet,) = report["files"][0]["sheets"]
    assert report["ok"] and sheet["kind"] == "workplan" and sheet["rows_loaded"] > 0

    health = _run([maaor, "health"], cwd=work)
    assert health.returncode == 0, health.stdout + health.stderr
    status = json.loads(health.stdout)
    assert status["ok"] and status["current_version"] == 1 and status["backend"] == "sqlite"
    assert (work / "var" / "maaor.sqlite").is_file()  # the store lives where it runs

    from deploy.cluster import free_port

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([maaor, "serve", "--port", str(port), "--address", "127.0.0.1"],
                              cwd=work, env=_clean_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "maaor serve did not answer in 120 s"
            time.sleep(0.5)
        texts, error = _overview(f"http://127.0.0.1:{port}")
        assert error is None, error
        from maaor.i18n import t

        assert t("page.overview.title", "en") in texts
        assert any("Data version 1" in text for text in texts)
    finally:
        server.terminate()
        server.wait(30)
    served = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in served


def _overview(url: str) -> tuple[list[str], str | None]:
    from loadclient import Session

    async def one():
        s = Session(url, page="", run_timeout_s=120)
        timing = await s.open()
        await s.close()
        return s.texts, timing.error

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, one()).result()

