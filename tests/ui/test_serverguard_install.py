"""The upload guard's installation: uploads held before it are dropped from a real
upload store, and a stand-in runtime without one (AppTest's) is left alone."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import MagicMock

from maaor.ui import serverguard


class _Manager:
    def __init__(self, storage):
        self.file_storage = storage
        self.removed: list[str] = []

    def add_file(self, session_id, file):  # pragma: no cover - wrapped, not called
        pass

    def remove_session_files(self, session_id):
        self.removed.append(session_id)


def _install_on(monkeypatch, manager):
    runtime = SimpleNamespace(uploaded_file_mgr=manager, is_active_session=lambda s: True)
    monkeypatch.setattr(serverguard, "_runtime", lambda: runtime)
    monkeypatch.setattr(serverguard, "_installed_on", None)
    monkeypatch.setattr(serverguard, "fix_allocator_thresholds", lambda: None)
    monkeypatch.setattr(serverguard, "_allowed", {"coordinator"})
    assert serverguard.install()


def test_uploads_held_before_the_guard_are_dropped_except_a_coordinators(monkeypatch):
    manager = _Manager({"viewer": {"f": object()}, "coordinator": {"g": object()}})
    _install_on(monkeypatch, manager)
    assert manager.removed == ["viewer"]


def test_a_runtime_without_a_real_upload_store_is_not_walked(monkeypatch):
    manager = _Manager(MagicMock())
    _install_on(monkeypatch, manager)
    assert manager.removed == []


def test_apptests_stand_in_runtime_gets_no_guard(monkeypatch):
    """AppTest's runtime is a mock with no upload endpoint: nothing is wrapped."""
    from streamlit.runtime import Runtime

    stand_in = MagicMock(spec=Runtime)
    monkeypatch.setattr(Runtime, "_instance", stand_in)
    monkeypatch.setattr(serverguard, "_installed_on", None)
    assert serverguard._runtime() is None
    assert serverguard.install() is False
    assert serverguard._installed_on is None
