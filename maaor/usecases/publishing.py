"""Publish an upload as a new version (the second half of publishing, page and CLI alike).

The checks are made here, once: errors block, a note is required, a publish that
removes more rows than it adds needs a second confirmation, and the version the
candidate was built from must still be current, compared in the same transaction as
the write (``Store.publish(if_current=...)``): the later of two concurrent publishes
is refused with a message naming the version that came first, and never brings back
an older copy of the other's tables.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from maaor.dataset import Dataset
from maaor.usecases.refusal import Refused, guarded
from maaor.usecases.upload import Upload

_log = logging.getLogger("maaor.usecases")


@dataclass(frozen=True)
class Published:
    """A version published by a use case.

    Attributes:
        version: the new version id (now current).
        kept: tables kept whole from the base version.
        kept_countries: per carried table, the countries whose rows were kept.
        aggregates: names of the aggregates stored with it ([] when storing them
            failed: viewers compute them on first use).
    """

    version: int
    kept: tuple[str, ...] = ()
    kept_countries: dict[str, tuple[str, ...]] | None = None
    aggregates: tuple[str, ...] = ()


def require_note(note: str | None) -> str:
    """Return the note stripped; refuse an empty one."""
    note = (note or "").strip()
    if not note:
        raise Refused("coord.publish.note_required")
    return note


def publish(upload: Upload, *, by: str, note: str | None,
                   removal_confirmed: bool = False) -> Published:
    """Publish a prepared upload as the new current version.

    Args:
        upload: the result of :func:`maaor.usecases.upload.prepare_upload`.
        by: who publishes (shown in the history).
        note: the publish note (required).
        removal_confirmed: the second confirmation of a publish that removes more
            rows than it adds (see ``Upload.needs_removal_confirmation``).

    Returns:
        The published version.

    Raises:
        Refused: errors stand ("coord.publish.blocked"), no note, removal not
            confirmed, another version published since the upload was prepared
            (kind "conflict"), or the store failed.
    """
    from maaor.service import open_store

    if not upload.publishable:
        raise Refused("coord.publish.blocked")
    note = require_note(note)
    if upload.needs_removal_confirmation and not removal_confirmed:
        raise Refused("coord.publish.removal_unconfirmed",
                      removed=upload.rows_removed, added=upload.rows_added)
    store = guarded(open_store)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="maaor-aggregates") as pool:
        # The aggregates need the dataset, not the version id: they are computed while
        # the version is encoded and written (Parquet, SQLite or PostgreSQL and the
        # commit's sync run mostly outside the GIL), then stored once it is committed.
        # A refused publish waits for them and stores nothing.
        computing = pool.submit(compute_aggregates, upload.candidate)
        version = guarded(lambda: store.publish(
            upload.candidate, upload.sources, by=by, note=note, kind="upload",
            if_current=upload.base_version,
        ))
        stored = store_aggregates(version, upload.candidate, computing=computing)
    return Published(version, upload.kept, dict(upload.kept_countries), tuple(stored))


def compute_aggregates(dataset: Dataset) -> dict[str, bytes]:
    """Return the stored aggregates of ``dataset`` (a version's full dataset), encoded,
    by store name, at the configured public presence level and with the dataset's own
    list of emergencies (the one its pages use). Safe to call from any thread."""
    from maaor import aggregates, views
    from maaor.emergencies import emergencies_in_use, emergencies_of

    with emergencies_in_use(emergencies_of(dataset)):
        return aggregates.compute(dataset, views.public_presence_level())


def store_aggregates(version: int, dataset: Dataset,
                     computing: Future[dict[str, bytes]] | None = None) -> list[str]:
    """Store the aggregates of a just-published ``version``, computed from ``dataset``
    (the dataset in hand, not reloaded) at the configured public presence level.

    Args:
        version: the version just published.
        dataset: its dataset.
        computing: :func:`compute_aggregates` of ``dataset`` already under way (its
            result, or its failure, is used); None: computed here.

    Returns:
        The aggregates' names; [] when computing or storing them failed (logged: the
        viewers then compute them on first use, so publishing still stands).
    """
    from maaor.service import open_store

    try:
        computed = (computing.result() if computing is not None
                    else compute_aggregates(dataset))
        open_store().put_aggregates(version, computed)  # one transaction for them all
        return list(computed)
    except Exception:  # noqa: BLE001 - the version is published; aggregates are a cache
        _log.exception("storing aggregates of v%s failed", version)
        return []
