"""A scored matcher from header texts (and vocabulary words) to fields.

Exact alias lookup misses ordinary headers: "Requirements (USD)", "Governorate / Province",
"Femmes atteintes", "NOM ORGANISATION (cette colonne est renseignée automatiquement)",
"Code Terrtoire". The matcher compares *tokens* instead of whole strings:

- accents, case and punctuation are folded;
- text in brackets or after a line break is a hint, not the name;
- units and currencies ("(USD)", "en $", "EUR", "%") are recognised and set aside (the
  currency is returned with the match);
- small words ("of", "de", "la" ...) are dropped; plurals and French feminine endings are
  folded ("atteintes" = "atteint"), and a few EN/FR words are the same token
  ("femme" = "women", "nom" = "name");
- words of 5 letters or more may differ by a typo (edit distance 1, or 2 from 8 letters).

Every match carries a confidence in 0..1: 1.0 for an exact alias, about 0.97 when the
tokens are those of an alias, less when the header holds extra words or a typo. Callers
accept a match from ``ACCEPT`` and warn below ``CONFIDENT``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import Levenshtein

from maaor import columns as column_specs
from maaor.textkey import match_key

#: From this confidence a header is taken for a field.
ACCEPT = 0.7
#: Below this confidence a match is reported as a warning naming header and field.
CONFIDENT = 0.9
#: Weight of a word matched with a typo (against 1 for a word matched as written).
TYPO_WEIGHT = 0.75
#: Confidence of a header whose tokens are exactly an alias's (units, plurals, accents,
#: word order or small words aside).
TOKENS_EQUAL = 0.97

_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?")
_WORD = re.compile(r"[a-z0-9]+|[$€£¥%]")

# Currency spellings (folded) -> ISO code. "$" alone is read as US dollars.
_CURRENCIES: dict[str, str] = {
    "usd": "USD", "us": "USD", "$": "USD", "dollar": "USD", "dollars": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
    "chf": "CHF", "gbp": "GBP", "£": "GBP", "nok": "NOK", "sek": "SEK", "dkk": "DKK",
    "cad": "CAD", "aud": "AUD", "jpy": "JPY", "¥": "JPY", "yen": "JPY",
}  # fmt: skip
_UNITS = frozenset({"%", "pct", "percent", "pourcentage"})

# Words that carry no meaning in a header.
_STOPWORDS = frozenset(
    {"of", "the", "a", "an", "in", "en", "for", "to", "by", "per", "and", "or",
     "de", "du", "des", "la", "le", "les", "l", "d", "et", "ou", "pour", "par", "au", "aux",
     "sur", "dans", "s"}
)  # fmt: skip

# The same word in English and French (after folding and stemming both sides).
_SYNONYMS: dict[str, str] = {
    "femme": "women", "woman": "women", "homme": "men", "man": "men", "fille": "girl",
    "garcon": "boy", "atteint": "reached", "personne": "people", "person": "people",
    "nom": "name", "pays": "country", "annee": "year", "statut": "status",
    "bailleur": "donor", "donateur": "donor", "montant": "amount", "recu": "received",
    "requi": "required", "besoin": "requirement", "financement": "funding",
    "partenaire": "partner", "organization": "organisation", "organisme": "organisation",
    "org": "organisation", "debut": "start", "cible": "target", "indicateur": "indicator",
    "mecanisme": "mechanism", "projet": "project", "secteur": "sector", "pilier": "pillar",
    "activite": "activity", "beneficiaire": "beneficiary",
}  # fmt: skip


@dataclass(frozen=True)
class Tokens:
    """A header text understood: its name tokens, hint tokens and currency."""

    name: tuple[str, ...]
    hint: tuple[str, ...]
    currency: str | None
    unit: str | None
    parts: tuple[tuple[str, ...], ...]  # name split on "/" (one part when there is none)


@dataclass(frozen=True)
class Match:
    """A header (or value) taken for a field (or code) with a confidence."""

    target: str
    confidence: float
    currency: str | None = None

    @property
    def exact(self) -> bool:
        """True for an exact alias (confidence 1.0)."""
        return self.confidence >= 1.0


def fold(text: object) -> str:
    """Lower case, no accents, ``&`` read as "and"."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return s.replace("&", " and ").replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def stem(word: str) -> str:
    """One word folded to its stem: plural and French feminine endings off, EN/FR synonyms."""
    w = word
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    elif len(w) > 4 and w.endswith("x"):
        w = w[:-1]
    if w in _SYNONYMS:
        return _SYNONYMS[w]
    if len(w) > 4 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]
    if w.endswith("ization"):
        w = w[: -len("ization")] + "isation"
    return _SYNONYMS.get(w, w)


def _words(text: str) -> tuple[list[str], str | None, str | None]:
    """Stemmed name words, currency and unit of a folded text."""
    raw = _WORD.findall(text)
    currency = unit = None
    words: list[str] = []
    for k, w in enumerate(raw):
        if w in _CURRENCIES and (w != "us" or (k + 1 < len(raw) and raw[k + 1] == "$")):
            currency = currency or _CURRENCIES[w]
            continue
        if w in _UNITS:
            unit = "%"
            continue
        if w in _STOPWORDS:
            continue
        words.append(stem(w))
    return words, currency, unit


@lru_cache(maxsize=8192)
def tokens(text: str) -> Tokens:
    """Understand a header text (see the module docstring)."""
    folded = fold(text)
    first, _, rest = folded.partition("\n")
    hints = [m.group(0) for m in _BRACKETS.finditer(first)] + ([rest] if rest else [])
    name_text = _BRACKETS.sub(" ", first)
    name, currency, unit = _words(name_text)
    hint: list[str] = []
    for h in hints:
        words, c, u = _words(h)
        hint.extend(words)
        currency, unit = currency or c, unit or u
    if not name:  # a header written all in brackets: the hint is the name
        name, hint = hint, []
    parts = tuple(
        tuple(p) for p in (_words(piece)[0] for piece in name_text.split("/")) if p
    ) or (tuple(name),)
    return Tokens(tuple(name), tuple(hint), currency, unit, parts)


def token_key(text: object) -> str:
    """The sorted name tokens of a text, joined: equal keys mean the same words."""
    if text is None:
        return ""
    return " ".join(sorted(set(tokens(str(text)).name)))


def _close(a: str, b: str) -> bool:
    """Two words of 5+ letters that differ by a small typo."""
    if len(a) < 5 or len(b) < 5 or abs(len(a) - len(b)) > 2:
        return False
    limit = 1 if max(len(a), len(b)) < 8 else 2
    return Levenshtein.distance(a, b, score_cutoff=limit) <= limit


def _score(header: tuple[str, ...], alias: tuple[str, ...], required: frozenset[str]) -> tuple[float, int]:
    """Confidence that a header (tokens) means an alias (tokens), and words matched."""
    if not header or not alias:
        return 0.0, 0
    unused = list(header)
    weight = 0.0
    matched = 0
    touched_required = not required
    for a in alias:
        if a in unused:
            unused.remove(a)
            weight += 1.0
            matched += 1
            touched_required = touched_required or a in required
            continue
        near = next((h for h in unused if _close(a, h)), None)
        if near is not None:
            unused.remove(near)
            weight += TYPO_WEIGHT
            matched += 1
            touched_required = touched_required or near in required
    if not matched or not touched_required:
        return 0.0, 0
    base = weight / len(alias)
    cover = (len(header) - len(unused)) / len(header)
    if base == 1.0 and cover == 1.0:
        return TOKENS_EQUAL, matched
    return base * (0.7 + 0.3 * cover), matched


@dataclass(frozen=True)
class _Entry:
    target: str
    tokens: tuple[str, ...]
    key: str
    rank: tuple[int, int]  # (position of the alias in its field, order of the field)


def entry(target: str, toks: tuple[str, ...], key: str, rank: tuple[int, int]) -> _Entry:
    """An entry for :func:`best`: a target, its tokens, its exact key and its rank."""
    return _Entry(target, toks, key, rank)


@cache
def _field_entries(kind: str) -> tuple[_Entry, ...]:
    entries = []
    for order, spec in enumerate(column_specs.FIELDS[kind]):
        spellings = [spec.label, spec.field.replace("_", " "), *_alias_texts(kind, spec.field)]
        seen: set[str] = set()
        for position, text in enumerate(spellings):
            toks, key = tokens(text).name, match_key(text)
            if toks and key not in seen:
                seen.add(key)
                entries.append(_Entry(spec.field, toks, key, (position, order)))
    return tuple(entries)


@cache
def _alias_texts(kind: str, field: str) -> tuple[str, ...]:
    return column_specs.alias_texts(kind, field)


@cache
def kind_token_keys(kind: str | None) -> frozenset[str]:
    """Token keys of every alias of ``kind`` (every kind when None): a cheap first test
    of whether a text is a header, used to find the header row."""
    kinds = [kind] if kind else list(column_specs.KINDS)
    return frozenset(" ".join(sorted(set(e.tokens))) for k in kinds for e in _field_entries(k))


def best(
    entries: tuple[_Entry, ...], text: str, required: frozenset[str] = frozenset(), floor: float = ACCEPT,
    drop: frozenset[str] = frozenset(),
) -> Match | None:
    """The best entry for a text at or above ``floor`` (ties: more words, earlier alias).

    ``drop``: stems that carry no meaning here (for values: "activity", "programme").
    """
    key = match_key(text)
    toks = tokens(text)
    if drop:
        kept = tuple(w for w in toks.name if w not in drop)
        toks = Tokens(kept or toks.name, toks.hint, toks.currency, toks.unit, (kept or toks.name,))
    for e in entries:
        if e.key == key and not required:
            return Match(e.target, 1.0, toks.currency)
    ranked: list[tuple[float, int, tuple[int, int], str]] = []
    for e in entries:
        score, matched = _score(toks.name, e.tokens, required)
        if score >= floor:
            ranked.append((score, matched, (-e.rank[0], -e.rank[1]), e.target))
    if len(toks.parts) > 1 and not required:
        # "Governorate / Province": every part names the same target.
        found = [best(entries, " ".join(p), floor=CONFIDENT) for p in toks.parts]
        if all(found) and len({m.target for m in found}) == 1:
            ranked.append((min(m.confidence for m in found) * 0.98, 99, (0, 0), found[0].target))
    if not ranked:
        return None
    score, _, _, target = max(ranked)
    return Match(target, round(score, 3), toks.currency)


@lru_cache(maxsize=16384)
def match_header(kind: str, text: str, group: str | None = None, floor: float = ACCEPT) -> Match | None:
    """The field of ``kind`` a header text means, with its confidence, or None.

    Args:
        kind: one of ``maaor.columns.KINDS``.
        text: the header as written.
        group: the text of a group header above it (a stacked two-row header), or None.
        floor: the lowest confidence returned (``ACCEPT`` by default; lower to find a
            header that merely looks close).

    Returns:
        The best match; with a group, the better of the header alone and the header
        joined with its group (where the field must match a word of the header itself).
    """
    entries = _field_entries(kind)
    alone = best(entries, text, floor=floor)
    if not group:
        return alone
    own = frozenset(tokens(text).name)
    joined = best(entries, f"{group} {text}", required=own, floor=floor)
    if joined is None:
        return alone
    if alone is None or joined.confidence > alone.confidence:
        return Match(joined.target, joined.confidence, alone.currency if alone else joined.currency)
    return alone


def similarity(text: str, other: str) -> float:
    """How close two header texts are, 0..1, by their tokens (typos allowed)."""
    a, b = tokens(text).name, tokens(other).name
    score, _ = _score(a, b, frozenset())
    return score
