"""A protocol-level load client for the dashboard: Streamlit's own messages, no browser.

A browser tab talks to Streamlit over one WebSocket at ``/_stcore/stream``: it sends
``BackMsg`` protobufs (``rerun_script`` with a ``ClientState``: query string, page,
widget values) and receives ``ForwardMsg`` protobufs (``new_session``, the page's
deltas, ``page_info_changed`` when the script writes the URL, ``script_finished``).
:class:`Session` speaks exactly that, so one asyncio process can hold hundreds of
sessions: :meth:`Session.open` measures a first render (connect, ask for the page, wait
for the script to finish), :meth:`Session.change_multiselect` a filter change (send the
new widget value, wait again).

The WebSocket sub-protocol header carries ``streamlit`` (the frontend also sends its
XSRF token and a previous session id there; a viewer that signs in to nothing needs
neither). Connections go to loopback addresses only: :func:`check_loopback` refuses any
other host, so the client cannot be pointed at someone else's server by mistake.

Usage as a library (see ``bench/load_scenarios.py``)::

    s = Session("http://127.0.0.1:8501", page="Presence")
    first = await s.open()               # Timing(seconds, error)
    rerun = await s.change_multiselect("flt_country", 1)
    await s.close()
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH = "/_stcore/stream"
# A run that takes longer than this counts as an error (and the session goes on).
DEFAULT_RUN_TIMEOUT_S = 120.0
FINISHED_OK = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class NotLoopback(ValueError):
    """The target is not a loopback address (load is only ever sent to 127.0.0.0/8)."""


def check_loopback(base_url: str) -> None:
    """Raise :class:`NotLoopback` unless ``base_url``'s host resolves to loopback only."""
    host = urlparse(base_url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise NotLoopback(f"cannot resolve {host!r}: {exc}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise NotLoopback(f"{base_url} is not a loopback address; load goes to 127.0.0.0/8 only")


@dataclass
class Timing:
    """One measured script run: wall seconds from request to ``script_finished``.

    ``error`` is None for a clean run, else what went wrong (an exception element, an
    error alert, a compile error, a timeout, a closed connection).
    """

    seconds: float
    error: str | None = None
    disconnected: bool = False


@dataclass
class Session:
    """One simulated browser tab on one page of the app.

    Attributes:
        base_url: ``http://127.0.0.1:PORT`` (behind nginx: nginx's address).
        page: URL path name of the page ("" for the overview, "Presence", ...).
        query: the page URL's query string without "?".
        run_timeout_s: how long a script run may take before it counts as an error.
        widgets: widget id -> its element proto, from the runs so far.
        texts: the Markdown, heading and alert texts of the last run.
    """

    base_url: str
    page: str = ""
    query: str = ""
    run_timeout_s: float = DEFAULT_RUN_TIMEOUT_S
    widgets: dict[str, object] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    page_hash: str = ""
    session_id: str = ""
    _ws: object = None

    def _ws_url(self) -> str:
        u = urlparse(self.base_url)
        scheme = "wss" if u.scheme == "https" else "ws"
        return f"{scheme}://{u.netloc}{u.path.rstrip('/')}{STREAM_PATH}"

    async def open(self) -> Timing:
        """Connect and render the page once; return the first-render timing."""
        check_loopback(self.base_url)
        start = time.monotonic()
        try:
            self._ws = await asyncio.wait_for(
                connect(self._ws_url(), subprotocols=["streamlit"], max_size=None,
                        origin=self.base_url.rstrip("/"), open_timeout=self.run_timeout_s,
                        ping_interval=20, ping_timeout=60),
                self.run_timeout_s,
            )
        except (TimeoutError, OSError, ConnectionClosed) as exc:
            return Timing(time.monotonic() - start, f"connect: {exc!r}", disconnected=True)
        except Exception as exc:  # noqa: BLE001 - a refused handshake is an error to count
            return Timing(time.monotonic() - start, f"connect: {exc!r}")
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = self.page
        return await self._run(msg, start)

    async def change_multiselect(self, key: str, option_index: int = 0) -> Timing:
        """Select option ``option_index`` in the multiselect whose key is ``key``.

        The widget is found by the user key at the end of its element id (the ids come
        from the deltas of the previous run). Returns the rerun timing.
        """
        widget = self._widget(key)
        if widget is None:
            return Timing(0.0, f"no widget with key {key!r} on the page")
        options = list(widget.options)
        if not options:
            return Timing(0.0, f"widget {key!r} has no options")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        w = state.widget_states.widgets.add()
        w.id = widget.id
        w.string_array_value.data.append(options[option_index % len(options)])
        return await self._run(msg, time.monotonic())

    def _widget(self, key: str):
        for wid, element in self.widgets.items():
            if wid.endswith("-" + key):
                return element
        return None

    async def _run(self, msg: BackMsg, start: float) -> Timing:
        """Send ``msg`` and read until the script run ends."""
        if self._ws is None:
            return Timing(0.0, "not connected", disconnected=True)
        try:
            await self._ws.send(msg.SerializeToString())
            error = await asyncio.wait_for(self._read_run(), self.run_timeout_s)
        except TimeoutError:
            return Timing(time.monotonic() - start, f"timeout after {self.run_timeout_s:.0f} s")
        except ConnectionClosed as exc:
            self._ws = None
            return Timing(time.monotonic() - start, f"disconnected: {exc!r}", disconnected=True)
        return Timing(time.monotonic() - start, error)

    async def _read_run(self) -> str | None:
        error: str | None = None
        self.texts = []
        while True:
            raw = await self._ws.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash
                self.session_id = fwd.new_session.initialize.session_id
            elif kind == "navigation":
                # The page actually run (new_session names the main script).
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                error = self._note_element(fwd.delta.new_element) or error
            elif kind == "session_event":
                if fwd.session_event.WhichOneof("type") == "script_compilation_exception":
                    error = "script compilation exception"
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    continue  # a newer run of the same session follows
                if status not in FINISHED_OK:
                    error = error or f"script finished with status {status}"
                return error

    def _note_element(self, element) -> str | None:
        """Remember widgets (by id) and texts; return an error text for error elements."""
        which = element.WhichOneof("type")
        if which == "exception":
            return f"exception: {element.exception.type}: {element.exception.message[:200]}"
        if which == "alert" and element.alert.format == Alert.ERROR:
            return f"error alert: {element.alert.body[:200]}"
        if which in ("markdown", "heading", "alert"):
            self.texts.append(getattr(element, which).body)
        inner = getattr(element, which, None) if which else None
        wid = getattr(inner, "id", "") if inner is not None else ""
        if wid:
            self.widgets[wid] = inner
        return None

    async def idle(self, seconds: float) -> bool:
        """Stay connected ``seconds`` without asking for anything; False if dropped."""
        if self._ws is None:
            return False
        deadline = time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._ws.recv(), left)
                except TimeoutError:
                    break
        except ConnectionClosed:
            self._ws = None
            return False
        return True

    async def close(self) -> None:
        """Close the connection (as a tab closing)."""
        if self._ws is not None:
            try:
                await self._ws.close()
            finally:
                self._ws = None


# ---------------------------------------------------------------------- reporting


def percentile(values: list[float], q: float) -> float | None:
    """Return the ``q`` percentile (0-100) of ``values`` (nearest-rank); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Summary:
    """Timings of one kind (first render or rerun) in one scenario."""

    n: int
    p50: float | None
    p95: float | None
    worst: float | None
    errors: int
    disconnects: int
    first_errors: list[str]


def summarise(timings: list[Timing]) -> Summary:
    """Return counts and p50/p95 of the clean runs, plus the errors and disconnects."""
    clean = [t.seconds for t in timings if t.error is None]
    errors = [t.error for t in timings if t.error is not None]
    return Summary(
        n=len(timings),
        p50=percentile(clean, 50),
        p95=percentile(clean, 95),
        worst=max(clean) if clean else None,
        errors=len(errors),
        disconnects=sum(t.disconnected for t in timings),
        first_errors=list(dict.fromkeys(errors))[:3],
    )


def rss_mb(pids: list[int]) -> float:
    """Return the summed resident memory (VmRSS) of ``pids`` in MB (0 for gone PIDs)."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def median_or_none(values: list[float]) -> float | None:
    """Return the median of ``values``, None if empty."""
    return statistics.median(values) if values else None
