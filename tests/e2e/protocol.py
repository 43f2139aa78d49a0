"""A browser-less Streamlit client for the security tests: one WebSocket session that
sends its own cookies, may ask to resume a given session id (as Streamlit's frontend
does on reconnect, with the subprotocols ``["streamlit", <xsrf>, <session id>]``), runs
pages, fills the coordinator's password form, and uploads files.
"""

from __future__ import annotations

import http.client
import os
import secrets
import time
import urllib.request
from dataclasses import dataclass, field


def new_xsrf_cookie(url: str) -> str:
    """A fresh XSRF cookie from the server (each call: another "browser")."""
    with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";")[0]
    raise AssertionError("no _streamlit_xsrf cookie")


@dataclass
class Browser:
    """One simulated browser tab.

    Attributes:
        url: ``http://127.0.0.1:PORT``.
        xsrf: this browser's XSRF cookie value (also sent as the token).
        extra_cookies: more cookies to send (e.g. nginx's route cookie).
        session_id: the session this tab runs in (set by :meth:`connect`).
        texts: Markdown, caption, heading and alert texts of the last run.
        widgets: widget id -> element proto, from the runs so far.
    """

    url: str
    xsrf: str
    extra_cookies: dict[str, str] = field(default_factory=dict)
    session_id: str = ""
    page_hash: str = ""
    texts: list[str] = field(default_factory=list)
    widgets: dict[str, object] = field(default_factory=dict)
    _ws: object = None

    def cookie_header(self) -> str:
        return "; ".join([f"_streamlit_xsrf={self.xsrf}",
                          *(f"{k}={v}" for k, v in self.extra_cookies.items())])

    def connect(self, resume: str | None = None, page: str = "") -> Browser:
        """Open the WebSocket (resuming session ``resume`` if given) and run ``page``."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from websockets.sync.client import connect

        protocols = ["streamlit", self.xsrf] + ([resume] if resume else [])
        self._ws = connect(self.url.replace("http://", "ws://") + "/_stcore/stream",
                           subprotocols=protocols, origin=self.url, max_size=None,
                           open_timeout=30,
                           additional_headers={"Cookie": self.cookie_header()}, legacy=True)
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page
        self._run(msg)
        return self

    def _run(self, msg) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._ws.send(msg.SerializeToString())
        self.texts = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            fwd = ForwardMsg()
            fwd.ParseFromString(self._ws.recv(timeout=120))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                inner = getattr(element, which, None) if which else None
                if which in ("markdown", "heading", "alert"):
                    self.texts.append(inner.body)
                wid = getattr(inner, "id", "") if inner is not None else ""
                if wid:
                    self.widgets[wid] = inner
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    continue
                return
        raise AssertionError("the script run did not finish in 120 s")

    def rerun(self) -> Browser:
        """Run the current page again (a widget-free rerun)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        self._run(msg)
        return self

    def sign_in(self, password: str) -> Browser:
        """Type ``password`` into the coordinator form and submit it (two runs: the
        submit, then the page's own ``st.rerun``)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        box = next(w for i, w in self.widgets.items() if i.endswith("-coord_password"))
        submit = next(w for w in self.widgets.values()
                      if getattr(w, "is_form_submitter", False))
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_hash
        typed = state.widget_states.widgets.add()
        typed.id = box.id
        typed.string_value = password
        pressed = state.widget_states.widgets.add()
        pressed.id = submit.id
        pressed.trigger_value = True
        self._run(msg)
        time.sleep(0.5)
        return self.rerun()

    def signed_in(self) -> bool:
        return any("Signed in as coordinator" in t for t in self.texts)

    def upload(self, size: int, file_id: str | None = None, session: str | None = None,
               data: bytes | None = None, name: str = "x.csv") -> int:
        """PUT a multipart upload of ``size`` random bytes (or ``data``) named ``name``
        into ``session`` (default this tab's); return the HTTP status."""
        boundary = "maaorboundary" + secrets.token_hex(4)
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
        payload = os.urandom(size) if data is None else data
        body = head + payload + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Cookie": self.cookie_header(), "X-Xsrftoken": self.xsrf}
        host, port = self.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        path = (f"/_stcore/upload_file/{session or self.session_id}/"
                f"{file_id or secrets.token_hex(8)}")
        try:
            conn.request("PUT", path, body=body, headers=headers)
            return conn.getresponse().status
        except (ConnectionResetError, BrokenPipeError):
            return 0  # the server refused and closed before reading the whole body
        finally:
            conn.close()

    def widget(self, key: str):
        """The element of the widget whose user key is ``key`` (last run that drew it)."""
        return next(w for i, w in self.widgets.items() if i.endswith("-" + key))

    def send(self, *states) -> Browser:
        """Run the current page with widget ``states``: ``(key, field, value)`` sets the
        widget's proto ``field`` ("string_value", "trigger_value", ...), as the
        frontend does when the user types, picks or presses."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        for key, name, value in states:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.widget(key).id
            if name == "file_uploader_state_value":
                for file_id, file_name, size in value:
                    info = state.file_uploader_state_value.uploaded_file_info.add()
                    info.file_id, info.name, info.size = file_id, file_name, size
            else:
                setattr(state, name, value)
        self._run(msg)
        return self

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None
