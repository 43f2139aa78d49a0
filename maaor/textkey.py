"""Matching keys: one place that decides when two spellings are "the same"."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def match_key(text: object) -> str:
    """Return a case-, accent-, space- and punctuation-insensitive key for ``text``.

    ``"Date de début"``, ``"date_de_debut"`` and ``" DATE-DE-DÉBUT "`` all give
    ``"datededebut"``. ``&`` counts as ``and`` so "Lead & partners" equals
    "Lead and partners". Non-text values are converted with ``str``; None gives "".
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("&", " and ").replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _NON_ALNUM.sub("", s)
