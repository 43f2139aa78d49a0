"""Run several maaor Streamlit processes behind nginx, all on one shared store.

One Streamlit process uses about one CPU core; a plenary needs more. This starts N
``streamlit run app.py`` processes on consecutive loopback ports and nginx in front
(``deploy/nginx.conf.template``: sticky sessions by route cookie, WebSocket upgrade),
every process reading the same PostgreSQL store (``MAAOR_DATABASE_URL``), so a version
published through any process (or ``python -m maaor publish``) is seen by all of them
within a few seconds (the current version is re-read every 5 s).

Modes:
    viewer       ``MAAOR_MODE=viewer``: the Coordinator page says it is not available
                 here and is left out of the navigation; ``server.maxUploadSize = 1`` (MB);
                 nginx refuses Streamlit's upload endpoint and bodies over 1 MB.
    coordinator  everything, uploads up to ``--max-upload-mb`` (default 50).

Usage::

    MAAOR_DATABASE_URL=postgresql://maaor@db/maaor \\
        .venv/bin/python deploy/cluster.py --processes 3 --listen 127.0.0.1:8080 --mode viewer

    .venv/bin/python deploy/cluster.py --processes 3 --print-nginx   # show the nginx config

Stops everything on Ctrl-C / SIGTERM. :class:`Cluster` is the same as a library (tests
and ``bench/load_scenarios.py`` use it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
MODES = ("viewer", "coordinator")
HEALTH_TIMEOUT_S = 90


def free_port(host: str = "127.0.0.1") -> int:
    """Return a free TCP port on ``host``."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


FRAME_ANCESTORS_ENV = "MAAOR_FRAME_ANCESTORS"


def frame_headers(mode: str, frame_ancestors: str | None = None) -> tuple[str, str]:
    """Return (CSP frame-ancestors sources, X-Frame-Options directive line) for ``mode``.

    Coordinator mode is never framed (the single-page app can navigate a framed page to
    the Coordinator page). Viewer mode is framed by its own origin, or by the sources
    in ``frame_ancestors`` / ``MAAOR_FRAME_ANCESTORS`` (e.g.
    ``"'self' https://www.example.org"``); X-Frame-Options, which cannot name other
    origins, is then left out.
    """
    if mode == "coordinator":
        return "'none'", "add_header X-Frame-Options DENY always;"
    sources = (frame_ancestors if frame_ancestors is not None
               else os.environ.get(FRAME_ANCESTORS_ENV, "")).strip() or "'self'"
    if any(c in sources for c in '";{}\n'):
        raise ValueError(f"{FRAME_ANCESTORS_ENV} holds characters nginx cannot quote")
    if sources == "'self'":
        return sources, "add_header X-Frame-Options SAMEORIGIN always;"
    return sources, "# X-Frame-Options left out: other origins may embed the pages"


def nginx_config(*, prefix: Path, listen: str, ports: list[int], mode: str,
                 max_upload_mb: int, backend_host: str = "127.0.0.1",
                 frame_ancestors: str | None = None) -> str:
    """Return the nginx configuration for ``ports`` (rendered from the template).

    Args:
        prefix: folder for nginx's pid file, logs and temporary files.
        listen: what nginx listens on ("127.0.0.1:8080").
        ports: the Streamlit processes' ports.
        mode: "viewer" or "coordinator".
        max_upload_mb: the coordinator's upload limit (viewer mode: 1 MB).
        backend_host: where the Streamlit processes listen.
        frame_ancestors: viewer mode: who may frame the pages (see :func:`frame_headers`).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    upstreams = "\n        ".join(
        f"server {backend_host}:{p} max_fails=0;" for p in ports
    )
    viewer = mode == "viewer"
    upload_rule = (
        "location /_stcore/upload_file { return 403; }" if viewer
        else "# coordinator mode: uploads pass through (limit: client_max_body_size)"
    )
    # Multipart framing adds a little to the file itself.
    max_body = "1m" if viewer else f"{max_upload_mb + 1}m"
    ancestors, frame_options = frame_headers(mode, frame_ancestors)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"prefix": str(prefix), "listen": listen, "upstreams": upstreams,
                       "max_body": max_body, "upload_rule": upload_rule,
                       "frame_ancestors": ancestors, "frame_options": frame_options}.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def streamlit_command(port: int, mode: str, max_upload_mb: int,
                      address: str = "127.0.0.1") -> list[str]:
    """Return the command line of one Streamlit process of the cluster."""
    upload = 1 if mode == "viewer" else max_upload_mb
    return [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", address, "--server.maxUploadSize", str(upload),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]


def _wait_healthy(url: str, proc: subprocess.Popen | None, log: Path | None) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            text = log.read_text(errors="replace") if log and log.exists() else ""
            raise RuntimeError(f"{url}: process exited ({proc.returncode})\n{text[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy in {HEALTH_TIMEOUT_S} s")


@dataclass
class Cluster:
    """N Streamlit processes and (optionally) nginx in front; a context manager.

    Attributes:
        workdir: folder for logs, the rendered nginx config and nginx's files.
        processes: how many Streamlit processes.
        mode: "viewer" or "coordinator".
        database_url: the shared store (None: keep the environment's MAAOR_DATABASE_URL).
        nginx: put nginx in front (False: ``url`` is the first process itself).
        listen_port: nginx's port (default: a free one).
        listen_host: nginx's address (default loopback; "0.0.0.0" to serve a network).
        max_upload_mb: coordinator-mode upload limit.
        env: extra environment of the Streamlit processes.
    """

    workdir: Path
    processes: int = 3
    mode: str = "viewer"
    database_url: str | None = None
    nginx: bool = True
    listen_port: int | None = None
    listen_host: str = "127.0.0.1"
    max_upload_mb: int = 50
    env: dict[str, str] = field(default_factory=dict)
    ports: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen] = field(default_factory=list)
    nginx_proc: subprocess.Popen | None = None
    url: str = ""

    @property
    def backend_urls(self) -> list[str]:
        """Each Streamlit process's own URL."""
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    @property
    def pids(self) -> list[int]:
        """PIDs of the Streamlit processes (for memory readings)."""
        return [p.pid for p in self.procs]

    def start(self) -> Cluster:
        """Start the processes (in parallel) and nginx; wait until all are healthy."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["MAAOR_MODE"] = self.mode
        if self.database_url:
            env["MAAOR_DATABASE_URL"] = self.database_url
        env.update(self.env)
        self.ports = [free_port() for _ in range(self.processes)]
        logs = []
        try:
            for i, port in enumerate(self.ports):
                log = self.workdir / f"streamlit-{port}.log"
                logs.append(log)
                self.procs.append(subprocess.Popen(
                    streamlit_command(port, self.mode, self.max_upload_mb),
                    cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                ))
                if i == 0:
                    # The first process bootstraps an empty store; the others then find it.
                    _wait_healthy(self.backend_urls[0], self.procs[0], log)
            for url, proc, log in zip(self.backend_urls, self.procs, logs, strict=False):
                _wait_healthy(url, proc, log)
            if self.nginx:
                self._start_nginx()
            else:
                self.url = self.backend_urls[0]
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nginx(self) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx)")
        prefix = self.workdir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        port = self.listen_port or free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix=prefix, listen=f"{self.listen_host}:{port}",
                                     ports=self.ports, mode=self.mode,
                                     max_upload_mb=self.max_upload_mb), encoding="utf-8")
        log = prefix / "stderr.log"
        self.nginx_proc = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
            stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        host = "127.0.0.1" if self.listen_host in ("0.0.0.0", "*") else self.listen_host
        self.url = f"http://{host}:{port}"
        _wait_healthy(self.url, self.nginx_proc, log)

    def stop(self) -> None:
        """Stop nginx and every Streamlit process this cluster started."""
        for proc in ([self.nginx_proc] if self.nginx_proc else []) + self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in ([self.nginx_proc] if self.nginx_proc else []) + self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Command line: start a cluster and keep it running until interrupted."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=3)
    ap.add_argument("--listen", default="127.0.0.1:8080",
                    help="nginx address:port (default 127.0.0.1:8080)")
    ap.add_argument("--mode", choices=MODES, default="viewer")
    ap.add_argument("--max-upload-mb", type=int, default=50)
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "cluster")
    ap.add_argument("--print-nginx", action="store_true",
                    help="print the nginx configuration for --processes ports and exit")
    args = ap.parse_args(argv)
    if args.print_nginx:
        ports = [8501 + i for i in range(args.processes)]
        print(nginx_config(prefix=args.workdir / "nginx", listen=args.listen, ports=ports,
                           mode=args.mode, max_upload_mb=args.max_upload_mb))
        return 0
    if not os.environ.get("MAAOR_DATABASE_URL") and args.processes > 1:
        print("cluster: set MAAOR_DATABASE_URL to the shared PostgreSQL store "
              "(several processes on one SQLite file is not a supported deployment)",
              file=sys.stderr)
        return 2
    host, _, port = args.listen.rpartition(":")
    cluster = Cluster(args.workdir, processes=args.processes, mode=args.mode,
                      listen_port=int(port), listen_host=host or "127.0.0.1",
                      max_upload_mb=args.max_upload_mb)
    stop = {"now": False}

    def _stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with cluster:
        print(f"maaor ({args.mode} mode): {cluster.url} -> {', '.join(cluster.backend_urls)}",
              flush=True)
        while not stop["now"] and all(p.poll() is None for p in cluster.procs):
            time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
