"""Versions: history, one version's files and tables, rollback, backup and restore.

Everything the Coordinator page and the CLI ask of published versions, through one
function each; store failures become :class:`maaor.usecases.refusal.Refused`.
"""

from __future__ import annotations

from pathlib import Path

from maaor.dataset import Dataset
from maaor.usecases.refusal import guarded


def _store():
    from maaor.service import open_store

    return guarded(open_store)


def history() -> list:
    """Return every published version, newest first (``maaor.store.VersionInfo``)."""
    store = _store()
    return guarded(store.history)


def current_dataset() -> Dataset:
    """Return the complete current dataset, people's names included (signed-in and CLI
    use only; ``meta.version`` is its version)."""
    store = _store()
    return guarded(store.load)


def version_dataset(version: int, *, withdrawn_ok: bool = False) -> Dataset:
    """Return the complete dataset of ``version`` (people's names included).

    Args:
        version: the version.
        withdrawn_ok: also return a withdrawn version (coordinators' history downloads);
            otherwise a withdrawn version is refused like a missing one.
    """
    store = _store()
    return guarded(lambda: store.load(version, withdrawn_ok=withdrawn_ok))


def version_files(version: int) -> list[tuple[str, bytes]]:
    """Return (name, bytes) of the files ``version`` was published from."""
    store = _store()
    return guarded(lambda: store.files(version))


def rollback(to_version: int, *, by: str, note: str | None = None,
             based_on: int | None = None) -> int:
    """Publish a new version equal to ``to_version`` and make it current.

    Args:
        to_version: the older version to go back to.
        by: who rolls back.
        note: the history note (default "rollback to version N").
        based_on: the version the caller saw as current; when given, the rollback is
            refused (kind "conflict") if another version became current since,
            compared in the same transaction as the write.

    Returns:
        The new version id (its aggregates are copied from ``to_version``).

    Raises:
        Refused: no such version, a conflict, or the store failed.
    """
    from maaor.store import ANY

    store = _store()
    return guarded(lambda: store.rollback(
        to_version, by=by, note=note, if_current=ANY if based_on is None else based_on))


def backup(path: str | Path, url: str | None = None) -> tuple[Path, int]:
    """Write every version of the store at ``url`` (default: the configured one) to a zip.

    Returns:
        (the written path, how many versions it holds).
    """
    from maaor.store import Store

    def run():
        with Store.open(url) as store:
            written = store.backup(path)
            return written, len(store.history())

    return guarded(run, retry=False)


def restore(path: str | Path, url: str | None = None) -> tuple[int, int | None]:
    """Restore a backup zip into the empty store at ``url`` (default: the configured one).

    Returns:
        (how many versions were restored, the current version).
    """
    from maaor.store import Store

    def run():
        with Store.restore(path, url) as store:
            return len(store.history()), store.current_version()

    return guarded(run, retry=False)
