"""What each input column is called, in the user's language.

English labels are the ``label`` column of ``maaor/data/columns.csv`` (the template's
headers); French labels are in ``maaor/data/columns_fr.csv`` (the French template's
headers and the Coordinator page's words). A test checks every field has both.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from maaor.i18n import normalise_language

COLUMNS_CSV = Path(__file__).resolve().parent / "data" / "columns.csv"
COLUMNS_FR_CSV = Path(__file__).resolve().parent / "data" / "columns_fr.csv"


@lru_cache(maxsize=2)
def _labels(lang: str) -> dict[tuple[str, str], str]:
    path = COLUMNS_FR_CSV if lang == "fr" else COLUMNS_CSV
    with path.open(encoding="utf-8", newline="") as fh:
        return {(row["kind"], row["field"]): row["label"] for row in csv.DictReader(fh)}


def field_label(kind: str, field: str, lang: str = "en") -> str:
    """Return the label of ``field`` of ``kind`` in ``lang`` ("budget_usd" -> "Budget (USD)").

    Falls back to the English label, then to the label of the field in any kind, then to
    the field name.
    """
    lang = normalise_language(lang)
    for language in (lang, "en"):
        labels = _labels(language)
        if (kind, field) in labels:
            return labels[(kind, field)]
        for (_, name), label in labels.items():
            if name == field:
                return label
    return field
