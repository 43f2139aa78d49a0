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
    {"labels": "wp_status"}          every label of a vocabulary, comma-separated
    {"label": ["wp_status", "active"]}  one vocabulary label
    {"text": "problem.word.output"}  another catalogue entry
    {"month": [2022, 2]}             the month's name and year ("February 2022")
    {"number": 1234}                 a number with the language's separators
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


def render_param(value: object, lang: str) -> str:
    """Return one parameter of a message as text in ``lang`` (see the module doc)."""
    if isinstance(value, Mapping):
        from maaor import vocab

        if "country" in value:
            return country_name(str(value["country"]), lang)
        if "labels" in value:
            name = str(value["labels"])
            return ", ".join(vocab.label(name, c, lang) for c in vocab.codes(name))
        if "label" in value:
            name, code = value["label"]
            return vocab.label(name, code, lang)
        if "text" in value:
            return problem_entry(str(value["text"]), lang)
        if "month" in value:
            year, month = value["month"]
            return format_date(dt.date(int(year), int(month), 1), "LLLL y",
                               locale=normalise_language(lang))
        if "number" in value:
            return fmt_number(value["number"], lang)
    return "" if value is None else str(value)


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
    n = params.get("n")
    number = n.get("number") if isinstance(n, Mapping) else n
    text = problem_entry(entry, lang, float(number) if isinstance(number, (int, float)) else None)
    if part == "fix" and text == entry:
        return ""
    plain = {k: render_param(v, lang) for k, v in params.items()
             if not (isinstance(v, Mapping) and "text" in v)}
    # A sub-sentence ({"text": ...}) has parameters of its own ("Did you mean:
    # {suggestions}?"): they are filled from the same parameters before it is inserted.
    inserted = {k: render_param(v, lang).format(**plain) for k, v in params.items()
                if isinstance(v, Mapping) and "text" in v}
    return text.format(**plain, **inserted)
