"""Header understanding: which field a column header means, and how sure that is.

A header is first compared whole with the aliases of ``maaor/data/columns.csv`` (by
:func:`maaor.textkey.match_key`): an exact alias is certain (confidence 1.0). Otherwise
the header is taken apart (:func:`split_header`):

- text in brackets, or after a line break, is a hint and not the name ("NOM
  ORGANISATION (cette colonne est renseignée automatiquement)" is named "nom
  organisation"); "Partner(s)" is a plural, not a hint;
- units and currencies ("(USD)", "en $", "EUR", "%") are recognised as the column's unit
  (kept on the placement for the readers that convert money) and left out of the name;
  a bare amount word with a currency ("Amount (EUR)", "Montant en CHF", "Amount in GBP")
  is the kind's amount field (funding received; a work plan's budget) in that currency;
- the name's words are folded (accents, case, punctuation), stemmed (singular and plural,
  "-ed", "-ing", French feminine "-e"), translated from French where the aliases are
  English ("femmes atteintes" is "women reached"), admin levels named by their local word
  ("Governorate", "Territoire") become the level, and a small typo is corrected against
  the words the aliases use (edit distance 1 for words of 5 to 7 letters, 2 from 8).

The words are then compared as sets with each alias of the kind (the same treatment is
applied to the aliases once, at first use). A header word that changes the meaning (a
comment on, a date of, a code of, elderly, a year) and is not in the alias rules the alias
out, as HXL's meaning-changing attributes do for tags. The score is a Dice coefficient of
the two word sets, lowered for typos and for words that only name ("name", "number").

The matcher runs once per distinct header text (cached), never per cell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from maaor import columns as column_specs
from maaor.problems import Problem, problem
from maaor.textkey import match_key

#: Below this a header is not taken for a field.
LOW_CONFIDENCE = 0.7
#: From this up a header is taken without a warning; between the two, with a warning that
#: names the header and the field.
HIGH_CONFIDENCE = 0.85

#: Longer texts are notes or data, not headers (a header with its instructions is shorter).
MAX_HEADER_LENGTH = 300

#: Typos are looked for in headers of at most this many words (longer texts are data).
MAX_TYPO_WORDS = 6

MatchHow = Literal["exact", "fuzzy"]

#: Names (match keys, unit set aside) that say "an amount of money" and nothing more.
_AMOUNT_NAMES = frozenset({"amount", "amounts", "montant", "montants", "totalamount", "montanttotal",
                           "amountofmoney", "somme"})
#: The field such an amount fills when its header names a currency: a funding row's
#: amount is what was received (what "funded" means), a work plan's is its budget.
AMOUNT_FIELDS = {"funding": "funded_usd", "workplan": "budget_usd"}
#: Confidence of an amount placed by its currency: sure enough to go without a warning
#: (the currency says it is money), short of an exact alias.
AMOUNT_CONFIDENCE = 0.9

# Currencies and units as written -> the unit kept on the placement.
_CURRENCY_CODES = ("usd", "eur", "chf", "gbp", "nok", "sek", "dkk", "cad", "aud", "jpy")
_UNIT_WORDS = {
    **{c: c.upper() for c in _CURRENCY_CODES},
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pct": "%",
}
_SYMBOLS = (
    (re.compile(r"us\s*\$|\$\s*us\b|\bus\s+dollars?\b", re.IGNORECASE), " usd "),
    (re.compile(r"\$"), " usd "),
    (re.compile("€"), " eur "),
    (re.compile("£"), " gbp "),
    (re.compile("¥"), " jpy "),
)
_PLURAL_MARK = re.compile(r"(\w)\((s|es|x)\)", re.IGNORECASE)  # "partner(s)" is "partners"
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]?")
_LINE_BREAK = re.compile(r"[\r\n]+")
_WORD = re.compile(r"[0-9a-z]+")
_ADMIN_LEVEL = re.compile(r"\b(?:admin(?:istrative)?|adm)\s*(?:level\s*|niveau\s*)?([0-4])\b")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "ActivityId" is "Activity Id"

# Words that carry no meaning of their own in a header.
_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "on", "for", "in", "to", "from", "by", "with", "per", "at",
     "and", "or", "de", "du", "des", "la", "le", "les", "d", "l", "en", "et", "ou", "au",
     "aux", "dans", "par", "pour", "sur", "avec", "s"}
)  # fmt: skip
# Words that only name or count what follows: "Name of coordination mechanism" is the
# mechanism, "Number of women reached" the women reached.
_WEAK = frozenset({"name", "title", "number", "count", "total"})
# Irregular English plurals and French words that spell another one in the aliases.
_IRREGULAR = {"women": "woman", "men": "man", "children": "child", "people": "person",
              "persons": "person", "personnes": "person", "personne": "person"}  # fmt: skip
# French -> English (the aliases are mostly English; French aliases still match whole).
_FRENCH = {
    "femme": "woman", "homme": "man", "fille": "girl", "garcon": "boy", "enfant": "child",
    "atteint": "reached", "atteinte": "reached", "touche": "reached", "beneficiaire": "beneficiary",
    "partenaire": "partner", "organisme": "organisation", "nom": "name", "nombre": "number",
    "pays": "country", "annee": "year", "bailleur": "donor", "donateur": "donor",
    "funder": "donor", "cible": "target", "commentaire": "comment", "remarque": "remark",
    "mecanisme": "mechanism", "statut": "status", "debut": "start", "fin": "end",
    "besoin": "requirement", "requis": "required", "financement": "funding", "recu": "received",
    "activite": "activity", "lieu": "place", "objectif": "objective", "produit": "output",
    "indicateur": "indicator", "responsable": "lead", "secteur": "sector", "pilier": "pillar",
    "courriel": "email", "coordination": "coordination", "acteur": "actor", "projet": "project",
    "programme": "programme", "program": "programme", "mois": "month",
}  # fmt: skip
# Local names of admin levels (unambiguous ones only: "state" and "region" are not here).
_ADMIN_WORDS = {
    "admin1": ("province", "governorate", "gouvernorat", "oblast", "wilaya", "muhafaza",
               "muhafazat", "adm1", "admin1"),
    "admin2": ("district", "raion", "rayon", "territoire", "territory", "departement",
               "cercle", "adm2", "admin2"),
}  # fmt: skip
# Words that change what a column means: a header holding one the alias lacks is not that
# alias ("Comments on budget" is not the budget, "Funding date" not the funding). Years
# count too ("Target 2023" is one year's target, not the target).
_MEANING = frozenset(
    {"comment", "remark", "note", "observation", "description", "date", "year", "month",
     "code", "id", "pcode", "type", "percent", "pct", "elderly", "child", "adolescent",
     "infant", "adult", "woman", "man", "girl", "boy", "female", "male", "programme",
     "donor", "lead", "colead", "partner", "target", "baseline", "actual", "required",
     "received", "pledged", "source", "unit", "group", "email", "phone", "contact"}
)  # fmt: skip


@dataclass(frozen=True)
class HeaderParts:
    """A header taken apart.

    Attributes:
        written: the header as written.
        name: the name, folded (lower case, no accents, words separated by one space).
        hint: the text in brackets or after a line break, folded ("" when none).
        unit: the unit or currency found in the header ("USD", "EUR", "%"), or None.
    """

    written: str
    name: str
    hint: str
    unit: str | None


@dataclass(frozen=True)
class HeaderMatch:
    """The field a header was taken for.

    Attributes:
        field: the field of the kind.
        confidence: 0..1; 1.0 for an exact alias.
        how: "exact" (an alias, whole or once its unit is set aside) or "fuzzy".
        unit: the unit or currency written in the header, or None.
    """

    field: str
    confidence: float
    how: MatchHow
    unit: str | None = None


def fold(text: object) -> str:
    """Lower case, accents removed, ``&`` as "and"; punctuation kept."""
    s = unicodedata.normalize("NFKD", "" if text is None else str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return s.replace("&", " and ").replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def header_key(text: object) -> str:
    """The key of a header for saved mappings (``header_overrides``): the header as
    written, compared without case, accents, spaces or punctuation (hints included, so
    a profile names the header as the sheet has it)."""
    return match_key(text)


def _unit_of(words: list[str]) -> str | None:
    for w in words:
        if w in _UNIT_WORDS:
            return _UNIT_WORDS[w]
    return None


@lru_cache(maxsize=8192)
def split_header(text: str) -> HeaderParts:
    """Take a header apart into its name, its hint and its unit (see the module doc).

    Args:
        text: the header as written.

    Returns:
        The parts; ``name`` is "" only when the header holds no word at all.
    """
    written = str(text)
    s = _CAMEL.sub(" ", _PLURAL_MARK.sub(r"\1\2", written.strip()))
    percent_in_name = False
    lines = _LINE_BREAK.split(s)
    first, rest = lines[0], " ".join(lines[1:])
    hints = [*_BRACKETS.findall(first), rest]
    name = _BRACKETS.sub(" ", first)
    if "%" in name:
        percent_in_name = True
        name = name.replace("%", " percent ")
    hint = " ".join(hints)
    units: list[str] = []
    for part in (name, hint):
        folded = fold(part)
        for pattern, code in _SYMBOLS:
            folded = pattern.sub(code, folded)
        units.extend(_WORD.findall(folded.replace("%", " pct ")))
    unit = _unit_of(units) or ("%" if percent_in_name else None)
    folded_name = fold(name)
    for pattern, code in _SYMBOLS:
        folded_name = pattern.sub(code, folded_name)
    words = [w for w in _WORD.findall(folded_name) if w not in _UNIT_WORDS]
    if unit and len(words) > 1 and words[-1] in ("en", "in"):
        words.pop()  # "Budget en $": the preposition went with the currency
    if not words:  # all of it in brackets ("(Organisation)"): the brackets are the name
        folded_hint = fold(hint)
        words = [w for w in _WORD.findall(folded_hint) if w not in _UNIT_WORDS]
        hint = ""
    return HeaderParts(written, " ".join(words), " ".join(_WORD.findall(fold(hint))), unit)


def _stem(word: str) -> str:
    w = _IRREGULAR.get(word, word)
    w = w.replace("ization", "isation")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    if len(w) > 5 and w.endswith("e"):
        w = w[:-1]
    return w


_ADMIN_STEMS = {word: level for level, words in _ADMIN_WORDS.items() for word in words}


@lru_cache(maxsize=65536)
def _canonical(word: str) -> str:
    """One word of a header or an alias in its compared form."""
    if word in _ADMIN_STEMS:
        return _ADMIN_STEMS[word]
    stem = _stem(word)
    stem = _FRENCH_STEMS_STEMMED.get(stem, stem)
    return _ADMIN_STEMS.get(stem, stem)


# French words compared after stemming ("atteintes" -> "atteint" -> "reach").
_FRENCH_STEMS_STEMMED: dict[str, str] = {_stem(k): _stem(v) for k, v in _FRENCH.items()}


def _raw_words(name: str) -> list[str]:
    text = _ADMIN_LEVEL.sub(r"admin\1", name)
    return [w for w in _WORD.findall(text) if w not in _STOPWORDS]


@dataclass(frozen=True)
class _Alias:
    field: str
    words: frozenset[str]
    rank: tuple[int, int]  # (position in the field's aliases, field order): lower wins


@cache
def _aliases(kind: str) -> tuple[dict[str, list[_Alias]], list[_Alias]]:
    """Per kind: word -> the aliases holding it, and every alias (built once)."""
    index: dict[str, list[_Alias]] = {}
    every: list[_Alias] = []
    for order, spec in enumerate(column_specs.FIELDS[kind]):
        spellings = [spec.label, spec.field.replace("_", " "), *_alias_texts(kind, spec.field)]
        seen: set[frozenset[str]] = set()
        for position, spelling in enumerate(spellings):
            words = frozenset(_canonical(w) for w in _raw_words(split_header(spelling).name))
            if not words or words in seen:
                continue
            seen.add(words)
            alias = _Alias(spec.field, words, (position, order))
            every.append(alias)
            for w in words:
                index.setdefault(w, []).append(alias)
    return index, every


@cache
def _alias_text_table() -> dict[tuple[str, str], tuple[str, ...]]:
    """The aliases of columns.csv as written (FieldSpec keeps only their match keys)."""
    import csv
    import io
    from importlib import resources

    text = resources.files("maaor").joinpath("data/columns.csv").read_text(encoding="utf-8")
    return {
        (row["kind"], row["field"]): tuple(a for a in row["aliases"].split("|") if a.strip())
        for row in csv.DictReader(io.StringIO(text))
    }


def _alias_texts(kind: str, field: str) -> tuple[str, ...]:
    return _alias_text_table().get((kind, field), ())


@cache
def _vocabulary() -> tuple[frozenset[str], dict[int, tuple[str, ...]]]:
    """Compared forms known from any alias or word table, and the raw words (typo
    targets) by the word lengths they are compared with."""
    raw: set[str] = set(_FRENCH) | set(_FRENCH.values()) | set(_ADMIN_STEMS) | _WEAK | _MEANING
    for kind in column_specs.KINDS:
        for spec in column_specs.FIELDS[kind]:
            for spelling in (spec.label, spec.field.replace("_", " "), *_alias_texts(kind, spec.field)):
                raw.update(_raw_words(split_header(spelling).name))
    known = frozenset(_canonical(w) for w in raw)
    by_length: dict[int, list[str]] = {}
    for w in sorted(raw):
        if len(w) >= 5 and not w.isdigit():
            # A typo changes a letter or two, it does not glue a word on ("activityid"):
            # a word is compared only with words of its length, give or take one.
            for n in (len(w) - 1, len(w), len(w) + 1):
                by_length.setdefault(n, []).append(w)
    return known, {n: tuple(ws) for n, ws in by_length.items()}


def _typo_limit(word: str) -> int:
    if len(word) >= 8:
        return 2
    if len(word) >= 5:
        return 1
    return 0


@lru_cache(maxsize=8192)
def header_words(name: str) -> tuple[frozenset[str], int]:
    """The compared words of a header name, and how many were typo-corrected.

    Args:
        name: ``HeaderParts.name``.
    """
    known, targets = _vocabulary()
    words: set[str] = set()
    typos = 0
    raw = _raw_words(name)
    for w in raw:
        c = _canonical(w)
        limit = _typo_limit(w) if len(raw) <= MAX_TYPO_WORDS else 0
        if c not in known and limit and not w.isdigit() and len(w) in targets:
            found = process.extractOne(w, targets[len(w)], scorer=Levenshtein.distance, score_cutoff=limit)
            if found is not None:
                c = _canonical(found[0])
                typos += 1
        words.add(c)
    return frozenset(words), typos


def _score(header: frozenset[str], alias: frozenset[str]) -> float:
    """How well a header's words fit an alias's words (0 when they cannot mean it)."""
    common = header & alias
    if not common:
        return 0.0
    extra = header - alias
    if any(w in _MEANING or _YEAR.match(w) for w in extra):
        return 0.0
    missing = alias - header
    weak = _WEAK & (extra | missing)
    h, a = header - weak, alias - weak
    if not h or not a:
        return 0.0
    dice = 2 * len(h & a) / (len(h) + len(a))
    return dice * 0.95 - (0.05 if weak else 0.0)


@lru_cache(maxsize=16384)
def _prepared(text: str) -> tuple[HeaderParts, str, str, frozenset[str], int]:
    """What every kind compares of one header (computed once per text)."""
    parts = split_header(text)
    words, typos = header_words(parts.name) if parts.name else (frozenset(), 0)
    return parts, match_key(text), match_key(parts.name), words, typos


@lru_cache(maxsize=16384)
def match_header(kind: str, text: str) -> HeaderMatch | None:
    """The field of ``kind`` a header means, with its confidence, or None.

    Args:
        kind: one of ``maaor.columns.KINDS``.
        text: the header as written.

    Returns:
        The best match (ties go to the alias listed first, then to the field listed first
        in columns.csv), or None when nothing reaches ``LOW_CONFIDENCE``.
    """
    if len(text) > MAX_HEADER_LENGTH:
        return None
    parts, key, name_key, words, typos = _prepared(text)
    field = column_specs.header_field_by_key(kind, key)
    if field is not None:
        return HeaderMatch(field, 1.0, "exact", parts.unit)
    field = column_specs.header_field_by_key(kind, name_key)
    if field is not None:
        # The name is an alias: with only a unit set aside it is certain, with a hint
        # (instructions in brackets) nearly.
        if _only_unit(parts):
            return HeaderMatch(field, 1.0, "exact", parts.unit)
        return HeaderMatch(field, 0.95, "fuzzy", parts.unit)
    if (parts.unit not in (None, "%") and kind in AMOUNT_FIELDS and name_key in _AMOUNT_NAMES
            and _only_unit(parts)):
        # "Amount (EUR)": the currency makes a bare amount word the kind's money column,
        # converted to US dollars from that currency (the header's, per column).
        return HeaderMatch(AMOUNT_FIELDS[kind], AMOUNT_CONFIDENCE, "fuzzy", parts.unit)
    if not words:
        return None
    index, _ = _aliases(kind)
    best: tuple[float, tuple[int, int], str] | None = None
    candidates = {id(a): a for w in words for a in index.get(w, ())}
    for alias in candidates.values():
        score = _score(words, alias.words)
        if score <= 0:
            continue
        score -= 0.12 * typos
        key = (round(score, 6), (-alias.rank[0], -alias.rank[1]), alias.field)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or best[0] < LOW_CONFIDENCE:
        return None
    return HeaderMatch(best[2], round(best[0], 2), "fuzzy", parts.unit)


def _only_unit(parts: HeaderParts) -> bool:
    """The hint holds nothing but the unit ("(USD)", "(en $)", "(%)")."""
    words = [w for w in parts.hint.split() if w not in _STOPWORDS]
    return all(w in _UNIT_WORDS or w in ("us", "percent", "pct") for w in words)


def best_match(kinds: tuple[str, ...], text: str) -> HeaderMatch | None:
    """The best match of a header over several kinds (to find the header row)."""
    found = [m for kind in kinds if (m := match_header(kind, text)) is not None]
    return max(found, key=lambda m: m.confidence) if found else None


def names_a_field(kinds: tuple[str, ...], text: str) -> bool:
    """True when a header means a field of one of ``kinds`` (stops at the first)."""
    return any(match_header(kind, text) is not None for kind in kinds)


def tag_unit(tag: str | None) -> str | None:
    """The currency of an HXL tag (``#value+funding+usd`` -> "USD"), or None."""
    if not tag:
        return None
    for attribute in tag.split("+")[1:]:
        if attribute in _CURRENCY_CODES:
            return attribute.upper()
    return None


def low_confidence_problem(
    letter: str, header: str, field_label: str, confidence: float, *,
    file: str, sheet: str | None, row: int | None, written: str,
) -> Problem:
    """The warning for a column placed by a close header (confidence below
    ``HIGH_CONFIDENCE``): it names the header and the field it was taken for.

    Args:
        letter: the column's letter.
        header: the header text that was matched (with its group in a two-row header).
        field_label: the template label of the field.
        confidence: the match's confidence.
        file, sheet, row: where (row: the header row).
        written: the column's header as written (the problem's column).
    """
    params = {"column": letter, "header": header, "field": field_label, "percent": round(100 * confidence)}
    return problem("warning", "column.low_confidence", params, file=file, sheet=sheet, row=row,
                   column=written, value=field_label)
