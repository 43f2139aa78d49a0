"""Every chart built on the bundled data: the figure JSON is the same whether the template
is set through plotly's validating ``update_layout`` (before) or ``charts._use_template``
(the fast path, after), and whether the shared layout is set through ``update_layout``
(before) or ``charts._apply_shared`` (validated once per size and language, after)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from maaor import charts, views
from maaor.bundled import load_default
from maaor.figures.history import progress_over_versions

TODAY = dt.date(2025, 3, 5)
NOTE = "Source: MA AoR work plan · Data version 3 of 5 Mar 2025 <b>x</b>"


def _validated_template(fig: go.Figure, name: str = charts.TEMPLATE) -> None:
    """How the template was set before: plotly validates and copies it."""
    fig.update_layout(template=name)


def _finish_validated(fig: go.Figure, note: str, height: int, lang: str,
                      legend: bool = True) -> go.Figure:
    """How ``charts._finish`` set the shared layout before: every property validated by
    ``update_layout`` on every call."""
    lines = charts._wrap(note) if note else []
    bottom = 60 + 15 * len(lines)
    fig.update_layout(template=charts.TEMPLATE)
    fig.update_layout(
        colorway=list(charts.PALETTE),
        font={"family": charts._FONT, "size": 13},
        height=height + 15 * len(lines),
        margin={"l": 10, "r": charts.TOOLBAR_MARGIN, "t": 40, "b": bottom},
        modebar={"orientation": "v"},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                "xref": "container", "traceorder": "normal"},
        hoverlabel={"font": {"family": charts._FONT}},
        separators=", " if lang == "fr" else ".,",
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if lines:
        fig.add_annotation(
            text="<br>".join(charts.esc(line) for line in lines), xref="paper", yref="paper",
            x=0, y=0, yshift=-(bottom - 8 - 15 * len(lines)), xanchor="left", yanchor="top",
            showarrow=False, font={"size": 11, "color": "#555555"}, align="left",
        )
    return fig


@pytest.fixture(scope="module")
def bundled():
    return views.public_dataset(load_default().dataset, "admin1")


def _charts(ds, lang):
    """(name, function building the chart) for every chart function of maaor.charts."""
    f = views.NO_FILTERS

    def v(name, *args):
        return views.compute(name, ds, f, TODAY, *args)

    by_objective = v("results.by_objective")
    rows = v("results.rows", by_objective["objective"].iloc[0] if len(by_objective) else None,
             None)
    info = [SimpleNamespace(id=i, created_at=dt.datetime(2025, 3, i, tzinfo=dt.UTC))
            for i in (1, 2)]
    history = progress_over_versions([(info[0], ds), (info[1], ds)])
    return [
        ("status_by_objective", lambda: charts.status_by_objective(
            v("workplan.by_objective"), lang, NOTE)),
        ("status_by_output", lambda: charts.status_by_objective(
            v("workplan.by_output"), lang, NOTE)),
        ("timeline", lambda: charts.timeline(v("workplan.timeline"), TODAY, lang, NOTE)),
        ("required_vs_funded budget", lambda: charts.required_vs_funded(
            v("funding.budget"), "objective", lang, NOTE)),
        ("required_vs_funded by country", lambda: charts.required_vs_funded(
            v("funding.by", ("country_iso3",)), "country_iso3", lang, NOTE)),
        ("fts_bars", lambda: charts.fts_bars(v("funding.fts"), lang, NOTE, label=str.lower)),
        ("indicator_bullets", lambda: charts.indicator_bullets(rows, lang, NOTE)),
        ("results_status", lambda: charts.results_status(by_objective, lang, NOTE)),
        ("flag_counts", lambda: charts.flag_counts(v("gaps.counts"), lang, NOTE)),
        ("orgs_per_pillar", lambda: charts.orgs_per_pillar(
            v("presence.by_pillar").head(12), lang, NOTE, label=str.lower)),
        ("progress_over_versions", lambda: charts.progress_over_versions(history, lang, NOTE)),
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_chart_json_is_unchanged_by_the_unvalidated_template(bundled, lang, monkeypatch):
    built = _charts(bundled, lang)
    fast = {name: make().to_json() for name, make in built}
    monkeypatch.setattr(charts, "_use_template", _validated_template)
    slow = {name: make().to_json() for name, make in built}
    assert fast.keys() == slow.keys()
    for name in fast:
        assert fast[name] == slow[name], name
    # the template really is plotly_white's (not plotly's default left in place), and
    # the charts draw data (an empty figure would compare equal too)
    white = json.loads(go.Figure(layout={"template": charts.TEMPLATE}).to_json())
    for name, text in fast.items():
        figure = json.loads(text)
        assert figure["layout"]["template"] == white["layout"]["template"], name
        assert figure["data"], name


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_chart_json_is_unchanged_by_the_shared_layout_validated_once(bundled, lang,
                                                                           monkeypatch):
    built = _charts(bundled, lang)
    # built twice on the fast path: the second time from the settings validated once
    fast = {name: make().to_json() for name, make in built}
    again = {name: make().to_json() for name, make in built}
    monkeypatch.setattr(charts, "_finish", _finish_validated)
    slow = {name: make().to_json() for name, make in built}
    assert fast.keys() == slow.keys()
    for name in fast:
        assert fast[name] == slow[name], name
        assert again[name] == slow[name], name


_TRACE_CLASSES = {"bar": go.Bar, "scatter": go.Scatter, "indicator": go.Indicator}


def _trace_object(kind: str, **props):
    """How the traces were made before: plotly trace objects (validated when made, and
    again when a figure adds them)."""
    return _TRACE_CLASSES[kind](**props)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_chart_json_is_unchanged_by_traces_given_as_dicts(bundled, lang, monkeypatch):
    built = _charts(bundled, lang)
    fast = {name: make().to_json() for name, make in built}
    monkeypatch.setattr(charts, "_trace", _trace_object)
    slow = {name: make().to_json() for name, make in built}
    assert fast.keys() == slow.keys()
    for name in fast:
        assert fast[name] == slow[name], name
        assert json.loads(fast[name])["data"], name


def test_a_chart_height_is_its_own_whatever_height_was_validated_first():
    """The shared settings are validated once for every height: each chart keeps its
    own, and a height plotly would refuse is still refused."""
    for height in (160, 451, 1234):
        fast = charts._finish(go.Figure(), NOTE, height, "en").to_json()
        assert fast == _finish_validated(go.Figure(), NOTE, height, "en").to_json()
        assert json.loads(fast)["layout"]["height"] == height + 15 * len(charts._wrap(NOTE))
    with pytest.raises(ValueError):
        charts._finish(go.Figure(), "", 5, "en")


def test_a_chart_layout_set_before_finishing_is_merged_as_before():
    """A property the chart set itself (a legend title) is merged, not replaced."""
    def build(finish):
        fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
        fig.update_layout(legend={"title": {"text": "Status"}}, font={"color": "#111111"})
        return finish(fig, NOTE, 300, "fr", legend=True).to_json()

    fast = build(charts._finish)
    assert fast == build(_finish_validated)
    layout = json.loads(fast)["layout"]
    assert layout["legend"]["title"]["text"] == "Status"
    assert layout["legend"]["orientation"] == "h"
    assert layout["font"] == {"color": "#111111", "family": charts._FONT, "size": 13}


def test_figures_do_not_share_their_layout_settings():
    """Changing one finished chart's margin leaves the next chart's as it was."""
    first = charts._finish(go.Figure(), NOTE, 300, "en")
    first.layout.margin.b = 999
    second = charts._finish(go.Figure(), NOTE, 300, "en")
    assert second.layout.margin.b != 999
