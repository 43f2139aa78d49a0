"""Every chart built on the bundled data: the figure JSON is the same whether the template
is set through plotly's validating ``update_layout`` (before) or ``charts._use_template``
(the fast path, after)."""

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
