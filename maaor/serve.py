"""``maaor serve``: run the dashboard with the project's Streamlit configuration.

Streamlit reads ``.streamlit/config.toml`` beside the main script as well as in the
current directory, so running the ``app.py`` of :mod:`maaor.resources` (the checkout's,
or the wheel's copy in ``maaor/_app``) applies the project's configuration from any
directory. The data store is the usual one (``MAAOR_DATABASE_URL``, else the SQLite
file; installed: ``var/maaor.sqlite`` under the directory ``maaor serve`` runs in).

Unlike plain ``streamlit run app.py``, ``maaor serve`` sends the dashboard's security
headers (framing forbidden in coordinator mode, an HttpOnly browser cookie the
coordinator's sign-in is bound to, ``/_stcore/metrics`` closed): it runs Streamlit
through :mod:`maaor.ui.webserver`, which adds them before the server listens.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from maaor.config import APP_MODES
from maaor.resources import app_script


def serve_command(*, port: int = 8501, address: str | None = None,
                  max_upload_mb: int | None = None,
                  streamlit_args: Sequence[str] = ()) -> list[str]:
    """Return the command line that runs the dashboard (``streamlit run`` through
    :mod:`maaor.ui.webserver`, which adds the security headers).

    Args:
        port: the port Streamlit listens on.
        address: the address it binds (None: Streamlit's default, every interface).
        max_upload_mb: upload limit in MB (None: the project's configuration).
        streamlit_args: further ``streamlit run`` options, passed through.
    """
    cmd = [sys.executable, "-m", "maaor.ui.webserver", "run", str(app_script()),
           "--server.headless", "true", "--server.port", str(port)]
    if address:
        cmd += ["--server.address", address]
    if max_upload_mb is not None:
        cmd += ["--server.maxUploadSize", str(max_upload_mb)]
    return cmd + list(streamlit_args)


def serve_environment(mode: str | None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of the dashboard process (``MAAOR_MODE`` set when given)."""
    out = dict(os.environ if env is None else env)
    if mode:
        if mode not in APP_MODES:
            raise ValueError(f"mode must be one of {', '.join(APP_MODES)}, not {mode!r}")
        out["MAAOR_MODE"] = mode
    return out


def exec_serve(command: list[str], env: dict[str, str]) -> None:
    """Replace this process with the dashboard (signals from a supervisor reach it
    directly; nothing is left to forward them)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``maaor serve`` to ``parser``."""
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default=None,
                        help="address to bind (default: every interface; 127.0.0.1 behind "
                             "nginx)")
    parser.add_argument("--mode", choices=APP_MODES, default=None,
                        help="viewer: a public process without the Coordinator page "
                             "(MAAOR_MODE)")
    parser.add_argument("--max-upload-mb", type=int, default=None,
                        help="upload limit (default: .streamlit/config.toml)")
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                        help="after --: further `streamlit run` options")


def run(args: argparse.Namespace) -> int:
    """Run the dashboard with parsed ``args`` (replaces this process with Streamlit)."""
    extra = list(args.streamlit_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    command = serve_command(port=args.port, address=args.address,
                            max_upload_mb=args.max_upload_mb, streamlit_args=extra)
    exec_serve(command, serve_environment(args.mode))
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    """``python -m maaor.serve``: the same as ``maaor serve`` without importing the data
    tools first (a supervisor restarting a process saves that time)."""
    parser = argparse.ArgumentParser(prog="maaor serve", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
