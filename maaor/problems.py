"""Problems found while reading and validating a file.

A problem always says where (file, sheet, Excel row as the user sees it, column as the
user wrote it), what (the value), why (message) and how to fix it. Errors block
publishing; warnings and notes do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")


class _Telling:
    """A catalogued problem's words, told on first read and kept per language and part.

    One instance is shared by the problems a rule raises for identical cells of many
    rows, so a thousand rows cost one rendering, and only when a problem is shown or
    serialised (rendering can load the country names, which costs more than a load).
    """

    __slots__ = ("entry", "params", "told")

    def __init__(self, entry: str, params: Mapping[str, object]) -> None:
        self.entry = entry
        self.params = params
        self.told: dict[tuple[str, str], str] = {}

    def text(self, lang: str, part: str) -> str:
        """The message (``part="message"``) or fix (``"fix"``) in ``lang``."""
        found = self.told.get((lang, part))
        if found is None:
            from maaor.i18n.problems import problem_text

            found = self.told[(lang, part)] = problem_text(self.entry, lang, self.params, part)
        return found


class _Text:
    """A problem's ``message`` or ``fix`` field: plain text, or a :class:`_Telling` told
    in English when first read (a data descriptor, so dataclass init, equality, repr,
    ``fields`` and pickling see an ordinary text field)."""

    def __init__(self, part: str, default: str | None = None) -> None:
        self.part = part
        self.default = default

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None) -> str:
        if obj is None:
            if self.default is None:
                raise AttributeError(self.name)  # no default: a required field
            return self.default
        value = obj.__dict__[self.name]
        if isinstance(value, _Telling):
            return value.text("en", self.part)
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.name] = value


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth saying) about one place in one input file.

    Attributes:
        severity: "error" blocks publishing, "warning" does not, "note" is information
            (for example a hidden sheet that was ignored).
        code: stable identifier of the rule that raised it, e.g. ``"money.negative"``.
        message: plain-language statement of what is wrong.
        fix: how the user can fix it.
        file: file name as uploaded.
        sheet: sheet name, or None for CSV/JSON.
        row: row number as the user sees it in Excel (1-based, header rows included),
            or the line number in a CSV; None when the problem is about the whole sheet.
        column: the column header exactly as the user wrote it; None when not about a
            column.
        value: the offending value as text (truncated to 200 characters); None if n/a.
        params: the parameters of the message and fix (see :mod:`maaor.i18n.problems`);
            with them the problem is told in any language by :meth:`message_in`.
        key: the catalogue entry of the message when it is a variant of ``code``.
        rows: every row the problem is about when it stands for several rows of one
            cause (``row`` is then the first); None for a problem of one row.
    """

    severity: Severity
    code: str
    message: str = _Text("message")  # type: ignore[assignment]
    fix: str = _Text("fix", "")  # type: ignore[assignment]
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: Mapping[str, object] | None = field(default=None, compare=False, repr=False)
    key: str | None = field(default=None, compare=False, repr=False)
    rows: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.value is not None and len(self.value) > 200:
            object.__setattr__(self, "value", self.value[:199] + "…")

    @property
    def row_label(self) -> int | str | None:
        """The row as a table shows it: the one row, or every row of a problem standing
        for several as compact ranges (``"5-7, 120"``, :func:`row_ranges`)."""
        if self.rows is not None and len(self.rows) > 1:
            return row_ranges(self.rows)
        return self.row

    @property
    def blocks_publishing(self) -> bool:
        """True for errors."""
        return self.severity == "error"

    def to_dict(self) -> dict:
        """Plain dict for JSON output (the English message and fix); ``rows`` only for a
        problem that stands for several rows."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("params", "key", "rows")}
        if self.rows is not None:
            out["rows"] = list(self.rows)
        return out

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` (as written when the problem has no catalogue entry)."""
        return self._told_in(lang, "message")

    def fix_in(self, lang: str) -> str:
        """The fix in ``lang`` (as written when the problem has no catalogue entry)."""
        return self._told_in(lang, "fix")

    def _told_in(self, lang: str, part: str) -> str:
        if self.params is None or lang == "en":
            return getattr(self, part)
        telling = self.__dict__[part]
        if isinstance(telling, _Telling):
            return telling.text(lang, part)
        from maaor.i18n.problems import problem_text

        return problem_text(self.key or self.code, lang, self.params, part)

    def at_row(self, row: int | None) -> Problem:
        """This problem at another row (its words shared, not told again)."""
        d = self.__dict__
        return Problem(self.severity, self.code, d["message"], d["fix"], self.file, self.sheet,
                       row, self.column, self.value, self.params, self.key)

    def localised(self, lang: str) -> dict:
        """Plain dict for JSON output with the message and fix in ``lang``."""
        return {**self.to_dict(), "message": self.message_in(lang), "fix": self.fix_in(lang)}

    def where(self, lang: str = "en") -> str:
        """Human-readable location in ``lang``, e.g. ``work plan.xlsx › Sheet1 › row 7 ›
        Budget``."""
        from maaor.i18n.problems import problem_entry

        parts = [self.file or "?"]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(problem_entry("problem.where.row", lang).format(row=self.row))
        if self.column:
            parts.append(self.column)
        return " › ".join(parts)


#: Ranges named in :func:`row_ranges` before "…" (every row is still in ``Problem.rows``).
RANGES_NAMED = 12


def row_ranges(rows) -> str:
    """Rows as compact ranges, e.g. ``[5, 6, 7, 120, 340]`` -> ``"5-7, 120, 340"``;
    past :data:`RANGES_NAMED` ranges the rest is "…" (the rows stay listed in JSON)."""
    ranges: list[list[int]] = []
    for r in sorted(set(int(r) for r in rows)):
        if ranges and r == ranges[-1][1] + 1:
            ranges[-1][1] = r
        else:
            ranges.append([r, r])
    named = [str(a) if a == b else f"{a}-{b}" for a, b in ranges[:RANGES_NAMED]]
    return ", ".join(named) + (", …" if len(ranges) > RANGES_NAMED else "")


def problem(severity: Severity, code: str, params: Mapping[str, object] | None = None, *,
            key: str | None = None, file: str = "", sheet: str | None = None,
            row: int | None = None, column: str | None = None,
            value: str | None = None, rows: tuple[int, ...] | None = None) -> Problem:
    """Return a problem whose message and fix come from the catalogue entry of ``key``
    (default ``code``) with ``params``; told (in English or any language) when read."""
    params = dict(params or {})
    telling = _Telling(key or code, params)
    return Problem(severity, code, telling, telling, file, sheet, row, column, value,  # type: ignore[arg-type]
                   params, key, rows)


@dataclass
class ProblemList:
    """An ordered, append-only collection of problems with convenience queries."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Append one problem."""
        self.items.append(problem)

    def extend(self, problems) -> None:
        """Append several problems."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block publishing."""
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that do not block publishing."""
        return [p for p in self.items if p.severity == "warning"]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


#: Row numbers named in a group's summary before "...".
ROWS_NAMED = 3


@dataclass(frozen=True)
class ProblemGroup:
    """Identical problems (same rule, sheet, column, message and fix) of several rows.

    Attributes:
        severity, code, file, sheet, column: as in :class:`Problem`.
        message, fix: in the reader's language.
        rows: the rows, in order (empty for problems about a whole sheet or file).
        problems: the problems grouped.
    """

    severity: Severity
    code: str
    file: str
    sheet: str | None
    column: str | None
    message: str
    fix: str
    rows: tuple[int, ...]
    problems: tuple[Problem, ...]


def group_problems(problems, lang: str = "en", by_severity: bool = True) -> list[ProblemGroup]:
    """Return identical problems grouped, in ``lang``.

    Groups come in the order of their first problem, or errors first, then warnings,
    then notes (``by_severity``; the order of the file within each severity).
    """
    groups: dict[tuple, list[Problem]] = {}
    texts: dict[tuple, tuple[str, str]] = {}
    for p in problems:
        message, fix = p.message_in(lang), p.fix_in(lang)
        key = (p.severity, p.code, p.file, p.sheet, p.column, message, fix)
        groups.setdefault(key, []).append(p)
        texts[key] = (message, fix)
    out = [
        ProblemGroup(key[0], key[1], key[2], key[3], key[4], *texts[key],
                     tuple(sorted({r for p in items
                                   for r in (p.rows or ((p.row,) if p.row is not None else ()))})),
                     tuple(items))
        for key, items in groups.items()
    ]
    if by_severity:
        out.sort(key=lambda g: SEVERITIES.index(g.severity))  # stable: file order kept
    return out


def group_summary(group: ProblemGroup, lang: str = "en") -> str:
    """One line for a group of identical problems: "12 rows (5, 9, 14 ...): message"
    (the message alone for a problem about a whole sheet or file)."""
    from maaor.i18n import plural_form, t

    if not group.rows:
        return group.message
    named = ", ".join(str(r) for r in group.rows[:ROWS_NAMED])
    if len(group.rows) > ROWS_NAMED:
        named += " ..."
    form = "coord.problem.rows.one" if plural_form(len(group.rows), lang) == "one" \
        else "coord.problem.rows.other"
    return t(form, lang, n=len(group.rows), rows=named, message=group.message)
