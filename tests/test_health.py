"""maaor health: the store's health for people (exit code, JSON) and for nginx and the
supervisor (/healthz): it fails while the store is down and recovers when it is back."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from maaor import service
from maaor.cli import main


@pytest.fixture
def fresh_service():
    service.reset_for_tests()
    yield
    service.reset_for_tests()


def test_health_of_a_new_store_reports_the_bootstrapped_version(tmp_path, monkeypatch,
                                                                fresh_service, capsys):
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    assert main(["health"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["store_reachable"] is True
    assert report["backend"] == "sqlite"
    assert report["current_version"] == 1
    assert report["schema_version"] == report["schema_expected"] >= 1
    assert report["last_publish"] is not None and report["error"] is None


def test_health_fails_when_the_store_cannot_be_reached(monkeypatch, fresh_service, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MAAOR_DATABASE_URL", f"postgresql://maaor@127.0.0.1:{port}/maaor")
    monkeypatch.setenv("MAAOR_PG_CONNECT_TIMEOUT_S", "2")
    assert main(["health"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["store_reachable"] is False
    assert report["current_version"] is None and report["schema_version"] is None
    assert "cannot be reached" in report["error"]


class Forwarder:
    """A TCP forwarder on a fixed local port to the PostgreSQL server: stopping it
    stands for the database going down (every open connection is cut)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        try:  # wakes the thread blocked in accept() (close alone would not, on Linux)
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for s in self._conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._conns.clear()


def _healthz(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _wait_for(url: str, status: int, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        got, report = _healthz(url)
        if got == status or time.monotonic() > deadline:
            assert got == status, report
            return report
        time.sleep(0.3)


@pytest.mark.postgres
def test_healthz_fails_while_the_store_is_down_and_recovers(pg_store_url, monkeypatch,
                                                           fresh_service):
    import sqlalchemy as sa

    from maaor.config import normalise_database_url
    from maaor.health import health_server

    real = sa.make_url(normalise_database_url(pg_store_url))
    forwarder = Forwarder((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    monkeypatch.setenv("MAAOR_DATABASE_URL", url)
    monkeypatch.setenv("MAAOR_PG_CONNECT_TIMEOUT_S", "2")
    forwarder.start()
    server = health_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    healthz = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    try:
        up = _wait_for(healthz, 200)
        assert up["ok"] and up["current_version"] == 1 and up["backend"] == "postgresql"
        forwarder.stop()  # the database goes away
        down = _wait_for(healthz, 503)
        assert down["ok"] is False and down["store_reachable"] is False
        assert "cannot be reached" in down["error"]
        forwarder.start()  # and comes back on the same address
        back = _wait_for(healthz, 200)
        assert back["ok"] and back["current_version"] == 1
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(healthz.replace("/healthz", "/other"), timeout=5)
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
        forwarder.stop()
