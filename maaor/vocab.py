"""Controlled vocabularies: pillars, statuses, organisation types, channels (EN/FR).

The words live in ``maaor/data/vocab.csv`` (``vocab,code,en,fr,aliases``), not in code.
A user's word matches a code when its :func:`maaor.textkey.match_key` equals the key of
the code, of its English or French label, or of one of its aliases. Tables hold codes;
pages show :func:`label`.

A cell naming several things joined by ``/``, ``,``, ``;``, ``+``, ``&`` or "and"/"et"
("Mine clearance / EOD") matches when every part matches the same code; parts that
point to different codes ("EORE / VA") do not match anything.

Text in brackets is a hint beside the name: "Victim Assistance (VA)", "Éducation aux
risques des engins explosifs (EREE)" and "Suspended (security)" match by the text outside
the brackets, by the text inside them (an acronym), or by both when they agree; they
match nothing when the two name different codes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from maaor.textkey import match_key

VOCAB_CSV = Path(__file__).resolve().parent / "data" / "vocab.csv"

_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_PART_SPLIT = re.compile(r"\s*(?:[/,;+|&]|\band\b|\bet\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Vocabulary:
    codes: tuple[str, ...]
    labels: dict[str, dict[str, str]]  # code -> {"en": ..., "fr": ...}
    keys: dict[str, str]  # match_key -> code


@lru_cache(maxsize=1)
def _load() -> dict[str, _Vocabulary]:
    rows: dict[str, list[dict[str, str]]] = {}
    with VOCAB_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["vocab"], []).append(row)
    vocabs: dict[str, _Vocabulary] = {}
    for name, entries in rows.items():
        codes: list[str] = []
        labels: dict[str, dict[str, str]] = {}
        keys: dict[str, str] = {}
        for entry in entries:
            code = entry["code"]
            if code in labels:
                raise ValueError(f"vocab.csv: code {name}/{code} is listed twice")
            codes.append(code)
            labels[code] = {"en": entry["en"], "fr": entry["fr"]}
            words = [code, entry["en"], entry["fr"], *entry["aliases"].split("|")]
            for word in words:
                key = match_key(word)
                if not key:
                    continue
                other = keys.setdefault(key, code)
                if other != code:
                    raise ValueError(
                        f"vocab.csv: {word!r} means both {name}/{other} and {name}/{code}"
                    )
        vocabs[name] = _Vocabulary(tuple(codes), labels, keys)
    return vocabs


VOCABS: tuple[str, ...] = tuple(_load())

PILLARS: tuple[str, ...] = _load()["pillar"].codes
STATUSES: tuple[str, ...] = _load()["wp_status"].codes
PRESENCE_STATUSES: tuple[str, ...] = _load()["presence_status"].codes
ORG_TYPES: tuple[str, ...] = _load()["org_type"].codes
CHANNELS: tuple[str, ...] = _load()["channel"].codes
DISAGGREGATIONS: tuple[str, ...] = _load()["disaggregation"].codes
DIRECTIONS: tuple[str, ...] = _load()["direction"].codes


def _vocabulary(vocab: str) -> _Vocabulary:
    try:
        return _load()[vocab]
    except KeyError:
        raise KeyError(f"unknown vocabulary {vocab!r}; known: {', '.join(VOCABS)}") from None


def _is_blank(text) -> bool:
    if text is None:
        return True
    try:
        return bool(pd.isna(text))
    except (TypeError, ValueError):
        return False


def lookup(vocab: str, text) -> str | None:
    """Return the code of ``vocab`` that ``text`` names, or None.

    Args:
        vocab: a name of ``VOCABS`` ("pillar", "wp_status", ...).
        text: a user's word in English or French, any case/accents/punctuation.

    Returns:
        The canonical code, or None when ``text`` is blank or names no code.
    """
    voc = _vocabulary(vocab)
    if _is_blank(text):
        return None
    key = match_key(text)
    if not key:
        return None
    code = voc.keys.get(key)
    if code is not None:
        return code
    text = str(text)
    if _BRACKETED.search(text):
        return _bracketed(vocab, text)
    parts = [match_key(p) for p in _PART_SPLIT.split(str(text))]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    found = {voc.keys.get(p) for p in parts}
    if len(found) == 1 and None not in found:
        return found.pop()
    return None


def _bracketed(vocab: str, text: str) -> str | None:
    """The code named by a text with a bracketed hint: outside and inside agree, or only
    one of them names a code."""
    outside = _BRACKETED.sub(" ", text).strip()
    inside = " ".join(m.group(1) for m in _BRACKETED.finditer(text)).strip()
    found = {c for c in (lookup(vocab, outside) if outside else None,
                         lookup(vocab, inside) if inside else None) if c is not None}
    return found.pop() if len(found) == 1 else None


def lookup_series(
    vocab: str, s: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.Series:
    """Vectorised :func:`lookup`: the code of each value (NaN where none).

    Each distinct value is looked up once, so a 100,000-row column with a few dozen
    spellings costs a few dozen lookups.

    Args:
        vocab: a name of ``VOCABS``.
        s: user values.
        factorized: ``(codes, uniques)`` of ``s`` as ``pd.factorize(s,
            use_na_sentinel=True)`` gives them, when the caller already has them (the
            sheet validator factorizes each text column once); None to factorize here.

    Returns:
        A ``str`` Series aligned with ``s``; NaN where the value is blank or unknown.
    """
    _vocabulary(vocab)
    if factorized is not None and len(factorized[0]) == len(s):
        codes, uniques = factorized
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = [lookup(vocab, u) for u in uniques]
    table = pd.array([*mapped, None], dtype="str")
    # factorize marks blanks with -1, which indexes the trailing None
    return pd.Series(table.take(codes), index=s.index, dtype="str")


def codes(vocab: str) -> list[str]:
    """Return the codes of ``vocab`` in the order of ``vocab.csv``."""
    return list(_vocabulary(vocab).codes)


def label(vocab: str, code: str, lang: str = "en") -> str:
    """Return the display label of ``code`` in ``lang`` ("en" or "fr").

    Unknown codes are returned unchanged, so a display never fails.
    """
    labels = _vocabulary(vocab).labels.get(code)
    if labels is None:
        return code
    return labels.get(lang) or labels["en"]
