"""Organisations: the one place where organisation names are normalised.

The bundled directory (``maaor/data/organisations.csv``) lists each organisation once
with its type and the spellings seen in mine-action documents. Coordinators can add
their own aliases (stored elsewhere) with :meth:`OrgDirectory.with_aliases`.

Two uses:
    * exact look-up of one name (:meth:`OrgDirectory.canonical`, vectorised by
      :meth:`OrgDirectory.normalise`), with fuzzy suggestions for unknown names;
    * splitting a free-text "Lead and Partners" cell of a narrative work plan, where
      organisations, people in brackets and remarks follow each other without
      delimiters (:func:`parse_org_cell`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from maaor.textkey import match_key
from maaor.vocab import ORG_TYPES

_CSV_PATH = Path(__file__).parent / "data" / "organisations.csv"

# Bracket contents meaning "to be confirmed".
_TBC_KEYS = frozenset({"tbc", "tbd", "tobeconfirmed", "toconfirm", "aconfirmer", "pending"})

# Separators between organisations in free text (besides the organisations themselves).
_SEPARATOR = re.compile(r"(\s*(?:[,;/\n]|\band\b|\bet\b)\s*)", re.IGNORECASE)
_JUNK = " \t\r\n-–—:.·•*"

# One word of a person's name: "Loupforest", "Sandvoll", "O'Neil", "Jean-Pierre", "J."
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ](?:[a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)*|\.)$")
_NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "al", "el", "bin", "ben", "dos", "das"})
# Capitalised words that name institutions or places, not people ("Geneva Office").
_NOT_NAME_WORDS = frozenset(
    {
        "office", "unit", "team", "cluster", "programme", "program", "group", "centre",
        "center", "section", "department", "ministry", "fund", "coordinator", "coordinators",
        "task", "force", "working", "mission", "country", "headquarters", "regional", "global",
        "field", "support", "training", "management", "information", "geneva", "york",
        "new", "secretariat", "committee", "council", "agency", "authority", "service",
        "government", "members", "member", "partners", "partner", "lead", "co-lead",
        "chair", "co-chair", "focal", "point", "points", "staff", "tbc", "tbd", "sub-cluster",
    }
)


@dataclass(frozen=True)
class Org:
    """One organisation of the directory.

    Attributes:
        name: canonical name, as shown everywhere in the dashboard.
        org_type: one of :data:`ORG_TYPES`, or None when not known (an alias added by a
            coordinator for an organisation the bundled list does not have).
        aliases: other spellings (the canonical name itself is always accepted).
    """

    name: str
    org_type: str | None
    aliases: tuple[str, ...] = ()


@dataclass
class OrgCell:
    """What one "Lead and Partners" cell says.

    Attributes:
        leads: lead organisations (canonical names; unknown ones as written), in order.
        partners: partner organisations, in order, without the leads.
        focal_points: people named in brackets after an organisation.
        tentative: True when a lead is marked "(TBC)".
        unknown: organisations not in the directory, as written.
        notes: other bracketed remarks, written as ``"Org (remark)"``.
        tentative_partners: partners marked "(TBC)" (canonical names).
    """

    leads: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    focal_points: list[str] = field(default_factory=list)
    tentative: bool = False
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tentative_partners: list[str] = field(default_factory=list)


def _fuzzy_key(text: str) -> str:
    """Lower-case, accent-free text with single spaces (keeps word boundaries for fuzzy scoring)."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


def _alias_regex_part(alias: str) -> str:
    """Regex for one alias: flexible spaces, dashes and apostrophes.

    All-capital acronyms match only in capitals (four letters or more also in title
    case, "Unicef"), so "who" or "Hi" in a sentence is not taken for WHO or HI.
    """

    def token(tok: str) -> str:
        out = []
        for ch in tok:
            if ch in "-–—":
                out.append("[-–—]")
            elif ch in "'’":
                out.append("['’]")
            else:
                out.append(re.escape(ch))
        return "".join(out)

    def pattern(text: str) -> str:
        return r"\s+".join(token(t) for t in text.split())

    letters = [ch for ch in alias if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        variants = dict.fromkeys([alias, alias.title()] if len(letters) >= 4 else [alias])
        return "(?:" + "|".join(pattern(v) for v in variants) + ")"
    return "(?i:" + pattern(alias) + ")"


class OrgDirectory:
    """Known organisations and their aliases; look-ups by :func:`match_key`."""

    def __init__(self, orgs: Iterable[Org]):
        """Build a directory. Later organisations win when two claim the same alias."""
        self._orgs: dict[str, Org] = {}
        self._by_key: dict[str, str] = {}
        for org in orgs:
            self._orgs[org.name] = org
            for spelling in (org.name, *org.aliases):
                key = match_key(spelling)
                if key:
                    self._by_key[key] = org.name
        self._regex: re.Pattern | None = None
        self._fuzzy_choices: dict[str, str] | None = None

    @classmethod
    def from_csv(cls, path: str | Path) -> OrgDirectory:
        """Read a directory CSV with columns ``name,org_type,aliases``.

        Raises:
            ValueError: an unknown org_type, or one spelling claimed by two organisations.
        """
        orgs: list[Org] = []
        owner: dict[str, str] = {}
        with open(path, encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                name = rec["name"].strip()
                org_type = (rec.get("org_type") or "").strip() or None
                if org_type is not None and org_type not in ORG_TYPES:
                    raise ValueError(f"{path}: {name}: unknown org_type {org_type!r}")
                aliases = tuple(a.strip() for a in (rec.get("aliases") or "").split("|") if a.strip())
                for spelling in (name, *aliases):
                    key = match_key(spelling)
                    if key in owner and owner[key] != name:
                        raise ValueError(f"{path}: {spelling!r} names both {owner[key]} and {name}")
                    owner[key] = name
                orgs.append(Org(name, org_type, aliases))
        return cls(orgs)

    @classmethod
    def bundled(cls) -> OrgDirectory:
        """The directory shipped with maaor (cached)."""
        return _bundled()

    def with_aliases(self, extra: Mapping[str, str]) -> OrgDirectory:
        """Return a new directory with coordinator aliases added.

        Args:
            extra: alias -> canonical name. A canonical name the directory does not know
                becomes a new organisation of unknown type. An alias overrides any
                bundled meaning of the same spelling.
        """
        from maaor.gazetteer import is_admin1_alias

        orgs = dict(self._orgs)
        for alias, target in extra.items():
            if is_admin1_alias(alias):  # a place name confirmed by the coordinator
                continue
            alias, target = str(alias).strip(), str(target).strip()
            key = match_key(alias)
            if not key or not match_key(target):
                continue
            canonical = self.canonical(target) or target
            # The alias now means only `canonical`: drop it from any other organisation.
            for name, org in list(orgs.items()):
                kept = tuple(a for a in org.aliases if match_key(a) != key)
                if kept != org.aliases:
                    orgs[name] = Org(org.name, org.org_type, kept)
            org = orgs.get(canonical, Org(canonical, None, ()))
            orgs[canonical] = Org(org.name, org.org_type, (*org.aliases, alias))
        directory = OrgDirectory(orgs.values())
        for alias, target in extra.items():
            key = match_key(alias)
            if key and match_key(target) and not is_admin1_alias(alias):
                directory._by_key[key] = self.canonical(target) or str(target).strip()
        return directory

    def canonical(self, name: object) -> str | None:
        """Canonical name for ``name`` (any alias, any case/accents/punctuation); None if unknown."""
        if name is None or (isinstance(name, float) and pd.isna(name)):
            return None
        return self._by_key.get(match_key(name))

    def org_type(self, canonical_name: str) -> str | None:
        """Organisation type code of an organisation (an alias is accepted too); None if unknown."""
        name = canonical_name if canonical_name in self._orgs else self.canonical(canonical_name)
        org = self._orgs.get(name) if name else None
        return org.org_type if org else None

    def suggest(self, name: str, limit: int = 3, score_cutoff: float = 60.0) -> list[tuple[str, float]]:
        """Likely canonical names for an unknown ``name``, best first, with scores 0..100."""
        if self._fuzzy_choices is None:
            choices: dict[str, str] = {}
            for org in self._orgs.values():
                for spelling in (org.name, *org.aliases):
                    choices.setdefault(_fuzzy_key(spelling), org.name)
            self._fuzzy_choices = choices
        query = _fuzzy_key(name)
        if not query:
            return []
        found = process.extract(
            query, list(self._fuzzy_choices), scorer=fuzz.WRatio, limit=limit * 5, score_cutoff=score_cutoff
        )
        out: list[tuple[str, float]] = []
        for choice, score, _ in found:
            canonical = self._fuzzy_choices[choice]
            if canonical not in (c for c, _ in out):
                out.append((canonical, round(float(score), 1)))
            if len(out) == limit:
                break
        return out

    def normalise(self, names: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Canonical names for a column of organisation names.

        Returns:
            ``(names, known)``: canonical name where known, else the name as written
            (stripped); ``known`` is a boolean Series, NA where the input is missing.
            Each distinct spelling is looked up once.
        """
        from maaor.normalise import str_series

        codes, uniques = pd.factorize(names, use_na_sentinel=True)
        canon = [self.canonical(u) for u in uniques]
        out = str_series(codes, [c or str(u).strip() for u, c in zip(uniques, canon, strict=True)],
                         None, names.index)
        flags = np.array([c is not None for c in canon] + [False], dtype=bool)
        known = pd.array(flags[codes] if len(codes) else flags[:0], dtype="boolean")
        known[codes < 0] = pd.NA
        return out, pd.Series(known, index=names.index)

    def names(self) -> list[str]:
        """All canonical names, sorted case-insensitively."""
        return sorted(self._orgs, key=str.casefold)

    def alias_regex(self) -> re.Pattern:
        """One regex matching any known spelling as a whole phrase, longest spelling first."""
        if self._regex is None:
            spellings = {s for org in self._orgs.values() for s in (org.name, *org.aliases)}
            ordered = sorted(spellings, key=lambda s: (-len(s), s))
            body = "|".join(_alias_regex_part(s) for s in ordered)
            self._regex = re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")
        return self._regex


@lru_cache(maxsize=1)
def _bundled() -> OrgDirectory:
    return OrgDirectory.from_csv(_CSV_PATH)


# ----------------------------------------------------------------- parse_org_cell


@dataclass
class _Tok:
    kind: Literal["org", "sep", "bracket"]
    start: int
    end: int
    text: str  # as written
    name: str = ""  # canonical (or as written when unknown)
    known: bool = False
    bracketed: bool = False
    tentative: bool = False
    group: int = -1


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """Top-level ``(...)`` spans as (start, end-exclusive); unbalanced brackets are ignored."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = -1
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _looks_like_person(text: str) -> bool:
    """1-4 capitalised words, no digits, no institutional words: "Sarah Marshall"."""
    words = text.split()
    if not 1 <= len(words) <= 4 or any(ch.isdigit() for ch in text):
        return False
    named = 0
    for w in words:
        if w.casefold() in _NOT_NAME_WORDS:
            return False
        if w in _NAME_PARTICLES:
            continue
        if not _NAME_WORD.match(w):
            return False
        named += 1
    return named >= 1


def _split_pieces(text: str, offset: int) -> list[_Tok]:
    """Split free text between organisations into separator and organisation tokens."""
    toks: list[_Tok] = []
    pos = 0
    for m in _SEPARATOR.finditer(text):
        toks.extend(_piece(text, pos, m.start(), offset))
        toks.append(_Tok("sep", offset + m.start(), offset + m.end(), m.group(0).strip() or "\n"))
        pos = m.end()
    toks.extend(_piece(text, pos, len(text), offset))
    return toks


def _piece(text: str, start: int, end: int, offset: int) -> list[_Tok]:
    raw = text[start:end]
    stripped = raw.strip(_JUNK)
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return []
    lead = raw.index(stripped)
    s = offset + start + lead
    return [_Tok("org", s, s + len(stripped), stripped, name=" ".join(stripped.split()))]


def _classify_bracket(content: str, directory: OrgDirectory) -> list[tuple[str, str]]:
    """Kinds in a bracket: [("tbc"|"org"|"person", value)] or [("note", content)]."""
    text = " ".join(content.split())
    if match_key(text) in _TBC_KEYS:
        return [("tbc", "")]
    whole = directory.canonical(text)
    if whole:
        return [("org", whole)]
    parts = [p.strip(_JUNK) for p in _SEPARATOR.split(text)[::2]]
    kinds: list[tuple[str, str]] = []
    for part in parts:
        if not part:
            continue
        if match_key(part) in _TBC_KEYS:
            kinds.append(("tbc", ""))
        elif directory.canonical(part):
            kinds.append(("org", directory.canonical(part)))
        elif _looks_like_person(part):
            kinds.append(("person", part))
        else:
            return [("note", text)]
    return kinds or [("note", text)]


def _is_bold(tok: _Tok, bold: list[bool] | None, text: str) -> bool:
    if bold is None:
        return False
    flags = [b for ch, b in zip(text[tok.start : tok.end], bold[tok.start : tok.end], strict=False) if not ch.isspace()]
    return bool(flags) and sum(flags) * 2 > len(flags)


def _unique(items: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    seen = set(exclude)
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def parse_org_cell(
    text: str,
    directory: OrgDirectory,
    bold: list[bool] | None = None,
    *,
    role: Literal["auto", "lead", "partner"] = "auto",
) -> OrgCell:
    """Split one "Lead and Partners" cell into leads, partners, people and remarks.

    Known spellings are found longest first (whole words, any case); text between them
    is split on ``, ; / and`` and newlines and kept as unknown organisations. A bracket
    after an organisation holds "TBC" (tentative), people (focal points), organisations
    (partners, e.g. "Early Recovery (UNDP)") or a remark (a note).

    Args:
        text: the cell text.
        directory: organisations to recognise.
        bold: per-character bold flags aligned with ``text`` (from rich text), or None
            when the cell has no formatting.
        role: "auto" applies the lead rule: with bold, every bold organisation is a lead;
            without, the first organisation (or first "/"-joined group) is the lead.
            "lead" / "partner" make every organisation a lead / partner (for cells of a
            tidy "Lead" or "Partners" column).

    Returns:
        The parsed cell; duplicates removed keeping the first occurrence.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return OrgCell()
    text = str(text)
    if bold is not None and len(bold) != len(text):
        bold = None
    brackets = _bracket_spans(text)

    def inside(pos: int) -> tuple[int, int] | None:
        for s, e in brackets:
            if s < pos < e:
                return (s, e)
        return None

    matches = []
    for m in directory.alias_regex().finditer(text):
        if inside(m.start()):
            continue
        span = inside(m.end() - 1) if m.end() > m.start() else None
        if span and span[1] > m.end():
            continue  # would cut a bracket in two
        matches.append(m)
    consumed = [(s, e) for s, e in brackets if any(m.start() <= s and e <= m.end() for m in matches)]
    events: list[tuple[int, int, str]] = [(m.start(), m.end(), "match") for m in matches]
    events += [(s, e, "bracket") for s, e in brackets if (s, e) not in consumed]
    events.sort()

    toks: list[_Tok] = []
    pos = 0
    for start, end, kind in events:
        if start < pos:
            continue
        toks.extend(_split_pieces(text[pos:start], pos))
        written = text[start:end]
        if kind == "match":
            toks.append(
                _Tok("org", start, end, " ".join(written.split()), name=directory.canonical(written) or written, known=True)
            )
        else:
            toks.append(_Tok("bracket", start, end, written[1:-1]))
        pos = end
    toks.extend(_split_pieces(text[pos:], pos))

    # Resolve unknown pieces that are known after all (e.g. inside a separator-split phrase).
    for tok in toks:
        if tok.kind == "org" and not tok.known:
            canon = directory.canonical(tok.text)
            if canon:
                tok.name, tok.known = canon, True

    orgs: list[_Tok] = []
    focal_points: list[str] = []
    notes: list[str] = []
    group = -1
    after_slash = False
    last_top: _Tok | None = None
    for tok in toks:
        if tok.kind == "sep":
            after_slash = tok.text == "/"
            continue
        if tok.kind == "org":
            if not (after_slash and last_top is not None):
                group += 1
            tok.group = group
            orgs.append(tok)
            last_top = tok
            after_slash = False
            continue
        # bracket
        owner = last_top
        for kind, value in _classify_bracket(tok.text, directory):
            if kind == "tbc" and owner is not None:
                owner.tentative = True
            elif kind == "org":
                orgs.append(_Tok("org", tok.start, tok.end, value, name=value, known=True, bracketed=True))
            elif kind == "person":
                focal_points.append(value)
            elif kind == "note":
                notes.append(f"{owner.text} ({value})" if owner is not None else value)
        after_slash = False

    if role == "lead":
        lead_toks = orgs
    elif role == "partner":
        lead_toks = []
    else:
        bold_toks = [t for t in orgs if _is_bold(t, bold, text)]
        if bold_toks:
            lead_toks = bold_toks
        else:
            first = next((t for t in orgs if not t.bracketed), None)
            lead_toks = [t for t in orgs if first is not None and not t.bracketed and t.group == first.group]
    lead_ids = {id(t) for t in lead_toks}
    leads = _unique(t.name for t in lead_toks)
    partner_toks = [t for t in orgs if id(t) not in lead_ids]
    partners = _unique((t.name for t in partner_toks), exclude=leads)
    return OrgCell(
        leads=leads,
        partners=partners,
        focal_points=_unique(focal_points),
        tentative=any(t.tentative for t in lead_toks),
        unknown=_unique(t.text for t in orgs if not t.known),
        notes=_unique(notes),
        tentative_partners=_unique(t.name for t in partner_toks if t.tentative and t.name not in leads),
    )
