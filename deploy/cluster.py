"""Run N maaor dashboard processes behind nginx under supervisord, on one shared store.

One Streamlit process uses about one CPU core; a plenary needs more. This writes a
supervisord configuration that runs N ``maaor serve`` processes on loopback ports, the
store health check (``maaor health --listen``, answering ``/healthz``) and nginx in front
(``deploy/nginx.conf.template``: sticky sessions by route cookie, WebSocket upgrade,
failover), then runs supervisord. Every process reads the same PostgreSQL store
(``MAAOR_DATABASE_URL``), so a version published through any process (or
``maaor publish``) is seen by all of them within a few seconds.

When a process dies, supervisord starts it again (``autorestart``); meanwhile nginx
takes it out of the pool (``max_fails=1 fail_timeout=5s``) and passes the request that
met the dead process to the next one (``proxy_next_upstream``), so viewers see no error.

Modes:
    viewer       ``MAAOR_MODE=viewer``: the Coordinator page says it is not available
                 here and is left out of the navigation; ``server.maxUploadSize = 1`` (MB);
                 nginx refuses Streamlit's upload endpoint and bodies over 1 MB.
    coordinator  everything, uploads up to ``--max-upload-mb`` (default 50).

Usage::

    MAAOR_DATABASE_URL=postgresql://maaor@db/maaor \\
        python deploy/cluster.py --processes 3 --listen 127.0.0.1:8080 --mode viewer

    python deploy/cluster.py --processes 3 --print-nginx        # the nginx configuration
    python deploy/cluster.py --processes 3 --print-supervisor   # the supervisord one

``--no-nginx`` runs only the app processes and the health check (nginx elsewhere, e.g.
its own container: see compose.yaml); ``--nginx-only`` runs only nginx in front of
``--backend-host``. Stops everything on Ctrl-C / SIGTERM. :class:`Cluster` is the same as
a library (tests and ``bench/load_scenarios.py`` use it).
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
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
MODES = ("viewer", "coordinator")
HEALTH_TIMEOUT_S = 90
# nginx's passive health check: one failed attempt takes a process out of the pool for
# this long (then nginx tries it again); supervisord restarts it meanwhile.
FAIL_TIMEOUT_S = 5


def free_port(host: str = "127.0.0.1") -> int:
    """Return a free TCP port on ``host``."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    """Return the nginx executable, or None when nginx is not installed."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return binary if Path(binary).exists() else None


FRAME_ANCESTORS_ENV = "MAAOR_FRAME_ANCESTORS"  # read through maaor.config


def frame_headers(mode: str, frame_ancestors: str | None = None) -> tuple[str, str]:
    """Return (CSP frame-ancestors sources, X-Frame-Options directive line) for ``mode``:
    the policy of :func:`maaor.headers.frame_policy` (the one ``maaor serve`` sends too)
    as nginx directives."""
    from maaor.headers import frame_policy

    policy = frame_policy(mode, frame_ancestors)
    if policy.frame_options:
        return policy.ancestors, f"add_header X-Frame-Options {policy.frame_options} always;"
    return policy.ancestors, "# X-Frame-Options left out: other origins may embed the pages"


def nginx_config(*, prefix: Path, listen: str, ports: list[int], mode: str,
                 max_upload_mb: int, backend_host: str = "127.0.0.1",
                 health: str | None = None, frame_ancestors: str | None = None) -> str:
    """Return the nginx configuration for ``ports`` (rendered from the template).

    Args:
        prefix: folder for nginx's pid file, logs and temporary files.
        listen: what nginx listens on ("127.0.0.1:8080").
        ports: the Streamlit processes' ports.
        mode: "viewer" or "coordinator".
        max_upload_mb: the coordinator's upload limit (viewer mode: 1 MB).
        backend_host: where the Streamlit processes listen.
        health: "host:port" of ``maaor health --listen`` (None: ``/healthz`` answers 404).
        frame_ancestors: viewer mode: who may frame the pages (see :func:`frame_headers`).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    upstreams = "\n        ".join(
        f"server {backend_host}:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;" for p in ports
    )
    viewer = mode == "viewer"
    upload_rule = (
        "location /_stcore/upload_file { return 403; }" if viewer
        else "# coordinator mode: uploads pass through (limit: client_max_body_size)"
    )
    health_rule = (
        f"location = /healthz {{ proxy_pass http://{health}/healthz; "
        "proxy_set_header Connection close; }" if health
        else "location = /healthz { return 404; }"
    )
    # Multipart framing adds a little to the file itself.
    max_body = "1m" if viewer else f"{max_upload_mb + 1}m"
    ancestors, frame_options = frame_headers(mode, frame_ancestors)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"prefix": str(prefix), "listen": listen, "upstreams": upstreams,
                       "max_body": max_body, "upload_rule": upload_rule,
                       "health_rule": health_rule, "frame_ancestors": ancestors,
                       "frame_options": frame_options}.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def app_command(port: int, mode: str, max_upload_mb: int, address: str = "127.0.0.1",
                python: str | None = None) -> list[str]:
    """Return the command line of one dashboard process (``maaor serve``, as
    ``python -m maaor.serve``: it skips importing the data tools before Streamlit)."""
    upload = 1 if mode == "viewer" else max_upload_mb
    return [python or sys.executable, "-m", "maaor.serve", "--port", str(port),
            "--address", address, "--mode", mode, "--max-upload-mb", str(upload)]


def _quote(arg: str) -> str:
    # supervisord splits its command with shlex; '%' starts its own expansions.
    import shlex

    return shlex.quote(arg).replace("%", "%%")


def supervisor_config(*, workdir: Path, ports: list[int], mode: str, max_upload_mb: int,
                      address: str = "127.0.0.1", health_port: int | None = None,
                      nginx_conf: Path | None = None, directory: Path = ROOT,
                      environment: dict[str, str] | None = None,
                      python: str | None = None) -> str:
    """Return the supervisord configuration of a cluster.

    Args:
        workdir: folder of supervisord's socket, pid file and process logs.
        ports: one dashboard process per port (program ``app-PORT``).
        mode: "viewer" or "coordinator".
        max_upload_mb: coordinator-mode upload limit.
        address: the address the processes bind.
        health_port: run ``maaor health --listen address:PORT`` (program ``health``).
        nginx_conf: run nginx with this configuration (program ``nginx``).
        directory: the processes' working directory (an installed maaor needs none in
            particular; a checkout needs itself). Relative SQLite paths start here.
        environment: variables the processes get on top of supervisord's own.
        python: the interpreter that has maaor (default: this one).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    env = ",".join(f'{k}="{v.replace(chr(34), "")}"'.replace("%", "%%")
                   for k, v in sorted((environment or {}).items()))
    lines = [
        "; Written by deploy/cluster.py: maaor dashboard processes under supervisord.",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={workdir / 'supervisord.log'}",
        f"pidfile={workdir / 'supervisord.pid'}",
        f"childlogdir={workdir}",
        "",
        "[unix_http_server]",
        f"file={workdir / 'supervisor.sock'}",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{workdir / 'supervisor.sock'}",
        "",
    ]

    def program(name: str, command: list[str], start_s: int) -> list[str]:
        return [
            f"[program:{name}]",
            "command=" + " ".join(_quote(a) for a in command),
            f"directory={directory}",
            *([f"environment={env}"] if env else []),
            "autostart=true",
            # A process that dies is started again at once, however often.
            "autorestart=true",
            f"startsecs={start_s}",
            "startretries=1000",
            "stopsignal=TERM",
            "stopwaitsecs=15",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={workdir / (name + '.log')}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=3",
            "",
        ]

    for port in ports:
        lines += program(f"app-{port}", app_command(port, mode, max_upload_mb, address,
                                                     python), 2)
    if health_port:
        lines += program("health", [python or sys.executable, "-m", "maaor", "health",
                                    "--listen", f"{address}:{health_port}"], 1)
    if nginx_conf is not None:
        binary = nginx_binary() or "/usr/sbin/nginx"
        prefix = nginx_conf.parent
        lines += program("nginx", [binary, "-p", str(prefix), "-c", str(nginx_conf),
                                   "-e", str(prefix / "error.log")], 1)
    return "\n".join(lines)


def _wait_healthy(url: str, check, timeout_s: float = HEALTH_TIMEOUT_S,
                  path: str = "/_stcore/health") -> None:
    """Wait until ``url + path`` answers 200; ``check()`` raises when it never will."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        check()
        try:
            with urllib.request.urlopen(url + path, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}{path} did not answer 200 in {timeout_s} s")


def supervisor_rpc(socket_path: Path):
    """Return an XML-RPC proxy of the supervisord listening on ``socket_path``."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, f"unix://{socket_path}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


@dataclass
class Cluster:
    """N dashboard processes, the health check and (optionally) nginx under supervisord;
    a context manager.

    Attributes:
        workdir: folder for configs, logs, the supervisor socket and nginx's files.
        processes: how many dashboard processes.
        mode: "viewer" or "coordinator".
        database_url: the shared store (None: keep the environment's MAAOR_DATABASE_URL).
        nginx: put nginx in front (False: ``url`` is the first process itself).
        listen_port: nginx's port (default: a free one).
        listen_host: nginx's address (default loopback; "0.0.0.0" to serve a network).
        max_upload_mb: coordinator-mode upload limit.
        env: extra environment of the processes.
        base_port: first of consecutive process ports (default: free ports).
        backend_host: the address the processes and the health check bind.
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
    base_port: int | None = None
    backend_host: str = "127.0.0.1"
    ports: list[int] = field(default_factory=list)
    health_port: int = 0
    supervisor: subprocess.Popen | None = None
    url: str = ""

    @property
    def backend_urls(self) -> list[str]:
        """Each dashboard process's own URL."""
        host = "127.0.0.1" if self.backend_host in ("0.0.0.0", "*") else self.backend_host
        return [f"http://{host}:{p}" for p in self.ports]

    @property
    def health_url(self) -> str:
        """The health check's own URL (``/healthz`` answers there)."""
        host = "127.0.0.1" if self.backend_host in ("0.0.0.0", "*") else self.backend_host
        return f"http://{host}:{self.health_port}"

    @property
    def socket_path(self) -> Path:
        """supervisord's control socket (``supervisorctl -s unix://...``)."""
        return self.workdir / "supervisor.sock"

    def process_info(self) -> dict[str, dict]:
        """Return supervisord's view of every program: name -> info (state, pid...)."""
        return {i["name"]: i for i in supervisor_rpc(self.socket_path).supervisor
                .getAllProcessInfo()}

    @property
    def pids(self) -> list[int]:
        """PIDs of the dashboard processes (for memory readings), in port order."""
        info = self.process_info()
        return [int(info[f"app-{p}"]["pid"]) for p in self.ports]

    def _environment(self) -> dict[str, str]:
        env = {"MAAOR_MODE": self.mode}
        if self.database_url:
            env["MAAOR_DATABASE_URL"] = self.database_url
        env.update(self.env)
        return env

    def write_configs(self) -> Path:
        """Write nginx.conf and supervisord.conf into ``workdir``; return the latter."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.ports:
            self.ports = ([self.base_port + i for i in range(self.processes)]
                          if self.base_port else [free_port() for _ in range(self.processes)])
        self.health_port = self.health_port or free_port()
        nginx_conf = None
        if self.nginx:
            if nginx_binary() is None:
                raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx)")
            prefix = self.workdir / "nginx"
            prefix.mkdir(parents=True, exist_ok=True)
            self.listen_port = self.listen_port or free_port()
            nginx_conf = prefix / "nginx.conf"
            host = "127.0.0.1" if self.backend_host in ("0.0.0.0", "*") else self.backend_host
            nginx_conf.write_text(nginx_config(
                prefix=prefix, listen=f"{self.listen_host}:{self.listen_port}",
                ports=self.ports, mode=self.mode, max_upload_mb=self.max_upload_mb,
                backend_host=host, health=f"{host}:{self.health_port}"), encoding="utf-8")
        conf = self.workdir / "supervisord.conf"
        conf.write_text(supervisor_config(
            workdir=self.workdir, ports=self.ports, mode=self.mode,
            max_upload_mb=self.max_upload_mb, address=self.backend_host,
            health_port=self.health_port, nginx_conf=nginx_conf,
            environment=self._environment()), encoding="utf-8")
        return conf

    def start(self) -> Cluster:
        """Start supervisord with every program; wait until all answer."""
        conf = self.write_configs()
        # The first process bootstraps an empty store; the others then find it.
        env = {**os.environ, **self._environment()}
        subprocess.run([sys.executable, "-c", "from maaor import service; service.open_store()"],
                       cwd=ROOT, env=env, check=True, timeout=HEALTH_TIMEOUT_S)
        log = (self.workdir / "supervisord.stdout").open("wb")
        self.supervisor = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(conf)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            for url in self.backend_urls:
                _wait_healthy(url, self._check_running)
            _wait_healthy(self.health_url, self._check_running, path="/healthz")
            if self.nginx:
                host = "127.0.0.1" if self.listen_host in ("0.0.0.0", "*") else self.listen_host
                self.url = f"http://{host}:{self.listen_port}"
                _wait_healthy(self.url, self._check_running)
            else:
                self.url = self.backend_urls[0]
        except BaseException:
            self.stop()
            raise
        return self

    def _check_running(self) -> None:
        if self.supervisor is not None and self.supervisor.poll() is not None:
            text = (self.workdir / "supervisord.log").read_text(errors="replace") \
                if (self.workdir / "supervisord.log").exists() else ""
            raise RuntimeError(f"supervisord exited ({self.supervisor.returncode})\n"
                               f"{text[-3000:]}")

    def stop(self) -> None:
        """Stop supervisord, which stops every program it runs."""
        proc = self.supervisor
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
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
    ap.add_argument("--base-port", type=int, default=8501,
                    help="first process port; the others follow (default 8501)")
    ap.add_argument("--health-port", type=int, default=8590,
                    help="port of the store health check, /healthz (default 8590)")
    ap.add_argument("--backend-host", default="127.0.0.1",
                    help="address the processes bind (0.0.0.0 when nginx runs elsewhere)")
    ap.add_argument("--no-nginx", action="store_true",
                    help="run only the processes and the health check (nginx elsewhere)")
    ap.add_argument("--nginx-only", action="store_true",
                    help="run only nginx, in front of --backend-host")
    ap.add_argument("--print-nginx", action="store_true",
                    help="print the nginx configuration and exit")
    ap.add_argument("--print-supervisor", action="store_true",
                    help="print the supervisord configuration and exit")
    args = ap.parse_args(argv)
    ports = [args.base_port + i for i in range(args.processes)]
    health = f"{args.backend_host}:{args.health_port}"
    host, _, port = args.listen.rpartition(":")
    if args.print_nginx or args.nginx_only:
        text = nginx_config(prefix=args.workdir / "nginx", listen=args.listen, ports=ports,
                            mode=args.mode, max_upload_mb=args.max_upload_mb,
                            backend_host=args.backend_host, health=health)
        if args.print_nginx:
            print(text)
            return 0
        prefix = args.workdir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "nginx.conf").write_text(text, encoding="utf-8")
        binary = nginx_binary() or "nginx"
        os.execv(binary, [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                          "-e", "/dev/stderr"])
    if args.print_supervisor:
        print(supervisor_config(workdir=args.workdir, ports=ports, mode=args.mode,
                                max_upload_mb=args.max_upload_mb, address=args.backend_host,
                                health_port=args.health_port,
                                nginx_conf=None if args.no_nginx
                                else args.workdir / "nginx" / "nginx.conf"))
        return 0
    if str(ROOT) not in sys.path:  # run as a script: the repository is not on the path
        sys.path.insert(0, str(ROOT))
    from maaor.config import ConfigError, settings

    try:
        shared_store = settings().database_url_set
    except ConfigError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 2
    if not shared_store and args.processes > 1:
        print("cluster: set MAAOR_DATABASE_URL to the shared PostgreSQL store "
              "(several processes on one SQLite file is not a supported deployment)",
              file=sys.stderr)
        return 2
    cluster = Cluster(args.workdir, processes=args.processes, mode=args.mode,
                      nginx=not args.no_nginx, listen_port=int(port),
                      listen_host=host or "127.0.0.1", max_upload_mb=args.max_upload_mb,
                      base_port=args.base_port, backend_host=args.backend_host,
                      health_port=args.health_port)
    stop = {"now": False}

    def _stop(*_):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with cluster:
        print(f"maaor ({args.mode} mode): {cluster.url} -> {', '.join(cluster.backend_urls)}; "
              f"health {cluster.health_url}/healthz; "
              f"supervisorctl -s unix://{cluster.socket_path} status", flush=True)
        while not stop["now"] and cluster.supervisor.poll() is None:
            time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
