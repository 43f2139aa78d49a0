"""A chart cached serialised (``maaor.ui.widgets.SerialisedFigure``) sends Streamlit's
plotly element the same JSON text as the figure itself, for every chart of the bundled
data, in both languages."""

from __future__ import annotations

import json

import plotly.io as pio
import plotly.tools
import pytest

from maaor import views
from maaor.bundled import load_default
from maaor.ui.widgets import SerialisedFigure
from tests.export.test_chart_json import _charts


def _sent(figure) -> str:
    """The spec ``st.plotly_chart`` writes for ``figure`` (its own two steps)."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True),
                       validate=False)


@pytest.fixture(scope="module")
def bundled():
    return views.public_dataset(load_default().dataset, "admin1")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_chart_sends_the_same_spec_serialised(bundled, lang):
    for name, make in _charts(bundled, lang):
        fig = make()
        serialised = SerialisedFigure(fig)
        assert _sent(serialised) == _sent(fig), name
        assert json.loads(_sent(serialised))["data"], name


def test_each_caller_gets_its_own_dict():
    fig = SerialisedFigure(plotly.graph_objects.Figure({"data": [{"type": "bar", "y": [1, 2]}]}))
    first = fig.to_dict()
    first["data"][0]["y"].append(3)
    assert fig.to_dict()["data"][0]["y"] == [1, 2]
