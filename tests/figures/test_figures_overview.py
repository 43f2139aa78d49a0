from maaor.dataset import Dataset
from maaor.figures.overview import overview_headline
from maaor.filters import Filters
from tests.figures_data import TODAY, dataset


def test_overview_unfiltered():
    assert overview_headline(dataset(), Filters(), TODAY) == {
        "activities": 5,
        "pct_completed": 50.0,
        "activities_flagged": 5,  # every activity breaks at least one rule
        "countries_with_mechanism": 3,
        "organisations": 5,
        "required_usd": 1_700_000.0,
        "funded_usd": 550_000.0,
        "gap_usd": 750_000.0,
    }


def test_overview_country_filter():
    out = overview_headline(dataset(), Filters(countries=("AFG",)), TODAY)
    assert out == {
        "activities": 5,  # the work plan is global
        "pct_completed": 50.0,
        "activities_flagged": 5,
        "countries_with_mechanism": 1,
        "organisations": 3,  # HALO Trust, MAG, UNMAS (planned)
        "required_usd": 1_000_000.0,
        "funded_usd": 500_000.0,
        "gap_usd": 600_000.0,
    }


def test_overview_objective_filter():
    out = overview_headline(dataset(), Filters(objectives=("2",)), TODAY)
    assert (out["activities"], out["pct_completed"], out["activities_flagged"]) == (1, 100.0,
                                                                                   1)


def test_overview_empty_dataset():
    assert overview_headline(Dataset(), Filters(), TODAY) == {
        "activities": 0,
        "pct_completed": None,
        "activities_flagged": 0,
        "countries_with_mechanism": 0,
        "organisations": 0,
        "required_usd": None,
        "funded_usd": None,
        "gap_usd": None,
    }
