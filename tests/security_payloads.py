"""Hostile text for the security battery: markup, Markdown, bidi, huge cells, formulas.

Each payload is something a text cell of an uploaded file may hold. Shown anywhere in
the dashboard it must read as the literal text; written into a download it must not
start a spreadsheet formula.
"""

from __future__ import annotations

# HTML that would run script or load an image if it were parsed as HTML.
IMG_XSS = "<img src=x onerror=alert(1)>"
SCRIPT_XSS = "<script>alert(1)</script>"
# Markdown a label or st.markdown would turn into a link, an image or coloured text.
MD_LINK = "[x](https://example.org)"
MD_IMAGE = "![](https://example.org/p.png)"
MD_COLOUR = ":red[x]"
# U+202E RIGHT-TO-LEFT OVERRIDE: reverses how the rest of the line is displayed.
BIDI = "\u202eevil.exe\u202c txt"
# deck.gl's JSON converter turns strings starting "@@=" into functions and looks
# "@@#" strings up as constants (a missing one throws) - anywhere in the deck spec.
DECK_FUNCTION = "@@=constructor"
DECK_CONSTANT = "@@#nowhere.nothing"
# A cell far longer than any label (Excel's own limit is 32,767 characters).
LONG_CELL = "L" * 39_990 + " long-cell"

# What a spreadsheet treats as the start of a formula (OWASP "CSV injection").
FORMULAS: tuple[str, ...] = (
    "=HYPERLINK(\"https://example.org\",\"x\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# Formulas hidden behind what a writer or a spreadsheet drops or decodes first: a control
# character (openpyxl refuses it, so it used to be stripped AFTER the formula test), its
# OOXML escape _x0001_ (Excel decodes it), full-width signs, leading spaces.
HIDDEN_FORMULAS: tuple[str, ...] = (
    "\x01=HYPERLINK(\"https://example.org\",\"x\")",
    "\x00\x1f+1+cmd|' /C calc'!A0",
    "\x7f\x9b@SUM(1,2)",
    "_x0001_=HYPERLINK(\"https://example.org\",\"x\")",
    "_x001F__x0008_-2+3",
    "_x003D_1+1",
    "\uff1dHYPERLINK(\"https://example.org\",\"x\")",
    "\uff0b1+1",
    " =1+1",
    "\u00a0\u200b=1+1",
    "\ufeff@SUM(1,2)",
    "\x01 \x02=1+1",
)
WIDE_FORMULA_PREFIXES: tuple[str, ...] = ("\uff1d", "\uff0b", "\uff0d", "\uff20")

# Payloads that must be seen literally on the pages (short enough to look for).
MARKUP: tuple[str, ...] = (IMG_XSS, SCRIPT_XSS, MD_LINK, MD_IMAGE, MD_COLOUR, BIDI,
                           DECK_FUNCTION, DECK_CONSTANT)
# Every payload, in the order the hostile dataset cycles through them.
ALL: tuple[str, ...] = (*MARKUP, LONG_CELL, *FORMULAS)
