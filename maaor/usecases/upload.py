"""Prepare an upload: read and validate the files, build what publishing would make
current, and say what it changes (the first half of publishing, page and CLI alike).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from maaor import config
from maaor.dataset import Dataset
from maaor.diff import (
    DatasetDiff,
    RemovalCounts,
    TableRemoval,
    diff_datasets,
    removal_headlines,
    table_removals,
)
from maaor.emergencies import emergencies_of
from maaor.load import LoadResult, load_sources
from maaor.logs import log_event
from maaor.profiles import MappingProfile
from maaor.sources import Source
from maaor.usecases.candidate import DEFAULT_SCOPE, SCOPES, candidate_dataset
from maaor.usecases.refusal import guarded

_log = logging.getLogger("maaor.usecases")
DEFAULT_MAX_UPLOAD_MB = config.DEFAULT_MAX_UPLOAD_MB
# The module of the function the isolated child runs (maaor.load.load_file), then the
# modules that function imports when called (the reader, the validator, the directories
# they use): the child imports them all while the parent pre-checks the files.
READER_MODULES = ("maaor.load", "maaor.orgs", "maaor.profiles", "maaor.read.sources",
                  "maaor.read.headers", "maaor.validate")


def _prestart_reader() -> None:
    """Start the isolated reader's child now: its start-up and imports overlap the
    store reads and the upload's pre-check made here before it is called."""
    from maaor.read.isolate import prestart

    prestart(*READER_MODULES)


def max_upload_mb() -> int:
    """Return the per-file upload limit in MB (``MAAOR_MAX_UPLOAD_MB``, default 25)."""
    return config.settings().max_upload_mb


@dataclass
class Upload(RemovalCounts):
    """An upload being prepared for publishing.

    Attributes:
        key: identity of the files and aliases it was validated with.
        sources: files accepted for validation.
        refused: (name, size in bytes) of files over the size limit (not read).
        result: the validation result (None when every file was refused).
        base_version: the current version when validated; publishing is refused if
            another version was published meanwhile (checked in the publishing
            transaction).
        base: the dataset of ``base_version`` (None when the store is empty).
        scope: "countries" (replace only the countries and years the upload holds) or
            "all" (replace the whole of each table it carries).
        candidate: what publishing would make current.
        kept: tables kept whole from the base version.
        kept_countries: per carried table, the countries whose rows are kept.
        removals: per table, the rows publishing removes and adds against the base
            version (``diff.removals``, made first: publishing needs only these).
        today: reference date of the checks, flags and diff.
    """

    key: tuple
    sources: list[Source]
    refused: list[tuple[str, int]] = field(default_factory=list)
    result: LoadResult | None = None
    base_version: int | None = None
    base: Dataset | None = None
    scope: str = DEFAULT_SCOPE
    candidate: Dataset | None = None
    kept: tuple[str, ...] = ()
    kept_countries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    removals: tuple[TableRemoval, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    _diff: DatasetDiff | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def diff(self) -> DatasetDiff | None:
        """The changes against the base version (None without one), made on first use:
        the page shows them; the command line and publishing need only ``removals``."""
        if self._diff is None and self.base is not None and self.candidate is not None:
            self._diff = diff_datasets(self.base, self.candidate, self.today,
                                       removals=self.removals)
        return self._diff

    @property
    def publishable(self) -> bool:
        """No refused file, something loaded, and no error."""
        return (not self.refused and self.result is not None and self.result.ok
                and self.candidate is not None)

    @property
    def needs_removal_confirmation(self) -> bool:
        """Publishing removes more rows than it adds: a second confirmation is needed."""
        return self.removes_more_than_adds

    def removal_headlines(self, lang: str = "en") -> list[str]:
        """What publishing would remove, in words (the headline of "What changed")."""
        return removal_headlines(self.removals, lang)

    def unknown_organisations(self) -> list[str]:
        """Organisation names the upload uses that are neither known nor aliased."""
        return self.result.unknown_organisations() if self.result is not None else []

    def unknown_emergencies(self) -> list[tuple[str, tuple[str, ...]]]:
        """Emergency names the upload uses that the list does not know and no confirmed
        name maps, each with the ids of the closest emergencies."""
        return self.result.unknown_emergencies() if self.result is not None else []

    def unknown_admin1(self) -> list[tuple[str, str]]:
        """(ISO3, admin-1 name) the upload uses that the gazetteer does not know and no
        confirmed alias names."""
        return self.result.unknown_admin1() if self.result is not None else []


def upload_key(files: Sequence[tuple[str, bytes]], aliases: dict[str, str]) -> tuple:
    """Identity of an upload: file names and digests, and the alias table used."""
    return _key([Source(name, data) for name, data in files], aliases)


def _key(files: Sequence[Source], aliases: dict[str, str]) -> tuple:
    """:func:`upload_key` of files already made Sources (their digests are kept: the
    loader and the store use them again)."""
    return tuple((f.name, f.sha256) for f in files), tuple(sorted(aliases.items()))


def prepare_upload(
    files: Sequence[tuple[str, bytes]],
    *,
    refused: Sequence[tuple[str, int]] = (),
    scope: str = DEFAULT_SCOPE,
    today: dt.date | None = None,
    profiles: Sequence[MappingProfile] = (),
) -> Upload:
    """Read and validate uploaded files (with the stored aliases and mapping profiles,
    in an isolated child process), build the candidate dataset over the current version
    and diff it.

    Args:
        files: (name, bytes) of each file; files over :func:`max_upload_mb` are
            refused without being read.
        refused: files refused before reading (the page knows sizes before bytes).
        scope: how far the upload's tables reach (see
            :func:`maaor.usecases.candidate.merge_scoped`).
        today: reference date of the checks and flags.
        profiles: mapping profiles given by the caller (``publish --profile``); they
            come before the stored ones, so a sheet matching both uses the given one.
            A sheet whose header row matches a profile is read with its choices and a
            note names the profile.

    Raises:
        Refused: the store cannot be read.
        ValueError: ``scope`` is not one of ``SCOPES``.
    """
    from maaor.read.precheck import precheck_report
    from maaor.service import open_store

    if scope not in SCOPES:
        raise ValueError(f"unknown upload scope {scope!r} (use one of {', '.join(SCOPES)})")
    today = today or dt.date.today()
    limit = max_upload_mb() * 1024 * 1024
    given = [Source(name, bytes(data)) for name, data in files]
    refused = list(refused) + [(f.name, len(f.data)) for f in given if len(f.data) > limit]
    sources = [f for f in given if len(f.data) <= limit]
    for name, size in refused:
        log_event(_log, "upload_refused", f"upload refused: {size} bytes over the limit",
                  level=logging.WARNING, file=name, bytes=size, limit_bytes=limit)
    if sources:
        _prestart_reader()
    store = guarded(open_store)
    aliases = guarded(store.aliases)
    profiles = [*profiles, *(p.profile for p in guarded(store.profiles))]
    upload = Upload(_key(given, aliases), sources, refused, scope=scope, today=today)
    if not sources:
        return upload
    upload.base_version = guarded(store.current_version)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="maaor-base") as pool:
        emergencies, base = None, None
        if upload.base_version is not None:
            version = upload.base_version
            # Rows are linked to the emergencies of the version they would join: only that
            # table is needed to read the files.
            emergencies = emergencies_of(
                guarded(lambda: store.load(version, only=("emergencies",))))
        # The pre-check (a scan that holds the interpreter) is made before the rest of
        # the version is decoded, so the two do not compete: the version (an immutable
        # one) is decoded while the isolated reader reads, and this thread only waits.
        prechecked = {s.sha256: precheck_report(s) for s in sources}
        if upload.base_version is not None:
            base = pool.submit(guarded, lambda: store.load(version))
        upload.result = load_sources(sources, aliases=aliases, isolate=True, today=today,
                                     profiles=profiles, emergencies=emergencies,
                                     prechecked=prechecked)
        upload.base = base.result() if base is not None else None
    return _with_candidate(upload)


def validate_files(files: Sequence[tuple[str, bytes]], *, today: dt.date | None = None,
                   isolate: bool = True,
                   profiles: Sequence[MappingProfile] = ()) -> LoadResult:
    """Read and validate files without publishing (no store: the bundled names only).

    Args:
        files: (name, bytes) of each file.
        today: reference date of the checks.
        isolate: parse in a child process with memory and time limits (the default;
            False only to debug a reader).
        profiles: mapping profiles to apply (``validate --profile``).
    """
    sources = [Source(name, bytes(data)) for name, data in files]
    if isolate and sources:
        _prestart_reader()
    return load_sources(sources, today=today or dt.date.today(), isolate=isolate,
                        profiles=profiles)


def rescope_upload(upload: Upload, scope: str) -> Upload:
    """Return ``upload`` with its candidate and diff rebuilt for ``scope`` (the files
    are not read again; the base version stays the one the upload was built on)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown upload scope {scope!r} (use one of {', '.join(SCOPES)})")
    if scope == upload.scope:
        return upload
    return _with_candidate(replace(upload, scope=scope))


def _with_candidate(upload: Upload) -> Upload:
    if upload.result is None:
        return upload
    upload.candidate, upload.kept, upload.kept_countries = candidate_dataset(
        upload.base, upload.result, upload.scope)
    upload.removals = (table_removals(upload.base, upload.candidate)
                       if upload.base is not None else ())
    return upload
