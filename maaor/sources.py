"""An input file as the user gave it: its name, its bytes and optionally its kind.

Neutral ground: the reader parses it, the store keeps its bytes with a version, the pages
and the CLI build it from an upload or a path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """One input file: its name as the user gave it and its bytes.

    Attributes:
        name: file name as uploaded (used in every problem message).
        data: the file's bytes.
        kind: the kind the caller names for every sheet of it ("workplan", "presence",
            "funding", "fts", "indicators", "mechanisms"), or None to recognise it.
    """

    name: str
    data: bytes
    kind: str | None = None

    @classmethod
    def from_path(cls, path: str | Path, kind: str | None = None) -> Source:
        """Read a file from disk."""
        p = Path(path)
        return cls(p.name, p.read_bytes(), kind)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 hex digest of the bytes, computed once (the upload's identity, the
        loader's check for the same file given twice and the store's blob key all use
        it: about 30 ms each for a 12 MB workbook)."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        """Lower-case extension with dot, e.g. ``".xlsx"``."""
        return Path(self.name).suffix.lower()
