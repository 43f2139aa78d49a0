"""Controlled vocabularies: pillars, statuses, organisation types, channels (EN/FR).

The words live in ``maaor/data/vocab.csv`` (``vocab,code,en,fr,aliases``), not in code.
A user's word matches a code when its :func:`maaor.textkey.match_key` equals the key of
the code, of its English or French label, or of one of its aliases. Tables hold codes;
pages show :func:`label`.

A cell naming several things joined by ``/``, ``,``, ``;``, ``+``, ``&`` or "and"/"et"
("Mine clearance / EOD") matches when every part matches the same code; parts that
point to different codes ("EORE / VA") do not match anything.

A word that is not an exact spelling goes through the scored matcher of
:mod:`maaor.matcher` (same tokens as headers): "Éducation aux risques des engins
explosifs (EREE)" is EORE by its name and by the acronym in brackets (when both name a
code they must agree), "Activités EORE" is EORE. A match below ``VALUE_ACCEPT`` is no match.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from maaor.textkey import match_key

VOCAB_CSV = Path(__file__).resolve().parent / "data" / "vocab.csv"

#: Lowest confidence at which a value that is not an exact spelling names a code.
VALUE_ACCEPT = 0.9

#: Words around a value that do not change what it names ("Activités EORE", "EORE
#: programme"), as stems of :func:`maaor.matcher.stem`.
_GENERIC_WORDS = ("activity", "programme", "program", "project", "projet", "service", "support",
                  "intervention", "operation")

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
    parts = [match_key(p) for p in _PART_SPLIT.split(str(text))]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        found = {voc.keys.get(p) for p in parts}
        if len(found) == 1 and None not in found:
            return found.pop()
        if len(found - {None}) > 1:
            return None  # the parts name different codes ("EORE / VA")
    return _scored(vocab, str(text))


@lru_cache(maxsize=4096)
def _scored(vocab: str, text: str) -> str | None:
    """The code a value names by the scored matcher (name, then acronym in brackets)."""
    from maaor import matcher  # the matcher is a reader module; import it late

    entries = _entries(vocab)
    generic = frozenset(matcher.stem(w) for w in _GENERIC_WORDS)
    name = matcher.best(entries, text, floor=VALUE_ACCEPT, drop=generic)
    hint_code = None
    for hint in re.findall(r"\(([^)]*)\)|\[([^\]]*)\]", text):
        word = match_key(hint[0] or hint[1])
        hint_code = hint_code or _vocabulary(vocab).keys.get(word)
    if name is not None and hint_code is not None and name.target != hint_code:
        return None  # the name and the acronym say different things
    return name.target if name is not None else hint_code


@cache
def _entries(vocab: str):
    from maaor import matcher

    voc = _vocabulary(vocab)
    entries = []
    rows = _rows(vocab)
    for order, code in enumerate(voc.codes):
        for position, word in enumerate(rows.get(code, [])):
            toks = matcher.tokens(word).name
            if toks:
                entries.append(matcher.entry(code, toks, match_key(word), (position, order)))
    return tuple(entries)


@cache
def _rows(vocab: str) -> dict[str, list[str]]:
    """Every spelling of each code of ``vocab`` as written in vocab.csv."""
    out: dict[str, list[str]] = {}
    with VOCAB_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["vocab"] == vocab:
                out[row["code"]] = [row["code"], row["en"], row["fr"], *row["aliases"].split("|")]
    return out


def lookup_series(vocab: str, s: pd.Series) -> pd.Series:
    """Vectorised :func:`lookup`: the code of each value (NaN where none).

    Each distinct value is looked up once, so a 100,000-row column with a few dozen
    spellings costs a few dozen lookups.

    Args:
        vocab: a name of ``VOCABS``.
        s: user values.

    Returns:
        A ``str`` Series aligned with ``s``; NaN where the value is blank or unknown.
    """
    _vocabulary(vocab)
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
