"""Shared widgets: headline metrics, charts with their numbers, tables with downloads.

Tables are shown with ``st.dataframe`` (text from data is drawn as plain text, never as
Markdown or HTML). The frame shown is translated and formatted for the page language by
:func:`display`; the downloads carry the figure table itself (canonical column names and
codes, raw numbers) through ``maaor.export.tables``, which neutralises formulas.
Streamlit's own dataframe export is switched off in ``.streamlit/config.toml``
(``client.disableDataExport``) because it does not neutralise them.

A table longer than :data:`PAGE_ROWS` is shown one page at a time (a page number per
table, kept in the session); only that page is formatted and sent to the browser, while
the downloads still hold the whole table. Formatted pages and chart figures are cached
by (version, filters, date, language, name; a page also by its position), so a new
session opening a page does not rebuild them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from maaor import glossary, viewparams, vocab
from maaor.dataset import split_list
from maaor.export.hxl import figure_tags
from maaor.export.tables import csv_bytes, xlsx_bytes
from maaor.filters import Filters
from maaor.i18n import country_name, fmt_date, fmt_money, fmt_number, fmt_percent, t
from maaor.ui.data import FILTERS_HASH, by_name
from maaor.ui.page import Page, hxl_wanted, page_link
from maaor.ui.safe import md_escape
from maaor.views import Columns

PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "responsive": True,
}
# Slides are for the room: no toolbar at all.
PRESENT_PLOTLY_CONFIG = {**PLOTLY_CONFIG, "displayModeBar": False}
# Rows of a table shown at once; longer tables get a page number.
PAGE_ROWS = 50


def _label_map(series: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` to each distinct value once (tables repeat codes a lot); blanks stay
    NaN.

    A page of a table is at most :data:`PAGE_ROWS` values: a plain loop is a fifth of
    the cost of ``Series.map`` with a dict, and infers the same dtype.
    """
    if series.empty:
        return series.map({})
    labels: dict = {}
    out = []
    for value in series.tolist():
        if pd.isna(value):
            out.append(np.nan)
            continue
        if value not in labels:
            labels[value] = fn(value)
        out.append(labels[value])
    return pd.Series(out, index=series.index, name=series.name)


def display(frame: pd.DataFrame, cols: Columns, page: Page) -> tuple[pd.DataFrame, dict]:
    """Return (frame to show, column_config) for a figure table in the page language.

    Codes become labels, countries names, money "USD 1.2M", numbers and dates the
    language's format, lists comma-separated; headers are translated.
    """
    return _display(frame, cols, page.lang)


def _display(frame: pd.DataFrame, cols: Columns, lang: str) -> tuple[pd.DataFrame, dict]:
    """:func:`display` for a language."""
    # Columns gathered first and framed once: inserting them one by one cost more than
    # formatting them.
    out: dict[str, pd.Series] = {}
    config: dict[str, object] = {}
    for col, key in cols.headers.items():
        if col not in frame.columns:
            continue
        series = frame[col]
        header = t(key, lang)
        if col in cols.vocab:
            name = cols.vocab[col]
            series = _label_map(series, lambda c, n=name: vocab.label(n, str(c), lang))
        elif col in cols.countries:
            series = _label_map(series, lambda c: country_name(str(c), lang))
        elif col in cols.money:
            series = series.map(lambda v: fmt_money(v, lang))
            config[header] = st.column_config.TextColumn(header, alignment="right")
        elif col in cols.numbers:
            series = series.map(
                lambda v: fmt_number(v, lang, 0 if pd.isna(v) or float(v).is_integer() else 1)
            )
            config[header] = st.column_config.TextColumn(header, alignment="right")
        elif col in cols.percents:
            series = series.map(lambda v: fmt_percent(v, lang))
            config[header] = st.column_config.TextColumn(header, alignment="right")
        elif col in cols.dates:
            series = series.map(lambda v: "" if pd.isna(v) else fmt_date(v, lang))
        elif col in cols.lists:
            # An empty list is an empty cell, not "None".
            series = _label_map(series, lambda v: ", ".join(split_list(v))).astype(object).fillna("")
        elif col in cols.keys:
            prefix = cols.keys[col]
            series = _label_map(series, lambda v, p=prefix: t(f"{p}{v}", lang))
        elif col in cols.links:
            target, param = cols.links[col]
            series = _label_map(series,
                                lambda v, g=target, q=param: page_link(lang, g, **{q: str(v)}))
            # The link text is the parameter's value, read back from the URL.
            config[header] = st.column_config.LinkColumn(
                header, display_text=rf"[?&]{re.escape(param)}=([^&]*)"
            )
        out[header] = series
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True), config


def metric(label: str, value: str, help: str | None = None) -> None:
    """Draw one headline number (label from the catalogue, value already formatted)."""
    st.metric(label, value, help=help, border=True)


def metrics_row(page: Page, values: Mapping[str, object], ids: Sequence[str],
                key: str, widths: Sequence[float] | None = None) -> None:
    """Draw a row of glossary figures with their definitions and scope note.

    Each tile shows the figure's glossary label, its value in the page language (or the
    words saying what is missing) and, as its help "?", the glossary definition. When
    a chosen filter does not apply to some figures (the global work plan has no
    country), a caption under the row names them and says so ("AoR-wide, not
    filtered by country"), so no tile reads as filtered when it is not.

    Args:
        page: the page (language and filters).
        values: figure id -> value (``maaor.figures.overview.headline_figures``).
        ids: the glossary ids to draw, in order.
        key: the row's container key (``metrics_<key>``).
        widths: relative tile widths (default: equal), so a long label is not cut.
    """
    with st.container(key=f"metrics_{key}"):
        for column, figure_id in zip(st.columns(list(widths) if widths else len(ids)), ids,
                                     strict=True):
            entry = glossary.figure(figure_id)
            with column:
                metric(entry.label(page.lang), entry.text(values[figure_id], page.lang),
                       help=entry.help(page.lang))
        unscoped = [fid for fid in ids if not glossary.applies(fid, page.filters)]
        if unscoped:
            names = ", ".join(glossary.figure(fid).label(page.lang) for fid in unscoped)
            note = glossary.scope_note(unscoped, page.filters, page.lang)
            st.caption(md_escape(f"{names}: {note}"))


def _file_stem(name: str, page: Page) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "table"
    return f"maaor_{stem}_v{page.version}"


def downloads(page: Page, frame: pd.DataFrame, name: str, kind: str | None, tables: Sequence[str]) -> None:
    """Draw CSV and XLSX download buttons for ``frame`` (built only when clicked).

    Args:
        page: the page (language, version, filters for the "about" sheet).
        frame: the figure table (canonical columns, codes, raw numbers).
        name: file name stem and widget key.
        kind: canonical table whose HXL tags apply to the CSV tag row.
        tables: source tables named in the "about" sheet.
    """
    hxl = hxl_wanted()
    stem = _file_stem(name, page)
    left, right = st.columns(2)
    left.download_button(
        page.t("download.csv"),
        data=lambda: csv_bytes(frame, kind=kind, hxl=hxl,
                               extra_tags=figure_tags(kind, list(frame.columns))),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"dl_csv_{name}",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    right.download_button(
        page.t("download.xlsx"),
        # The "about" sheet is written only when the file is asked for.
        data=lambda: xlsx_bytes(frame, sheet_name=name, about=page.about(*tables)),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"dl_xlsx_{name}",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )


def table(
    page: Page,
    frame: pd.DataFrame,
    name: str,
    cols: Columns,
    *,
    kind: str | None = None,
    tables: Sequence[str] = (),
    height: int | None = None,
    filtered: bool = True,
) -> None:
    """Draw a figure table (translated, formatted) with its downloads and source note.

    A table longer than :data:`PAGE_ROWS` shows one page, a page number and "rows
    51-100 of 1,234"; the downloads hold every row of ``frame``. ``filtered=False``
    says the table does not depend on the page's filters (its formatted pages are then
    kept once for every filter choice).
    """
    if frame.empty:
        st.info(page.t("table.empty"))
    else:
        rows, first = page_rows(page, frame, name)
        shown, config = _shown_page(page.version, page.filters if filtered else Filters(),
                                    page.today, page.lang, name,
                                    (len(frame), tuple(frame.columns), first),
                                    _rows=rows, _cols=cols)
        st.dataframe(
            shown, column_config=config, hide_index=True, width="stretch",
            height=height if height else "auto",
        )
    st.caption(page.note(*tables) if tables else page.version_text())
    downloads(page, frame, name, kind, tables)


@by_name
@st.cache_resource(max_entries=1024, show_spinner=False, hash_funcs=FILTERS_HASH)
def _shown_page(version: int, f: Filters, today: dt.date, lang: str, name: str,
                shape: tuple, *, _rows: pd.DataFrame, _cols: Columns) -> tuple[object, dict]:
    """:func:`display` of one page of table ``name``, once per (version, filters, date,
    language, name, table length, columns and first row), as the Arrow table
    ``st.dataframe`` sends (:func:`arrow_table`) and its column configuration.

    A table's name says what it holds under the page's version and filters (as a chart's
    name does), so its rows need not be hashed: hashing cost as much as formatting.
    Shared by every session without copying (an Arrow table cannot be changed, and
    ``st.dataframe`` copies a column configuration before it changes it).
    """
    shown, config = _display(_rows, _cols, lang)
    return arrow_table(shown), config


def arrow_table(frame: pd.DataFrame) -> object:
    """Return ``frame`` as the Arrow table ``st.dataframe`` makes of it (the same bytes
    are sent), or ``frame`` itself when this Streamlit has no such conversion.

    ``st.dataframe`` converts a pandas frame to Arrow on every run; a table given as
    Arrow is only written out. Converted once per cached page, a rerun that shows the
    same page does not convert it again.
    """
    try:
        from streamlit.dataframe_util import convert_pandas_df_to_arrow_table
    except ImportError:  # another Streamlit: it converts the frame itself
        return frame
    return convert_pandas_df_to_arrow_table(frame)


def page_rows(page: Page, frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, int]:
    """Return (the rows of ``frame`` on the page chosen for table ``name``, the position
    of its first row): all rows when they fit on one page. Draws the page number and the
    rows caption.

    The page number lives in the session under ``pg_<name>``; a number past the end
    (the table shrank after a filter change) shows the last page.
    """
    total = len(frame)
    if total <= PAGE_ROWS:
        return frame, 0
    pages = -(-total // PAGE_ROWS)
    key = viewparams.table_page_param(name)
    # From the URL (a shared link opens on the same page); a number past the end
    # (the table shrank after a filter change) shows the last page.
    wanted = st.query_params.get(key, "1")
    number = min(max(int(wanted), 1), pages) if wanted.isdigit() else 1
    bound = url_bound(key, range(1, pages + 1), 1)
    st.session_state[key] = number
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    number = left.number_input(page.t("table.page", pages=fmt_number(pages, page.lang)),
                               min_value=1, max_value=pages, step=1, **bound)
    first = (int(number) - 1) * PAGE_ROWS
    last = min(first + PAGE_ROWS, total)
    right.caption(page.t("table.rows_range", first=fmt_number(first + 1, page.lang),
                         last=fmt_number(last, page.lang), total=fmt_number(total, page.lang)))
    return frame.iloc[first:last], first


class SerialisedFigure(go.Figure):
    """A plotly figure serialised once: what ``st.plotly_chart`` reads of a ``go.Figure``.

    ``st.plotly_chart`` asks a figure for ``to_dict`` (a deep copy of every trace, its
    arrays encoded again) and writes that as JSON, on every run. A SerialisedFigure
    keeps the figure's JSON text and hands out a fresh dict read from it: plain lists,
    numbers and text that Streamlit writes out as the same text (tests/ui: the chart
    JSON a page sends is unchanged). Nothing else is asked of it: it is not a figure to
    change or draw elsewhere.
    """

    def __init__(self, fig: go.Figure) -> None:  # noqa: D107 - the figure is not copied
        self._spec = fig.to_json()

    def to_dict(self) -> dict:
        """Return the figure as a new dict (from its JSON)."""
        return json.loads(self._spec)

    def to_plotly_json(self) -> dict:
        """Return the figure as a new dict (from its JSON)."""
        return self.to_dict()

    def to_json(self, *args, **kwargs) -> str:
        """Return the figure's JSON text."""
        return self._spec

    def __repr__(self) -> str:
        return f"SerialisedFigure({len(self._spec)} characters)"


@by_name
@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=FILTERS_HASH)
def _figure(version: int, f: Filters, today: dt.date, lang: str, name: str,
            _build: Callable[[], go.Figure]) -> SerialisedFigure:
    """One chart figure per (version, filters, date, language, name), built and
    serialised once (:class:`SerialisedFigure`), shared by every session.
    """
    return SerialisedFigure(_build())


def chart(
    page: Page,
    fig: go.Figure | Callable[[], go.Figure],
    frame: pd.DataFrame,
    name: str,
    cols: Columns,
    *,
    kind: str | None = None,
    tables: Sequence[str] = (),
    alt: str | None = None,
    empty: str | None = None,
    filtered: bool = True,
) -> None:
    """Draw a plotly chart with the numbers behind it in an expander (and downloads).

    ``fig`` is the figure, or a function building it from the page's version, filters,
    date and language only: it is then built once per (those, ``name``) for all sessions.
    When ``frame`` is empty no chart is drawn (an empty plot has meaningless axes): the
    words of catalogue key ``empty`` (default "table.empty") say what is missing.
    ``filtered=False`` says the figure does not depend on the page's filters (a chart
    over data versions): it is then built once for every filter choice.
    """
    if frame.empty:
        st.info(page.t(empty or "table.empty"))
        st.caption(page.note(*tables) if tables else page.version_text())
        return
    if callable(fig) and not isinstance(fig, go.Figure):
        fig = _figure(page.version, page.filters if filtered else Filters(), page.today,
                      page.lang, name, fig)
    st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=f"chart_{name}", width="stretch",
                    alt=alt)
    with st.expander(page.t("chart.numbers"), icon=":material/table:"):
        table(page, frame, name, cols, kind=kind, tables=tables, filtered=filtered)


def deck(deck_obj: pdk.Deck, alt: str, height: int = 520, key: str | None = None) -> None:
    """Draw a pydeck map (no basemap unless one is configured); ``alt`` for screen readers."""
    st.pydeck_chart(deck_obj, height=height, width="stretch", key=key, alt=alt)


def pillar_matrix(page: Page, matrix: pd.DataFrame, name: str) -> None:
    """Draw an organisation x pillar matrix (``figures.presence.org_pillar_matrix``)
    under the page's filters (``name`` says whose: it keys the shown table's cache)."""
    frame = matrix.reset_index()
    if frame.empty:
        st.info(page.t("table.empty"))
    else:
        shown, config = _shown_matrix(page.version, page.filters, page.today, page.lang, name,
                                      _frame=frame, _codes=tuple(matrix.columns))
        st.dataframe(shown, column_config=config, hide_index=True, width="stretch")
    st.caption(page.note("presence"))
    downloads(page, frame, name, kind="presence", tables=("presence",))


@by_name
@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=FILTERS_HASH)
def _shown_matrix(version: int, f: Filters, today: dt.date, lang: str, name: str, *,
                  _frame: pd.DataFrame, _codes: tuple) -> tuple[object, dict]:
    """The matrix ``name`` shown in ``lang`` (pillar labels as headers, counts as whole
    numbers) as the Arrow table ``st.dataframe`` sends, once per (version, filters, date,
    language, name): the matrix a name stands for under those filters never changes."""
    shown = pd.DataFrame({t("col.org", lang): _frame["org"]})
    config: dict[str, object] = {}
    for code in _codes:
        label = vocab.label("pillar", str(code), lang)
        shown[label] = _frame[code]
        config[label] = st.column_config.NumberColumn(label, format="%d")
    return arrow_table(shown), config


def url_bound(key: str, options: Sequence[object], default: object) -> dict[str, object]:
    """Seed widget ``key`` from the URL (``?key=code``) and return the widget arguments
    that write its choice back: ``st.selectbox(..., **url_bound(key, options, default))``.

    The URL decides on every run (a shared link reopens the same view); the choice's
    code is written on change, and removed when it is the default
    (``maaor.viewparams``).
    """
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    st.session_state[key] = viewparams.choice_from_params(params, key, options, default)
    return {"key": key, "on_change": _write_choice, "args": (key, default)}


def _write_choice(key: str, default: object) -> None:
    values = viewparams.param_values(st.session_state.get(key), default)
    if values:
        st.query_params[key] = values[0]
    elif key in st.query_params:
        del st.query_params[key]


def url_selectbox(page: Page, param: str, options: Sequence[str], label: str) -> str | None:
    """Draw a selectbox whose choice lives in the URL (``?param=value``); return it.

    The URL decides on every run, so a link such as ``Work_plan?activity=1.3.2`` opens
    with that choice; a value not among ``options`` is ignored.
    """
    key = f"url_{param}"
    wanted = st.query_params.get(param)
    st.session_state[key] = wanted if wanted in options else None

    def on_change() -> None:
        value = st.session_state.get(key)
        if value is None:
            if param in st.query_params:
                del st.query_params[param]
        else:
            st.query_params[param] = value

    st.selectbox(label, options=[None, *options], key=key, on_change=on_change,
                 placeholder=page.t("filter.none_chosen"),
                 format_func=lambda v: page.t("filter.none_chosen") if v is None else str(v))
    return st.session_state.get(key)


def record(page: Page, rows: pd.DataFrame, cols: Columns) -> None:
    """Draw the first row of ``rows`` as a two-column field / value table."""
    if rows.empty:
        st.info(page.t("table.empty"))
        return
    shown, _ = display(rows.head(1), cols, page)
    first = shown.iloc[0]
    pairs = pd.DataFrame({
        page.t("col.field"): list(shown.columns),
        page.t("col.value"): ["" if pd.isna(v) else str(v) for v in first],
    })
    st.dataframe(pairs, hide_index=True, width="stretch")
    st.caption(page.version_text())


def flag_counts_chart(page: Page, counts: pd.DataFrame) -> None:
    """The bar chart of flags per rule (overview and Gaps page), with its numbers."""
    from maaor import charts

    chart(
        page,
        lambda: charts.flag_counts(counts, page.lang, page.note("workplan", "presence", "mechanisms")),
        counts,
        "flag_counts",
        page.columns("gaps.counts"),
        tables=("workplan", "presence", "mechanisms"),
        alt=page.t("gaps.chart.alt"),
    )
    note = glossary.scope_note(("activity_flags",), page.filters, page.lang)
    if note:
        st.caption(md_escape(f"{glossary.figure('activity_flags').label(page.lang)}: {note}"))
