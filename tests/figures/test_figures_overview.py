import pytest

from maaor.dataset import Dataset
from maaor.figures.overview import headline_figures, overview_headline
from maaor.filters import Filters
from maaor.glossary import GLOSSARY
from tests.figures_data import TODAY, dataset


def test_overview_unfiltered():
    # Issue 11: the overview shows glossary figures; funding reconciles on the stated
    # requirement (gap 1,700,000 - 450,000) with the 100,000 of no stated requirement
    # beside it; "active organisations" (4: DRC's only row is completed) is not
    # "organisations in the 4W" (5).
    out = overview_headline(dataset(), Filters(), TODAY)
    assert out == {
        "activities": 5,
        "pct_completed": 50.0,
        "activities_flagged": 5,  # every activity breaks at least one rule
        "activities_with_presence": 3,  # 1.1.1, 1.2.1, 10.1.1 (lead/partner active)
        "active_organisations": 4,
        "countries_present": 2,
        "countries_with_mechanism": 3,
        "people_reached": 150.0,  # HALO Trust's two Kabul rows: 100 + 50
        "required_usd": 1_700_000.0,
        "funded_against_requirement_usd": 450_000.0,
        "gap_usd": 1_250_000.0,
        "pct_funded": pytest.approx(450 / 17),
        "funded_no_requirement_usd": 100_000.0,
    }
    full = headline_figures(dataset(), Filters(), TODAY)
    assert set(full) == set(GLOSSARY)
    assert full["organisations"] == 5


def test_overview_country_filter():
    out = overview_headline(dataset(), Filters(countries=("AFG",)), TODAY)
    assert out == {
        "activities": 5,  # the work plan is global
        "pct_completed": 50.0,
        "activities_flagged": 5,
        "activities_with_presence": 3,  # MAG or HALO Trust, active in AFG, lead or partner
        "active_organisations": 2,  # HALO Trust, MAG (UNMAS only planned in AFG)
        "countries_present": 1,
        "countries_with_mechanism": 1,
        "people_reached": 150.0,  # both reached figures are in AFG
        "required_usd": 1_000_000.0,
        "funded_against_requirement_usd": 400_000.0,
        "gap_usd": 600_000.0,
        "pct_funded": 40.0,
        "funded_no_requirement_usd": 100_000.0,
    }


def test_overview_objective_filter():
    out = overview_headline(dataset(), Filters(objectives=("2",)), TODAY)
    assert (out["activities"], out["pct_completed"], out["activities_flagged"]) == (1, 100.0,
                                                                                   1)


def test_overview_empty_dataset():
    out = overview_headline(Dataset(), Filters(), TODAY)
    assert out == {
        "activities": 0,
        "pct_completed": None,
        "activities_flagged": 0,
        "activities_with_presence": 0,
        "active_organisations": 0,
        "countries_present": 0,
        "countries_with_mechanism": 0,
        "people_reached": None,  # no row gives it: unknown, not 0
        **dict.fromkeys(("required_usd", "funded_against_requirement_usd", "gap_usd",
                         "pct_funded", "funded_no_requirement_usd")),
    }


@pytest.mark.parametrize("f", [Filters(), Filters(countries=("AFG",)),
                               Filters(objectives=("1",)), Filters(year=2024)])
def test_a_row_of_headline_figures_is_those_of_the_whole_headline(f):
    from maaor.figures.overview import headline_values
    from maaor.glossary import PRESENCE_ROW, WORKPLAN_ROW

    full = headline_figures(dataset(), f, TODAY)
    for ids in (WORKPLAN_ROW, PRESENCE_ROW, ("flags", "gap_usd", "indicators")):
        assert headline_values(dataset(), f, TODAY, ids) == {fid: full[fid] for fid in ids}
    with pytest.raises(KeyError):
        headline_values(dataset(), f, TODAY, ("not_a_figure",))


def test_the_work_plan_row_does_not_count_the_4w(monkeypatch):
    """The Work plan page's figures come from the work plan only: the 4W, funding and
    results parts of the headline are not computed for them."""
    from maaor.figures import overview
    from maaor.glossary import WORKPLAN_ROW

    def untouched(*args, **kwargs):
        raise AssertionError("computed a part the row does not show")

    for name in ("presence_headline", "pillar_gaps", "funding_headline", "results_rows",
                 "activity_flags"):
        monkeypatch.setattr(overview, name, untouched)
    out = overview.headline_values(dataset(), Filters(objectives=("10",)), TODAY, WORKPLAN_ROW)
    assert list(out) == list(WORKPLAN_ROW)
    assert out["activities"] >= 1
