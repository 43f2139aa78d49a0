"""Is this deployment able to serve the data? ``maaor health`` and the ``/healthz`` check.

Streamlit's own ``/_stcore/health`` answers "ok" as long as the process runs, even when
the store is unreachable and every page says the data cannot be read. This check opens
the configured store (``MAAOR_DATABASE_URL`` / the SQLite file) the way the app does
(an empty store gets the bundled data as version 1, as on the app's first start) and
reads the current version, the schema version and the last publish time.

:func:`health_report` is the one check; ``maaor health`` prints it (exit 0/1) and
``maaor health --listen HOST:PORT`` answers it over HTTP on ``/healthz`` (200 or 503),
for nginx's ``/healthz`` location, supervisord, compose and outside monitors.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_log = logging.getLogger(__name__)
HEALTH_PATHS = ("/healthz", "/")
# Several monitors asking at once share one check (a check opens database connections).
CACHE_S = 1.0


def health_report() -> dict[str, Any]:
    """Check the configured store.

    Returns:
        ``{"ok", "store_reachable", "backend", "current_version", "schema_version",
        "schema_expected", "last_publish", "error", "checked_at", "seconds"}``; ``ok`` is
        True when the store answers, has a current version and the schema this code knows.
    """
    from maaor import service
    from maaor.config import ConfigError, database_url
    from maaor.store import StoreError
    from maaor.store.migrations import latest_version

    started = time.perf_counter()
    report: dict[str, Any] = {
        "ok": False, "store_reachable": False, "backend": None, "current_version": None,
        "schema_version": None, "schema_expected": latest_version(), "last_publish": None,
        "error": None,
    }
    try:
        report["backend"] = database_url().split(":", 1)[0].split("+", 1)[0]
        store = service.open_store()
        report["schema_version"] = store.schema_version()
        report["current_version"] = store.current_version()
        report["store_reachable"] = True
        newest = next(iter(store.history()), None)
        if newest is not None and newest.created_at is not None:
            report["last_publish"] = newest.created_at.isoformat(timespec="seconds")
    except (StoreError, ConfigError, RuntimeError) as exc:
        # RuntimeError: the bundled data could not bootstrap an empty store.
        report["error"] = str(exc)
    if report["store_reachable"]:
        if report["current_version"] is None:
            report["error"] = "the data store holds no published version"
        elif report["schema_version"] != report["schema_expected"]:
            report["error"] = (f"schema version {report['schema_version']}, this maaor "
                               f"expects {report['schema_expected']}")
        else:
            report["ok"] = True
    report["checked_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


class _CachedCheck:
    """:func:`health_report`, shared by requests within :data:`CACHE_S` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = -1e9
        self._report: dict[str, Any] = {}
        self._was_ok: bool | None = None

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if time.monotonic() - self._at >= CACHE_S:
                self._report = health_report()
                self._at = time.monotonic()
                if self._report["ok"] != self._was_ok:  # log changes, not every probe
                    level = logging.INFO if self._report["ok"] else logging.ERROR
                    _log.log(level, "health: %s", "ok" if self._report["ok"]
                             else f"failing: {self._report['error']}",
                             extra={"event": "health", "ok": self._report["ok"]})
                    self._was_ok = self._report["ok"]
            return self._report


def health_server(host: str, port: int) -> ThreadingHTTPServer:
    """Return an HTTP server answering ``GET /healthz`` with the health report as JSON:
    200 when ``ok``, 503 otherwise. Call ``serve_forever()`` on it."""
    check = _CachedCheck()

    class Handler(BaseHTTPRequestHandler):
        server_version = "maaor-health"
        sys_version = ""

        def _answer(self, body: bool) -> None:
            if self.path.split("?", 1)[0] not in HEALTH_PATHS:
                self.send_error(404)
                return
            report = check()
            data = json.dumps(report).encode()
            self.send_response(200 if report["ok"] else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # probes every few seconds would drown the log; changes are logged

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
