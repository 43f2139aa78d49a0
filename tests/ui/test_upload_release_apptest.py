"""AppTest of releasing a consumed upload (issue 12, item 5): after Publish or "Discard
these files" the page holds no copy of the files (no prepared upload, a new empty
uploader whose old widget state is gone) and asks Streamlit's upload store to drop
them. Memory over the running server: ``tests/e2e/test_upload_release_e2e.py``."""

from __future__ import annotations

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from maaor import service
from maaor.ui import coordinator, serverguard
from tests.ui.test_coordinator_apptest import (
    CLEAN,
    WITH_ERRORS,
    signed_in,
    store_env,  # noqa: F401 - fixture
    texts,
    upload,
)

NONE_YET = "Upload one or more files to check them. Nothing is published until you press Publish."


def released(at) -> bool:
    """The page holds no prepared upload and shows a fresh, empty uploader."""
    uploader = at.file_uploader(key=f"{coordinator.FILES_KEY}_1")
    return (coordinator.UPLOAD_KEY not in at.session_state
            and coordinator.FILES_KEY not in at.session_state
            and not uploader.value and NONE_YET in texts(at.info))


def test_discard_releases_the_upload(store_env, monkeypatch):  # noqa: F811
    asked = []
    monkeypatch.setattr(serverguard, "release_files", lambda ids: asked.append(list(ids)))
    at = upload(signed_in(), "4w.xlsx", WITH_ERRORS)
    assert coordinator.UPLOAD_KEY in at.session_state
    at.button(key=coordinator.DISCARD_KEY).click()
    at = at.run()
    assert not at.exception
    assert released(at)
    assert len(asked) == 1 and len(asked[0]) == 1  # the one file, by its id
    assert service.current_version() == 1


def test_publish_releases_the_upload(store_env, monkeypatch):  # noqa: F811
    asked = []
    monkeypatch.setattr(serverguard, "release_files", lambda ids: asked.append(list(ids)))
    at = upload(signed_in(), "4w.xlsx", CLEAN)
    at.text_input(key="coord_note").input("4W update for Iraq")
    at.checkbox(key="coord_confirm_removal").check()
    at.button(key="coord_publish").click()
    at = at.run()
    assert not at.exception
    assert service.current_version() == 2
    assert released(at)
    assert len(asked) == 1 and len(asked[0]) == 1
    # The next upload goes into the new uploader and is checked as usual.
    at.file_uploader(key=f"{coordinator.FILES_KEY}_1").set_value(
        [("again.xlsx", WITH_ERRORS, "application/octet-stream")])
    at = at.run()
    assert coordinator.UPLOAD_KEY in at.session_state


def test_release_files_drops_them_from_the_sessions_store(monkeypatch):
    manager = MemoryUploadedFileManager("/upload")
    for n in range(3):
        manager.add_file("s1", UploadedFileRec(f"f{n}", f"f{n}.csv", "text/csv", b"x" * 1000))
    manager.add_file("s2", UploadedFileRec("f0", "other.csv", "text/csv", b"y" * 1000))

    class Ctx:
        session_id = "s1"
        uploaded_file_mgr = manager

    import streamlit.runtime.scriptrunner as scriptrunner

    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: Ctx())
    assert serverguard.release_files(["f0", "f1", "gone"]) == 2
    assert [f.file_id for f in manager.get_files("s1", ["f0", "f1", "f2"])] == ["f2"]
    # Another session's file of the same id is untouched.
    assert len(manager.get_files("s2", ["f0"])) == 1
    serverguard.return_freed_memory()  # no error, whatever the C library


def test_large_blocks_are_mapped_on_their_own_under_glibc():
    import platform

    expected = platform.libc_ver()[0] == "glibc"
    assert serverguard.fix_allocator_thresholds() is expected
