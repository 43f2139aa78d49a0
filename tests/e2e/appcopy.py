"""Run the dashboard from a temporary copy (own secrets, own entry script, own store).

The copy holds ``app.py`` (or another entry script), the shipped
``.streamlit/config.toml``, an optional ``.streamlit/secrets.toml``, and links to
``maaor/``, ``pages/`` and ``data/``: the server runs the real code with the real
configuration, and nothing is written into the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.conftest import ROOT, free_port


def coordinator_secrets(password: str) -> str:
    """The ``secrets.toml`` text of a copy whose coordinator password is ``password``
    (a cheap hash: tests sign in many times)."""
    from maaor.auth import hash_password

    return f'[coordinator]\npassword_hash = "{hash_password(password, n=2**10)}"\n'


def start_copy(tmp: Path, *args: str, entry: str | None = None, secrets: str | None = None,
               store: Path | None = None):
    """Start ``streamlit run app.py`` from a copy of the app in ``tmp / "app"``.

    Args:
        tmp: a temporary folder.
        args: extra ``streamlit run`` options (``--server.maxUploadSize``, ...).
        entry: source of the entry script instead of the repository's ``app.py``.
        secrets: content of ``.streamlit/secrets.toml`` (none when None).
        store: SQLite file of the store (default ``tmp / "maaor.sqlite"``).

    Returns:
        (process, base URL); the caller terminates the process.
    """
    app = tmp / "app"
    (app / ".streamlit").mkdir(parents=True)
    (app / "app.py").write_text(entry) if entry is not None else (app / "app.py").write_bytes(
        (ROOT / "app.py").read_bytes())
    (app / ".streamlit" / "config.toml").write_bytes((ROOT / ".streamlit/config.toml").read_bytes())
    if secrets is not None:
        (app / ".streamlit" / "secrets.toml").write_text(secrets)
    for name in ("maaor", "pages", "data"):
        (app / name).symlink_to(ROOT / name)
    port = free_port()
    env = dict(os.environ)
    env["MAAOR_SQLITE_PATH"] = str(store or tmp / "maaor.sqlite")
    env["PYTHONPATH"] = str(app)
    for name in ("MAAOR_DATABASE_URL", "MAAOR_COORDINATOR_PASSWORD_HASH", "MAAOR_BASEMAP_STYLE",
                 "MAAOR_PUBLIC_PRESENCE_LEVEL"):
        env.pop(name, None)
    log_path = tmp / f"streamlit-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", *args],
        cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 60 s")


def stop(proc) -> None:
    """Terminate a server started by :func:`start_copy`."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
