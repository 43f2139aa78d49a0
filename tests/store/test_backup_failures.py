"""A backup that cannot be written leaves nothing behind and says so plainly; a backup
from a newer schema is refused (issue 12, items 9 and 13)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from maaor import cli
from maaor.store import Store, StoreError, migrations
from tests.conftest import require_or_skip
from tests.paths import ROOT
from tests.store.test_store import publish


@pytest.fixture
def filled_url(tmp_path) -> str:
    """A SQLite store with two versions whose backup is well over 64 KB."""
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    with Store.open(url) as store:
        publish(store, "a", n=400)
        publish(store, "b", n=400)
        store.put_aggregate(2, "big", os.urandom(128 * 1024))  # incompressible
    return url


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KB tmpfs mounted for the test (root only), unmounted afterwards."""
    mount = shutil.which("mount")
    target = tmp_path / "small"
    target.mkdir()
    if mount is None:
        require_or_skip("mount is not installed: cannot make a small tmpfs")
    proc = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        require_or_skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'not permitted'})")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


def one_plain_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "OSError" not in stderr
    return lines[0]


def test_backup_to_a_full_tmpfs_leaves_no_partial_file(filled_url, full_disk, tmp_path):
    env = {"MAAOR_DATABASE_URL": filled_url, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "maaor", "backup", str(full_disk / "b.zip")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    line = one_plain_line(proc.stderr)
    assert line.startswith("maaor backup: the disk is full: the backup b.zip was not written")
    assert list(full_disk.iterdir()) == []  # nothing left: the disk has its space back
    # The store is untouched and still usable.
    history = subprocess.run([sys.executable, "-m", "maaor", "history"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert history.returncode == 0 and "v2" in history.stdout


def test_disk_full_while_writing_is_one_plain_line(filled_url, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "backups"
    out_dir.mkdir()
    written = []

    def no_space(self, name, data, *args, **kwargs):
        if len(written) == 3:  # a few members in: the zip is half-written
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(name)
        return real_writestr(self, name, data, *args, **kwargs)

    real_writestr = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, "writestr", no_space)
    assert cli.main(["backup", str(out_dir / "b.zip"), "--url", filled_url]) == 1
    err = capsys.readouterr().err
    assert one_plain_line(err) == (
        f"maaor backup: the disk is full: the backup b.zip was not written "
        f"(no partial file left in {out_dir})")
    assert len(written) == 3 and list(out_dir.iterdir()) == []


def test_other_write_failures_are_plain_and_leave_nothing(filled_url, tmp_path, monkeypatch,
                                                          capsys):
    out_dir = tmp_path / "backups"
    out_dir.mkdir()

    def refused(self, target):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "replace", refused)
    assert cli.main(["backup", str(out_dir / "b.zip"), "--url", filled_url]) == 1
    assert one_plain_line(capsys.readouterr().err) == (
        "maaor backup: the backup b.zip could not be written (Permission denied); "
        "no partial file was left")
    assert list(out_dir.iterdir()) == []


def test_an_interrupted_backup_leaves_nothing(filled_url, tmp_path, monkeypatch):
    out_dir = tmp_path / "backups"
    out_dir.mkdir()

    def interrupted(self, name, data, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with Store.open(filled_url) as store, pytest.raises(KeyboardInterrupt):
        store.backup(out_dir / "b.zip")
    assert list(out_dir.iterdir()) == []


def rewrite_manifest(src: Path, dst: Path, **changes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                for key, value in changes.items():
                    if value is None:
                        manifest.pop(key, None)
                    else:
                        manifest[key] = value
                data = json.dumps(manifest).encode()
            zout.writestr(item, data)


@pytest.mark.parametrize(
    ("schema_version", "message"),
    [
        (99, "was written by a newer maaor (schema version 99; this app knows up to {known}); "
             "update maaor, then restore"),
        (None, "does not say which schema version wrote it (schema_version is None); "
               "it cannot be restored safely"),
        ("4", "does not say which schema version wrote it (schema_version is '4'); "
              "it cannot be restored safely"),
    ],
)
def test_restore_checks_the_schema_version_of_the_backup(filled_url, tmp_path, capsys,
                                                         schema_version, message):
    with Store.open(filled_url) as store:
        store.backup(tmp_path / "good.zip")
    rewrite_manifest(tmp_path / "good.zip", tmp_path / "odd.zip",
                     schema_version=schema_version)
    target = tmp_path / "target.sqlite"
    assert cli.main(["restore", str(tmp_path / "odd.zip"), "--url", f"sqlite:///{target}"]) == 1
    expected = message.format(known=migrations.latest_version())
    assert one_plain_line(capsys.readouterr().err) == f"maaor restore: odd.zip {expected}"
    assert not target.exists()  # refused before any store was created


def test_restore_accepts_a_backup_of_an_older_schema(filled_url, tmp_path):
    with Store.open(filled_url) as store:
        store.backup(tmp_path / "good.zip")
    rewrite_manifest(tmp_path / "good.zip", tmp_path / "old.zip", schema_version=2)
    with Store.restore(tmp_path / "old.zip", f"sqlite:///{tmp_path / 't.sqlite'}") as store:
        assert [v.id for v in store.history()] == [2, 1]
    with pytest.raises(StoreError, match="newer maaor"):
        rewrite_manifest(tmp_path / "good.zip", tmp_path / "new.zip",
                         schema_version=migrations.latest_version() + 1)
        Store.restore(tmp_path / "new.zip", f"sqlite:///{tmp_path / 'u.sqlite'}")
