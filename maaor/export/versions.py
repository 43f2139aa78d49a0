"""Downloads of one published version: its original files (zip) and its tables (XLSX)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from openpyxl import Workbook

from maaor.dataset import TABLES, Dataset
from maaor.export.tables import _cell, _plain, neutralise, neutralise_text


def _safe_member(name: str, used: set[str]) -> str:
    """A zip member name without folders or '..' (the name came from an upload)."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip() or "file"
    base = base.lstrip(".") or "file"
    candidate, n = base, 2
    stem, dot, suffix = base.rpartition(".")
    while candidate.casefold() in used:
        candidate = f"{stem} ({n}).{suffix}" if dot else f"{base} ({n})"
        n += 1
    used.add(candidate.casefold())
    return candidate


def files_zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    """Return a zip holding ``files`` ((name, bytes) pairs) exactly as uploaded."""
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(_safe_member(name, used), data)
    return out.getvalue()


def tables_workbook(dataset: Dataset, about: Mapping[str, str] | None = None) -> bytes:
    """Return every normalised table of ``dataset`` as one sheet of an XLSX, neutralised.

    Args:
        dataset: the version's dataset.
        about: label -> text lines written on a first sheet "about".
    """
    book = Workbook(write_only=True)
    if about:
        notes = book.create_sheet(title="about")
        for label, text in about.items():
            notes.append([_cell(neutralise_text(str(label))), _cell(neutralise_text(str(text)))])
    for name in TABLES:
        safe = neutralise(_plain(dataset.tables[name]))
        sheet = book.create_sheet(title=name)
        sheet.append([_cell(c) for c in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
