"""HXL CSV of whole tables: every column tagged, no BOM, neutralisation optional.

HXL (Humanitarian Exchange Language, https://hxlstandard.org) is a row of hashtags
under the header row. Tags come from ``maaor/data/columns.csv`` (the first tag of each
field; ISO3 codes are ``#country+code``, free text never sits under a number tag such
as ``#value``) and, for columns the input files do not have, from :data:`DERIVED_TAGS`.

Two differences from the spreadsheet CSV (``maaor.export.tables.csv_bytes``):

* no UTF-8 byte-order mark: HXL readers (libhxl, HXL Proxy) would take it as part of
  the first header;
* formula neutralisation (a ``'`` before text starting with ``= + - @``) is OFF by
  default, because an HXL reader keeps the ``'`` as part of the value ("-" would
  become "'-"). Pass ``neutralise=True`` (``maaor export --format hxl --neutralise``)
  for a file people will open in a spreadsheet; the tag row then also stays intact
  (tags start with ``#``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd

from maaor.export.tables import _plain, hxl_tags, neutralise

# Provenance columns of every canonical table (maaor.dataset._PROVENANCE).
PROVENANCE_TAGS = {
    "_file": "#meta+source+file",
    "_sheet": "#meta+source+sheet",
    "_row": "#meta+source+row",
}
# Columns that are not read from input files (derived, or kept as written), per table.
DERIVED_TAGS: dict[str, dict[str, str]] = {
    "workplan": {"lead_tentative": "#meta+lead+tentative"},
    "presence": {"org_as_written": "#org+as_written"},
    # Amounts as written in another currency (the *_usd columns hold them converted).
    "funding": {"required_original": "#value+required+original",
                "pledged_original": "#value+pledged+original",
                "funded_original": "#value+funded+original"},
    "flags": {
        "rule": "#meta+flag+rule",
        "scope": "#meta+flag+scope",
        "ref": "#meta+flag+ref",
        "label": "#description+label",
        "pillar": "#sector",
        "detail": "#description+flag",
    },
}


# Columns the figure tables add (counts, shares, lists), whatever their table: the tag row
# of a page's CSV download names them too.
FIGURE_TAGS: dict[str, str] = {
    "activities": "#activity+num",
    "not_reported": "#activity+num+not_reported",
    "mean_progress": "#indicator+pct+progress+mean",
    "pct_completed": "#indicator+pct+completed",
    "overdue": "#meta+overdue",
    "version": "#meta+version",
    "created_at": "#date+published",
    "organisations": "#org+num",
    "rows": "#meta+rows+num",
    "pillars": "#sector+num",
    "org_list": "#org+list",
    "pillar_list": "#sector+list",
    "count": "#meta+flag+num",
    "gap_usd": "#value+funding+gap+usd",
    "funded_against_requirement_usd": "#value+funding+received+against_requirement+usd",
    "funded_no_requirement_usd": "#value+funding+received+no_requirement+usd",
    "pct_funded": "#value+funding+pct",
    "indicators": "#indicator+num",
    "on_track": "#indicator+on_track",
    "off_track": "#indicator+off_track",
    "unknown": "#indicator+unknown",
    "mean_progress_pct": "#indicator+pct+progress+mean",
    "progress_pct": "#indicator+pct+progress",
    "expected_pct": "#indicator+pct+expected",
    # people reached by pillar or place (maaor.figures.reached.reached_by)
    "rows_reached": "#meta+rows+num+reached",
    "rows_total_from_split": "#meta+rows+num+reached+from_split",
    "rows_disagreeing": "#meta+rows+num+reached+disagreeing",
}


def _status_and_pillar_tags() -> dict[str, str]:
    # Count columns named by a status or pillar code (progress by objective, the
    # organisation x pillar matrix).
    from maaor import vocab

    tags = {code: f"#activity+num+{code}" for code in vocab.STATUSES}
    tags.update({code: f"#org+num+{code}" for code in vocab.PILLARS})
    return tags


def figure_tags(kind: str | None, columns: Sequence[str]) -> dict[str, str]:
    """Return HXL tags for the columns of a figure table that ``maaor/data/columns.csv``
    does not tag for ``kind`` (derived counts, shares, lists, flags, provenance); pass
    them as ``extra_tags`` to ``maaor.export.tables.csv_bytes``."""
    from maaor import columns as column_specs

    known = {spec.field for spec in column_specs.FIELDS.get(kind or "", []) if spec.hxl}
    derived = {**_status_and_pillar_tags(), **FIGURE_TAGS, **DERIVED_TAGS["flags"],
               **DERIVED_TAGS.get(kind or "", {}), **PROVENANCE_TAGS}
    return {str(c): derived[str(c)] for c in columns if str(c) not in known
            and str(c) in derived}


def table_tags(table: str, columns: Sequence[str]) -> list[str]:
    """Return the HXL tag of each column of the full table ``table``.

    Args:
        table: a canonical table name or ``"flags"``.
        columns: the table's column names.

    Returns:
        One tag per column (``""`` only for a column no mapping knows).
    """
    extra = {**PROVENANCE_TAGS, **DERIVED_TAGS.get(table, {})}
    return hxl_tags(table, [str(c) for c in columns], extra)


def hxl_csv_bytes(frame: pd.DataFrame, table: str, *, neutralise_formulas: bool = False) -> bytes:
    """Return ``frame`` as HXL CSV: header row, HXL tag row, data; UTF-8 without BOM.

    Args:
        frame: the full table.
        table: its name (decides the tags).
        neutralise_formulas: prefix text that a spreadsheet would run as a formula
            with ``'`` (off by default: HXL readers would keep the ``'``).
    """
    plain = _plain(frame)
    body = neutralise(plain) if neutralise_formulas else plain
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(c) for c in body.columns])
    writer.writerow(table_tags(table, list(frame.columns)))
    body.to_csv(buffer, header=False, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8")
