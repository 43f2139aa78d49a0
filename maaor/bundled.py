"""The bundled data shipped in ``data/``: which files make the default dataset."""

from __future__ import annotations

import json
from pathlib import Path

from maaor.resources import APP_ROOT as ROOT  # the checkout, or maaor/_app when installed
from maaor.sources import Source

MANIFEST = ROOT / "data" / "manifest.json"


def manifest() -> dict:
    """Return the parsed ``data/manifest.json``."""
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def default_sources() -> tuple[list[Source], list[str]]:
    """Return the files of the default bundled dataset and the names of illustrative ones.

    Returns:
        (sources, illustrative file names).
    """
    spec = manifest()
    flags = {f["path"]: bool(f.get("illustrative")) for f in spec["files"]}
    sources = [Source.from_path(ROOT / path) for path in spec["default"]]
    illustrative = [Path(p).name for p in spec["default"] if flags.get(p)]
    return sources, illustrative


def load_default():
    """Load the default bundled dataset through the one loading path.

    Returns:
        The LoadResult of ``maaor.load.load_sources`` over the default files.
    """
    from maaor.load import load_sources

    sources, illustrative = default_sources()
    return load_sources(sources, illustrative=illustrative)
