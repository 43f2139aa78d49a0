"""Problem messages and fixes from the catalogues, in the user's language.

A problem names its rule (``code``) and the parameters of its message; the words come
from the catalogue entries ``problem.<key>`` (message) and ``problem.<key>.fix`` of
``en.json`` and ``fr.json``, where ``key`` is the code or a variant of it (for example
``percent.out_of_range.unbounded``). A message with a count ``n`` may have one entry per
plural category of the language (``problem.<key>.one``, ``problem.<key>.other``), chosen
by Babel's plural rules (French: 0 and 1 are singular).

Parameter values are plain text or numbers, or one of these forms, rendered in the
language of the reader:

    {"country": "AFG"}               the country's name
    {"emergency": ["central-sahel", "Central Sahel", "Sahel central"]}
                                     the emergency's name in the language, its id in
                                     brackets ("Sahel central (central-sahel)")
    {"labels": "wp_status"}          every label of a vocabulary, comma-separated
    {"label": ["wp_status", "active"]}  one vocabulary label
    {"text": "problem.word.output"}  another catalogue entry
    {"text": "problem.what.sheet", "params": {"sheet": "4W"}}
                                     another catalogue entry with its own parameters
    {"bytes": 1572864}               a size in bytes, KB or MB ("1.5 MB", "1,5 Mo")
    {"join": [param, ...]}           the parameters, comma-separated
    {"month": [2022, 2]}             the month's name and year ("February 2022")
    {"number": 1234}                 a number with the language's separators
    {"number": 1.08238, "decimals": 5}   the same, with that many decimals ("1,08238")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel.dates import format_date

from maaor.i18n import (
    DEFAULT_LANGUAGE,
    catalogue,
    country_name,
    fmt_number,
    normalise_language,
    plural_form,
)


def _sentence(value: object) -> bool:
    """True for a sub-sentence parameter that takes its message's parameters."""
    return isinstance(value, Mapping) and "text" in value and "params" not in value


def render_param(value: object, lang: str, outer: Mapping[str, object] | None = None) -> str:
    """Return one parameter of a message as text in ``lang`` (see the module doc);
    ``outer`` are the message's parameters, used by a sub-sentence without its own."""
    if isinstance(value, Mapping):
        from maaor import vocab

        if "country" in value:
            return country_name(str(value["country"]), lang)
        if "emergency" in value:
            ident, name_en, name_fr = value["emergency"]
            name = name_fr if normalise_language(lang) == "fr" and name_fr else name_en
            return f"{name} ({ident})" if name else str(ident)
        if "labels" in value:
            name = str(value["labels"])
            return ", ".join(vocab.label(name, c, lang) for c in vocab.codes(name))
        if "label" in value:
            name, code = value["label"]
            return vocab.label(name, code, lang)
        if "text" in value:
            # Without parameters of its own, a sub-sentence takes those of its message.
            inner = value.get("params")
            if inner is None:
                inner = {k: v for k, v in (outer or {}).items() if not _sentence(v)}
            text = problem_entry(str(value["text"]), lang, _count(inner))
            return text.format(**{k: render_param(v, lang) for k, v in inner.items()})
        if "join" in value:
            return ", ".join(render_param(v, lang) for v in value["join"])
        if "bytes" in value:
            return _size(int(value["bytes"]), lang)
        if "month" in value:
            year, month = value["month"]
            return format_date(dt.date(int(year), int(month), 1), "LLLL y",
                               locale=normalise_language(lang))
        if "number" in value:
            return fmt_number(value["number"], lang, int(value.get("decimals", 0)))
    return "" if value is None else str(value)


def _size(n: int, lang: str) -> str:
    """A size in the unit a person reads: bytes under 1 KB, else KB or MB, one decimal."""
    if n >= 1024 * 1024:
        return problem_entry("problem.unit.mb", lang).format(n=fmt_number(n / 1024 / 1024, lang, 1))
    if n >= 1024:
        return problem_entry("problem.unit.kb", lang).format(n=fmt_number(n / 1024, lang, 1))
    return problem_entry("problem.unit.bytes", lang, n).format(n=fmt_number(n, lang))


def _count(params: Mapping[str, object]) -> float | None:
    """The count ``n`` of a message's parameters (it chooses the plural form), if any."""
    n = params.get("n")
    number = n.get("number") if isinstance(n, Mapping) else n
    return float(number) if isinstance(number, (int, float)) else None


def problem_entry(key: str, lang: str, n: float | None = None) -> str:
    """Return the catalogue text ``key`` in ``lang`` (plural variant for ``n``), falling
    back to English, then to the key."""
    lang = normalise_language(lang)
    for language in (lang, DEFAULT_LANGUAGE):
        entries = catalogue(language)
        if n is not None:
            form = plural_form(n, language)
            for candidate in (f"{key}.{form}", f"{key}.other"):
                if candidate in entries:
                    return entries[candidate]
        if key in entries:
            return entries[key]
    return key


def problem_text(key: str, lang: str = DEFAULT_LANGUAGE,
                 params: Mapping[str, object] | None = None, part: str = "message") -> str:
    """Return the message (``part="message"``) or fix (``part="fix"``) of problem ``key``
    in ``lang`` with its parameters filled in.

    Args:
        key: the problem's code or message variant (``problem.<key>`` in the catalogues).
        lang: language code.
        params: the message's parameters (see the module doc).
        part: "message" or "fix".
    """
    params = dict(params or {})
    entry = f"problem.{key}" if part == "message" else f"problem.{key}.fix"
    text = problem_entry(entry, lang, _count(params))
    if part == "fix" and text == entry:
        return ""
    return text.format(**{k: render_param(v, lang, params) for k, v in params.items()})
