"""Make text from data safe to show where Streamlit renders Markdown.

Widget labels, metric labels, captions, tab and expander titles are Markdown in Streamlit:
a value such as ``[click](https://evil.example)``, ``![x](http://tracker)``,
``:red[alarm]`` or ``<img src=x>`` would become a link, an image, coloured text or HTML.
Text that comes from data goes through :func:`md_escape` before it reaches one of them;
longer data goes to ``st.text`` / ``st.dataframe`` / ``st.code`` instead.

This module holds no Streamlit call so it can be tested on its own.
"""

from __future__ import annotations

import re

import pandas as pd

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all
# of them disarms links, images, emphasis, code, headings, lists, tables, HTML, LaTeX
# ($...$) and Streamlit's ``:directive[...]`` syntax (parsed by micromark, which honours
# backslash escapes).
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GitHub-flavoured Markdown turns bare URLs ("https://...", "www.x.org") and e-mail
# addresses into links after escapes are resolved, so escaping cannot stop it. An
# invisible WORD JOINER (U+2060) inside the pattern can: after "scheme:", after "www"
# and before "@".
_WORD_JOINER = "\u2060"
_AUTOLINKS = re.compile(r"(?i)((?:https?|ftp|mailto)\\:|www(?=\\\.)|(?=\\@))")


def md_escape(text: object) -> str:
    """Return ``text`` as Markdown that renders literally, on one line.

    None and NaN give an empty string. Line breaks become spaces (a label is one line, and
    a line break could start a heading or a list). Bare URLs and e-mail addresses get an
    invisible word joiner so they are not made into links.
    """
    if text is None or (not isinstance(text, str) and pd.api.types.is_scalar(text) and pd.isna(text)):
        return ""
    one_line = _LINE_BREAKS.sub(" ", str(text))
    escaped = _PUNCTUATION.sub(r"\\\1", one_line)
    return _AUTOLINKS.sub(lambda m: m.group(0) + _WORD_JOINER, escaped)
