"""The kinds of sheet maaor reads, their fields, header aliases and HXL tags.

Everything here comes from ``maaor/data/columns.csv`` (one row per kind x field), loaded
once at import. Header texts are compared with :func:`maaor.textkey.match_key`, so
"Date de début", "date_de_debut" and "DATE DE DEBUT" are the same header. HXL tags are
compared after :func:`normalise_tag` (lower case, attributes in any order).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

from maaor.textkey import match_key

KINDS: tuple[str, ...] = ("workplan", "presence", "funding", "fts", "indicators", "mechanisms")

KIND_LABELS: dict[str, str] = {
    "workplan": "Work plan",
    "presence": "4W presence",
    "funding": "Funding",
    "fts": "FTS requirements and funding",
    "indicators": "Results indicators",
    "mechanisms": "Coordination mechanisms",
}

_TAG_PART = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    """One field of one kind of sheet.

    Attributes:
        field: canonical field name (a column of ``maaor.dataset.TABLE_COLUMNS``).
        type: value type used by validation ("text", "money", "date", ...).
        required: a sheet of this kind must have this column.
        label: the template header.
        aliases: match keys of every header text that means this field (label first,
            then the field name, then the aliases of columns.csv).
        hxl: normalised HXL tags for this field, most specific first as written.
    """

    field: str
    type: str
    required: bool
    label: str
    aliases: tuple[str, ...]
    hxl: tuple[str, ...]


def normalise_tag(tag: object) -> str | None:
    """Return an HXL tag in canonical form, or None if ``tag`` is not an HXL tag.

    Lower case, no spaces, attributes de-duplicated and sorted, so ``"#Org +impl+name"``
    and ``"#org+name+impl"`` both give ``"#org+impl+name"``.
    """
    if not isinstance(tag, str):
        return None
    text = "".join(tag.split()).lower()
    if not text.startswith("#"):
        return None
    parts = text[1:].split("+")
    if not all(_TAG_PART.match(p) for p in parts):
        return None
    return "#" + "+".join([parts[0], *sorted(set(parts[1:]))])


def _split_tag(tag: str) -> tuple[str, frozenset[str]]:
    hashtag, *attributes = tag.split("+")
    return hashtag, frozenset(attributes)


def _load() -> dict[str, list[FieldSpec]]:
    text = resources.files("maaor").joinpath("data/columns.csv").read_text(encoding="utf-8")
    fields: dict[str, list[FieldSpec]] = {kind: [] for kind in KINDS}
    for row in csv.DictReader(io.StringIO(text)):
        keys: list[str] = []
        for spelling in [row["label"], row["field"], *row["aliases"].split("|")]:
            key = match_key(spelling)
            if key and key not in keys:
                keys.append(key)
        tags: list[str] = []
        for raw in row["hxl"].split("|"):
            tag = normalise_tag(raw)
            if tag and tag not in tags:
                tags.append(tag)
        fields[row["kind"]].append(
            FieldSpec(
                field=row["field"],
                type=row["type"],
                required=row["required"].strip().lower() in ("y", "yes", "true", "1"),
                label=row["label"],
                aliases=tuple(keys),
                hxl=tuple(tags),
            )
        )
    return fields


FIELDS: dict[str, list[FieldSpec]] = _load()


def _header_index() -> dict[str, dict[str, str]]:
    # A key shared by two fields of one kind goes to the field that lists it earliest
    # (its label before its aliases; aliases are written most usual first), then to the
    # field listed first in columns.csv: French "Etat" is a status before it is a state.
    index: dict[str, dict[str, str]] = {}
    for kind, specs in FIELDS.items():
        best: dict[str, tuple[int, int, str]] = {}
        for order, spec in enumerate(specs):
            for position, key in enumerate(spec.aliases):
                candidate = (position, order, spec.field)
                if key not in best or candidate < best[key]:
                    best[key] = candidate
        index[kind] = {key: field for key, (_, _, field) in best.items()}
    return index


_HEADERS: dict[str, dict[str, str]] = _header_index()
_HXL: dict[str, list[tuple[str, frozenset[str], str, str]]] = {
    kind: [(*_split_tag(tag), tag, spec.field) for spec in specs for tag in spec.hxl]
    for kind, specs in FIELDS.items()
}

ALL_HEADER_KEYS: frozenset[str] = frozenset(k for table in _HEADERS.values() for k in table)


def spec(kind: str, field: str) -> FieldSpec:
    """Return the FieldSpec of ``field`` in ``kind`` (KeyError if there is none)."""
    for s in FIELDS[kind]:
        if s.field == field:
            return s
    raise KeyError(f"{kind}.{field}")


def header_keys(kind: str) -> frozenset[str]:
    """Return every header match key known for ``kind``."""
    return frozenset(_HEADERS[kind])


def header_field(kind: str, header_text: object) -> str | None:
    """Return the field of ``kind`` that a header text means, or None.

    Args:
        kind: one of KINDS.
        header_text: the header as written (any value; compared by match key).
    """
    key = match_key(header_text)
    if not key:
        return None
    return _HEADERS[kind].get(key)


def header_field_by_key(kind: str, key: str) -> str | None:
    """Return the field of ``kind`` whose alias has the match key ``key``, or None (for
    callers that already hold the key; see :func:`header_field`)."""
    return _HEADERS[kind].get(key) if key else None


#: HXL attributes that change what a column means: a tag carrying one of them is never
#: taken for a field whose tag lacks it (``#org+prog`` is not the implementing ``#org``,
#: ``#reached+f+elderly`` is not ``#reached``, ``#adm1+code`` is not the admin name,
#: ``#value+funded+original`` - an amount as written in another currency - is not the
#: amount in dollars).
MEANING_ATTRIBUTES: frozenset[str] = frozenset(
    {"f", "m", "i", "children", "adolescents", "adults", "elderly", "infants",
     "prog", "funder", "donor", "recipient", "lead", "partner", "type",
     "code", "id", "pct", "targeted", "original"}
)  # fmt: skip


def hxl_match(kind: str, tag: object) -> tuple[str, tuple[int, int]] | None:
    """Return the field of ``kind`` that an HXL tag means and how well, or None.

    HXL's own rules: the exact tag (hashtag and attributes, in any order) is the best
    match; otherwise a known tag with the same hashtag whose attributes are all on
    ``tag``, the one with the most of them (``#reached+f+children+total`` gives the field
    of ``#reached+f+children``), the bare hashtag last. A known tag never matches when
    ``tag`` has an attribute of ``MEANING_ATTRIBUTES`` that it lacks.

    Returns:
        ``(field, score)``; a higher score is a better match (exact first, then more
        matching attributes), so that several columns claiming one field can be ranked.
    """
    norm = normalise_tag(tag)
    if norm is None:
        return None
    hashtag, attributes = _split_tag(norm)
    best: tuple[int, str] | None = None
    for known_hashtag, known_attributes, known, field in _HXL[kind]:
        if known == norm:
            return field, (1, len(known_attributes))
        if (
            known_hashtag == hashtag
            and known_attributes <= attributes
            and not (attributes - known_attributes) & MEANING_ATTRIBUTES
            and (best is None or len(known_attributes) > best[0])
        ):
            best = (len(known_attributes), field)
    return (best[1], (0, best[0])) if best else None


def hxl_field(kind: str, tag: object) -> str | None:
    """Return the field of ``kind`` that an HXL tag means, or None (see ``hxl_match``)."""
    match = hxl_match(kind, tag)
    return match[0] if match else None


def template_headers(kind: str) -> list[str]:
    """Return the template header labels of ``kind`` in template order."""
    return [s.label for s in FIELDS[kind]]


def required_fields(kind: str) -> list[str]:
    """Return the required field names of ``kind``."""
    return [s.field for s in FIELDS[kind] if s.required]
