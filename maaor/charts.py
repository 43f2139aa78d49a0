"""Plotly figures drawn from the outputs of ``maaor.figures`` (no Streamlit, no pandas work).

Every function takes a figure table exactly as ``maaor.figures`` returns it, the
language, and a ``note`` (source and data version) written under the chart, and returns
a ``plotly.graph_objects.Figure``. Text that comes from data is HTML-escaped with
:func:`esc` first: plotly renders labels, titles and hover text as a subset of HTML.

Colours are the Okabe-Ito colour-blind-safe palette, also set in
``.streamlit/config.toml``.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
from collections.abc import Callable, Iterable
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from maaor import vocab
from maaor.i18n import fmt_date, fmt_money, fmt_number, fmt_percent, t

# Okabe & Ito (2008), "Color Universal Design".
BLUE, ORANGE, GREEN, PURPLE = "#0072B2", "#E69F00", "#009E73", "#CC79A7"
SKY, VERMILLION, YELLOW, BLACK = "#56B4E9", "#D55E00", "#F0E442", "#000000"
GREY, LIGHT_GREY = "#999999", "#DDDDDD"
PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, BLACK)

# Work-plan status colours; "not_reported" is the absence of a status.
STATUS_COLOURS: dict[str, str] = {
    "not_reported": LIGHT_GREY,
    "not_started": SKY,
    "ongoing": BLUE,
    "delayed": ORANGE,
    "suspended": PURPLE,
    "completed": GREEN,
    "cancelled": GREY,
}
STATUS_ORDER: tuple[str, ...] = tuple(STATUS_COLOURS)
REQUIRED_COLOUR, FUNDED_COLOUR = LIGHT_GREY, BLUE

_FONT = '"Source Sans", sans-serif'  # the font Streamlit serves itself (no web font CDN)
NOTE_WIDTH = 70  # characters per line of the source note under a chart
TEMPLATE = "plotly_white"  # a template registered in plotly.io.templates


def _text(value: object) -> str:
    missing = value is None or (
        not isinstance(value, str) and pd.api.types.is_scalar(value) and bool(pd.isna(value))
    )
    return "" if missing else str(value)


def esc(text: object) -> str:
    """Return ``text`` HTML-escaped for a plotly label ("" for a missing value)."""
    return html.escape(_text(text), quote=True)


def esc_all(values: Iterable[object]) -> list[str]:
    """Return :func:`esc` of every value."""
    return [esc(v) for v in values]


def shorten(text: object, width: int = 60) -> str:
    """Return ``text`` cut to ``width`` characters with an ellipsis, escaped."""
    raw = _text(text)
    return esc(raw if len(raw) <= width else raw[: width - 1].rstrip() + "…")


def status_label(code: object, lang: str) -> str:
    """Return the label of a work-plan status code, "not reported" for a missing one."""
    if code is None or code == "not_reported" or (isinstance(code, float) and pd.isna(code)):
        return t("status.not_reported", lang)
    return vocab.label("wp_status", str(code), lang)


def _wrap(text: str, width: int = NOTE_WIDTH) -> list[str]:
    """Split ``text`` into lines of at most ``width`` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _trace(kind: str, **props: object) -> dict:
    """Return a trace of type ``kind`` as the dict a figure validates when it adds it.

    A ``go.Bar(...)`` object is validated twice: when it is made, and again when a
    figure adds it (plotly rebuilds every added trace from its JSON). The dict is
    validated once, by the same constructor with the same arguments, so the figure's
    JSON is the same text (tests/export/test_chart_json.py).
    """
    return {"type": kind, **props}


TOOLBAR_MARGIN = 40  # px right of the plot: the width of the upright plotly toolbar


@lru_cache(maxsize=4)
def _validated_template(name: str) -> go.layout.Template:
    """Return registered template ``name`` as validation leaves it (validated once)."""
    return go.Figure(layout={"template": pio.templates[name]}).layout.template


@lru_cache(maxsize=4)
def _template_json(name: str) -> dict:
    """Return the JSON of :func:`_validated_template` (made once, never changed)."""
    return _validated_template(name).to_plotly_json()


def _use_template(fig: go.Figure, name: str = TEMPLATE) -> None:
    """Set the registered template ``name`` on ``fig`` without validating it again.

    ``update_layout(template=name)`` validates and deep-copies the whole template on
    every call (about a third of a chart's build time); the template validated once
    (:func:`_validated_template`) is assigned the way plotly assigns its default
    template to a new figure: with validation off for that one property, and as its
    JSON, which plotly keeps as given instead of copying it again (every figure shares
    that one dict: no code changes a figure's template, and ``st.plotly_chart`` and
    ``to_dict`` copy a figure before serialising it). The figure's JSON is the same
    text either way (tests/export/test_chart_json.py).
    """
    layout = fig.layout
    validate = layout._validate
    layout._validate = False
    try:
        layout.template = _template_json(name)
    finally:
        layout._validate = validate


def _shared_settings(height: int, bottom: int, legend: bool, lang: str) -> dict:
    """The layout :func:`_finish` gives every chart (as ``update_layout`` arguments)."""
    return {
        "colorway": list(PALETTE),
        "font": {"family": _FONT, "size": 13},
        "height": height,
        # The toolbar (PLOTLY_CONFIG) stands upright in the right margin: a horizontal
        # legend wraps within the plot's width, so the toolbar never covers it. The
        # legend starts at the figure's left edge, not the plot's: long bar labels
        # (country names) narrow the plot on a phone, and a legend entry wider than
        # the plot would otherwise run on under the toolbar.
        "margin": {"l": 10, "r": TOOLBAR_MARGIN, "t": 40, "b": bottom},
        "modebar": {"orientation": "v"},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                   "xref": "container", "traceorder": "normal"},
        "hoverlabel": {"font": {"family": _FONT}},
        # decimal and thousands separators of the language ("1 234,5" in French)
        "separators": ", " if lang == "fr" else ".,",
    }


#: The height the shared settings are validated with once: a chart's own height (an
#: int, which plotly's validation keeps as given) replaces it, so a chart whose height
#: follows its rows does not validate the whole layout again for each new height.
_REFERENCE_HEIGHT = 450


@lru_cache(maxsize=64)
def _validated_settings(bottom: int, legend: bool, lang: str) -> tuple:
    """Return (name, JSON) of each :func:`_shared_settings` property as plotly's
    validation leaves it on a layout that had none of them (validated once per key),
    in the order ``update_layout`` adds them to a layout (not the arguments' order)."""
    fig = go.Figure()
    fig.update_layout(**_shared_settings(_REFERENCE_HEIGHT, bottom, legend, lang))
    done = fig.layout.to_plotly_json()
    wanted = _shared_settings(_REFERENCE_HEIGHT, bottom, legend, lang)
    return tuple((name, value) for name, value in done.items() if name in wanted)


def _apply_shared(fig: go.Figure, height: int, bottom: int, legend: bool, lang: str) -> None:
    """``fig.update_layout(**_shared_settings(...))`` without validating every time.

    A property the chart has not set yet gets the value validation gave it once
    (:func:`_validated_settings`, assigned unvalidated as plotly does for its own
    templates; the height is the chart's own whole number, as validation keeps it); one
    the chart has set already, or a height that is not a plain whole number of at least
    10 pixels, is merged by ``update_layout`` as before. Properties are set in the same
    order, so the figure's JSON is the same text (tests/export/test_chart_json.py).
    """
    layout = fig.layout
    raw = _shared_settings(height, bottom, legend, lang)
    plain_height = type(height) is int and height >= 10
    for name, value in _validated_settings(bottom, legend, lang):
        if name in layout._props or (name == "height" and not plain_height):
            fig.update_layout({name: raw[name]})
            continue
        validate = layout._validate
        layout._validate = False
        try:
            layout[name] = height if name == "height" else copy.deepcopy(value)
        finally:
            layout._validate = validate


def _finish(fig: go.Figure, note: str, height: int, lang: str, legend: bool = True) -> go.Figure:
    """Apply the shared layout: font, palette, number format, legend on top, note underneath.

    The note (source and data version) is written under the plot, wrapped, with the
    bottom margin grown to hold it.
    """
    lines = _wrap(note) if note else []
    bottom = 60 + 15 * len(lines)
    _use_template(fig)
    _apply_shared(fig, height + 15 * len(lines), bottom, legend, lang)
    # One update for both axes (each update of a figure costs more than its values): a
    # chart has one x and one y axis, so this is ``update_xaxes`` then ``update_yaxes``.
    fig.update_layout(xaxis={"automargin": True}, yaxis={"automargin": True})
    if lines:
        fig.add_annotation(
            text="<br>".join(esc(line) for line in lines),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-(bottom - 8 - 15 * len(lines)),
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11, "color": "#555555"},
            align="left",
        )
    return fig


def count_axis(values: Iterable[object], most_ticks: int = 8) -> dict[str, object]:
    """Return plotly axis settings that tick a count axis at whole numbers only.

    Plotly picks fractional steps (0.2, 0.4 ...) for small counts; the step here is the
    smallest of 1, 2, 5, 10, 20, 50 ... that keeps at most ``most_ticks`` ticks.

    Args:
        values: the largest value of each bar (stacked bars: the stack totals).
        most_ticks: the most ticks wanted on the axis.
    """
    numbers = [float(v) for v in values if v is not None and not pd.isna(v)]
    top = max([0.0, *numbers])
    step, factor = 1, 1
    while top / step > most_ticks:
        for multiple in (1, 2, 5):
            step = multiple * factor
            if top / step <= most_ticks:
                break
        else:
            factor *= 10
            continue
        break
    return {"tick0": 0, "dtick": step, "tickformat": ",d", "rangemode": "tozero"}


def _stack_totals(frame: pd.DataFrame, columns: Iterable[str]) -> list[float]:
    present = [c for c in columns if c in frame.columns]
    if not present:
        return []
    return list(frame[present].astype("float64").fillna(0).sum(axis=1))


def _money_text(values: Iterable[object], lang: str) -> list[str]:
    return [fmt_money(v, lang) for v in values]


def status_by_objective(progress: pd.DataFrame, lang: str, note: str = "") -> go.Figure:
    """Stacked horizontal bars: activities of each objective by status.

    Statuses no activity has are left out (no empty legend entries).

    Args:
        progress: output of ``figures.progress.progress_by_objective`` (or by output).
    """
    label_col = "output_id" if "output_id" in progress.columns else "objective_id"
    title_col = "output" if label_col == "output_id" else "objective"
    names = [
        f"{esc(i)} {shorten(n, 40)}".strip()
        for i, n in zip(progress[label_col], progress[title_col], strict=True)
    ]
    fig = go.Figure()
    for status in STATUS_ORDER:
        if status not in progress.columns:
            continue
        counts = progress[status].astype("float64")
        if not counts.fillna(0).any():  # a status no activity has: no legend entry
            continue
        fig.add_trace(
            _trace(
                "bar",
                y=names,
                x=counts,
                orientation="h",
                name=esc(status_label(status, lang)),
                marker={"color": STATUS_COLOURS[status]},
                hovertemplate="%{y}<br>%{fullData.name}: %{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", xaxis_title=t("chart.activities", lang))
    fig.update_xaxes(**count_axis(_stack_totals(progress, STATUS_ORDER)))
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, note, height=max(220, 60 + 38 * len(names)), lang=lang)


def timeline(rows: pd.DataFrame, today: dt.date, lang: str, note: str = "") -> go.Figure:
    """Gantt-like timeline: one bar per activity from start to due, today marked.

    Overdue activities are drawn in vermillion; the others in their status colour.
    Activities without a start are drawn from their due date back one day; those
    without a due date are left out of the bars (they stay in the table).

    Args:
        rows: output of ``figures.progress.activity_timeline``.
    """
    dated = rows.loc[rows["due"].notna()]
    if dated.empty:
        # no due date anywhere: say so instead of an empty axis with nonsense time ticks
        fig = go.Figure()
        fig.add_annotation(text=esc(t("empty.no_dates", lang)), x=0.5, y=0.5, xref="paper",
                           yref="paper", showarrow=False, font={"size": 15})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _finish(fig, note, height=160, lang=lang, legend=False)
    start = dated["start"].where(dated["start"].notna(), dated["due"] - pd.Timedelta(days=1))
    duration_ms = (dated["due"] - start).dt.total_seconds() * 1000
    ids = esc_all(dated["activity_id"])
    hover = [
        f"<b>{esc(i)}</b> {shorten(a, 70)}<br>{esc(status_label(s, lang))}"
        f"<br>{t('chart.due', lang)}: {esc(d.date().isoformat())}"
        + (f"<br><b>{t('chart.overdue', lang)}</b>" if o else "")
        for i, a, s, d, o in zip(
            dated["activity_id"], dated["activity"], dated["status"], dated["due"],
            dated["overdue"], strict=True,
        )
    ]
    colours = [
        VERMILLION if o else STATUS_COLOURS.get(s if isinstance(s, str) else "not_reported", GREY)
        for s, o in zip(dated["status"], dated["overdue"], strict=True)
    ]
    fig = go.Figure([
        _trace(
            "bar",
            y=ids,
            x=duration_ms,
            base=start,
            orientation="h",
            marker={"color": colours},
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
        )
    ])
    # Legend entries only (one per colour actually drawn).
    shown = {("overdue" if o else (s if isinstance(s, str) else "not_reported"))
             for s, o in zip(dated["status"], dated["overdue"], strict=True)}
    for key in [*STATUS_ORDER, "overdue"]:
        if key not in shown:
            continue
        name = t("chart.overdue", lang) if key == "overdue" else status_label(key, lang)
        colour = VERMILLION if key == "overdue" else STATUS_COLOURS[key]
        fig.add_trace(_trace("bar", x=[None], y=[None], name=esc(name), marker={"color": colour}))
    today_ts = pd.Timestamp(today)
    first = start.min() if len(start) else today_ts
    last = dated["due"].max() if len(dated) else today_ts
    margin = pd.Timedelta(days=60)
    if pd.isna(first) or pd.isna(last) or first - margin <= today_ts <= last + margin:
        fig.add_shape(
            type="line", x0=today_ts, x1=today_ts, y0=0, y1=1, yref="paper",
            line={"color": BLACK, "width": 2, "dash": "dot"},
        )
        fig.add_annotation(
            x=today_ts, y=1, yref="paper", text=t("chart.today", lang), showarrow=False,
            yanchor="bottom", font={"size": 11},
        )
    else:
        # Today lies far outside the plan's dates: say where it is instead of squeezing
        # every bar into a corner of a long axis.
        before = today_ts < first
        fig.update_xaxes(range=[first - margin, last + margin])
        arrow = "← " if before else ""
        fig.add_annotation(
            x=0 if before else 1, xref="paper", y=1, yref="paper", showarrow=False,
            xanchor="left" if before else "right", yanchor="bottom", font={"size": 11},
            text=arrow + t("chart.today_at", lang, date=esc(fmt_date(today, lang)))
            + ("" if before else " →"),
        )
    fig.update_xaxes(type="date")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_layout(barmode="overlay")
    return _finish(fig, note, height=max(260, 90 + 18 * len(ids)), lang=lang)


def required_vs_funded(
    frame: pd.DataFrame,
    category: str,
    lang: str,
    note: str = "",
    label: Callable[[object], str] | None = None,
) -> go.Figure:
    """Grouped bars per category: required, funded against it, funded with none stated.

    The bars follow the funding rule (``maaor.figures.funding``): the gap is required
    minus funded against the requirement; funding with no stated requirement is drawn
    beside it, in its own colour, never added to the funded bar.

    Args:
        frame: output of ``figures.funding.funding_by`` (or ``workplan_budget_vs_funded``
            with ``category="objective"``; its ``budget_usd`` is drawn as required).
        category: the column naming the bars (country_iso3, year, donor, channel, ...).
        label: turns a category value into its display text (e.g. a country name).
    """
    label = label or (lambda v: "" if v is None or pd.isna(v) else str(v))
    names = [esc(label(v)) or esc(t("value.not_given", lang)) for v in frame[category]]
    required_col = "budget_usd" if "budget_usd" in frame.columns else "required_usd"
    required_name = t("chart.budget" if required_col == "budget_usd" else "chart.required", lang)
    fig = go.Figure()
    for col, name, colour in (
        (required_col, required_name, REQUIRED_COLOUR),
        ("funded_against_requirement_usd", t("chart.funded_against", lang), FUNDED_COLOUR),
        ("funded_no_requirement_usd", t("chart.funded_no_requirement", lang), ORANGE),
    ):
        values = frame[col].astype("float64")
        fig.add_trace(
            _trace(
                "bar",
                y=names,
                x=values,
                orientation="h",
                name=esc(name),
                marker={"color": colour},
                customdata=_money_text(values, lang),
                hovertemplate="%{y}<br>%{fullData.name}: %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", xaxis_title="USD")
    fig.update_yaxes(type="category", autorange="reversed")
    return _finish(fig, note, height=max(220, 70 + 34 * len(names)), lang=lang)


def fts_bars(frame: pd.DataFrame, lang: str, note: str = "", label: Callable[[object], str] | None = None) -> go.Figure:
    """Grouped bars of FTS Mine Action requirements and funding per country and year.

    A requirement FTS leaves blank is not drawn (unknown, not zero); its bar label says
    "requirement unknown".

    Args:
        frame: output of ``figures.funding.fts_mine_action``.
    """
    label = label or str
    names = [
        f"{esc(label(c))} {esc(y)}" if pd.notna(y) else esc(label(c))
        for c, y in zip(frame["country_iso3"], frame["year"], strict=True)
    ]
    required = frame["required_usd"].astype("float64")
    funded = frame["funded_usd"].astype("float64")
    known = frame["requirement_known"].astype(bool)
    fig = go.Figure()
    fig.add_trace(
        _trace(
            "bar",
            y=names, x=required, orientation="h", name=esc(t("chart.required", lang)),
            marker={"color": REQUIRED_COLOUR},
            customdata=[fmt_money(v, lang) if k else t("chart.requirement_unknown", lang)
                        for v, k in zip(required, known, strict=True)],
            hovertemplate="%{y}<br>%{fullData.name}: %{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        _trace(
            "bar",
            y=names, x=funded, orientation="h", name=esc(t("chart.funded", lang)),
            marker={"color": FUNDED_COLOUR},
            customdata=_money_text(funded, lang),
            text=["" if k else t("chart.requirement_unknown", lang) for k in known],
            textposition="outside",
            hovertemplate="%{y}<br>%{fullData.name}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(barmode="group", xaxis_title="USD")
    fig.update_yaxes(type="category", autorange="reversed")
    return _finish(fig, note, height=max(220, 70 + 34 * len(names)), lang=lang)


def indicator_bullets(progress: pd.DataFrame, lang: str, note: str = "") -> go.Figure:
    """Bullet charts, one per indicator row: actual as the bar, baseline shaded, target line.

    Args:
        progress: rows of ``figures.results.indicator_progress`` (already chosen by the
            page: one objective, one disaggregation, ...).
    """
    n = len(progress)
    fig = go.Figure()
    row_height = 1 / max(n, 1)
    for i, row in enumerate(progress.itertuples(index=False)):
        baseline, target, actual = row.baseline, row.target, row.actual
        values = [v for v in (baseline, target, actual) if pd.notna(v)]
        top = max(values) * 1.1 if values and max(values) > 0 else 1.0
        low = min(0.0, *values) if values else 0.0
        track = None if pd.isna(row.on_track) else bool(row.on_track)
        state = (
            t("results.on_track", lang) if track is True
            else t("results.off_track", lang) if track is False
            else t("results.unknown", lang)
        )
        title = (
            f"<b>{esc(row.indicator_id)}</b> {shorten(row.indicator, 55)}"
            f"<br><span style='font-size:11px'>{esc(state)} · "
            f"{t('results.progress', lang)} {esc(fmt_percent(row.progress_pct, lang))}</span>"
        )
        colour = GREEN if track is True else VERMILLION if track is False else GREY
        gauge = {
            "shape": "bullet",
            "axis": {"range": [low, top]},
            "bar": {"color": colour, "thickness": 0.45},
            "steps": [{"range": [low, baseline], "color": LIGHT_GREY}] if pd.notna(baseline) else [],
            "threshold": {"line": {"color": BLACK, "width": 3}, "thickness": 0.85,
                          "value": target} if pd.notna(target) else None,
        }
        if gauge["threshold"] is None:
            del gauge["threshold"]
        y0 = 1 - (i + 1) * row_height
        fig.add_trace(
            _trace(
                "indicator",
                mode="number+gauge",
                value=float(actual) if pd.notna(actual) else None,
                number={"font": {"size": 16}, "valueformat": ",.0f"},
                title={"text": title, "font": {"size": 12}, "align": "left"},
                gauge=gauge,
                domain={"x": [0.42, 0.92], "y": [y0 + 0.2 * row_height, y0 + 0.8 * row_height]},
            )
        )
    return _finish(fig, note, height=max(160, 40 + 78 * n), lang=lang, legend=False)


def results_status(by_objective: pd.DataFrame, lang: str, note: str = "") -> go.Figure:
    """Stacked bars: indicators on track, off track and unknown per objective.

    Args:
        by_objective: output of ``figures.results.results_by_objective``.
    """
    names = [shorten(o, 50) or esc(t("value.not_given", lang)) for o in by_objective["objective"]]
    fig = go.Figure()
    for col, key, colour in (
        ("on_track", "results.on_track", GREEN),
        ("off_track", "results.off_track", VERMILLION),
        ("unknown", "results.unknown", LIGHT_GREY),
    ):
        fig.add_trace(
            _trace("bar", y=names, x=by_objective[col], orientation="h", name=esc(t(key, lang)),
                   marker={"color": colour},
                   hovertemplate="%{y}<br>%{fullData.name}: %{x}<extra></extra>")
        )
    fig.update_layout(barmode="stack", xaxis_title=t("chart.indicators", lang))
    fig.update_xaxes(**count_axis(_stack_totals(by_objective, ("on_track", "off_track", "unknown"))))
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, note, height=max(220, 80 + 45 * len(names)), lang=lang)


def flag_counts(counts: pd.DataFrame, lang: str, note: str = "") -> go.Figure:
    """Horizontal bars: number of flags per rule (rule names translated).

    Args:
        counts: output of ``figures.gaps.flag_counts``.
    """
    names = [esc(t(f"rule.{r}", lang)) for r in counts["rule"]]
    fig = go.Figure([
        _trace("bar", y=names, x=counts["count"], orientation="h", marker={"color": ORANGE},
               text=[fmt_number(c, lang) for c in counts["count"]], textposition="outside",
               textangle=0, cliponaxis=False,
               hovertemplate="%{y}: %{x}<extra></extra>")
    ])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(xaxis_title=t("chart.flags", lang))
    fig.update_xaxes(**count_axis(counts["count"]))
    return _finish(fig, note, height=max(200, 70 + 34 * len(names)), lang=lang, legend=False)


def orgs_per_pillar(by_pillar: pd.DataFrame, lang: str, note: str = "",
                    label: Callable[[object], str] | None = None) -> go.Figure:
    """Grouped bars: active organisations per pillar, one colour per country.

    Args:
        by_pillar: output of ``figures.presence.orgs_by_pillar``.
        label: country display name for an ISO3 code.
    """
    label = label or str
    fig = go.Figure()
    for iso3 in pd.unique(by_pillar["country_iso3"]):
        part = by_pillar.loc[by_pillar["country_iso3"] == iso3]
        pillars = [
            esc(vocab.label("pillar", p, lang)) if isinstance(p, str) else esc(t("value.not_given", lang))
            for p in part["pillar"]
        ]
        fig.add_trace(
            _trace("bar", x=pillars, y=part["organisations"], name=esc(label(iso3)),
                   customdata=[esc(v) for v in part["org_list"]],
                   hovertemplate="%{fullData.name} · %{x}: %{y}<br>%{customdata}<extra></extra>")
        )
    fig.update_layout(barmode="group", yaxis_title=t("chart.organisations", lang))
    fig.update_yaxes(**count_axis(by_pillar["organisations"]))
    fig.update_xaxes(type="category")
    return _finish(fig, note, height=380, lang=lang)


def progress_over_versions(history: pd.DataFrame, lang: str, note: str = "") -> go.Figure:
    """Lines: % of activities completed and mean progress, one point per data version.

    Args:
        history: output of ``figures.history.progress_over_versions``.
    """
    versions = [f"v{int(v)}" for v in history["version"]]
    fig = go.Figure()
    for col, key, colour in (
        ("pct_completed", "col.pct_completed", GREEN),
        ("mean_progress", "col.mean_progress", BLUE),
    ):
        fig.add_trace(
            _trace(
                "scatter",
                x=versions,
                y=history[col].astype("float64"),
                mode="lines+markers",
                name=esc(t(key, lang)),
                line={"color": colour},
                hovertemplate="%{x}: %{y:.0f}%<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(xaxis_title=t("chart.version", lang), yaxis={"range": [0, 100], "ticksuffix": "%"})
    return _finish(fig, note, height=320, lang=lang)
