"""View parameters: one name each, never a filter's, and every page widget bound to one."""

from __future__ import annotations

import re

from maaor import viewparams
from tests.paths import ROOT

# Widgets that change what a page shows (Streamlit calls, on ``st``, ``st.sidebar`` or a
# container such as a column: ``left.number_input(``).
VIEW_WIDGET = re.compile(
    r"\b(?:st|st\.sidebar|[a-z_][a-z0-9_]*)\.(segmented_control|selectbox|radio|toggle"
    r"|checkbox|multiselect|slider|pills|tabs|number_input|select_slider)\(")
# Files whose widgets act (sign-in, uploads, mapping profiles, edits, withdrawals) rather
# than choose a view, or bind the URL themselves (the sidebar filters: maaor.filters; the
# Present page's slide, auto-advance and meeting).
ACTION_OR_SELF_BOUND = {"pages/6_Coordinator.py", "maaor/ui/coordinator.py", "maaor/ui/auth.py",
                        "maaor/ui/history.py", "maaor/ui/profiles.py", "maaor/ui/filters.py",
                        "maaor/ui/present.py"}
# Functions that write their widget's value to the URL themselves: the Work plan
# activity; a long table's page number (``url_bound`` called before the widget); the
# language (``maaor.ui.filters.remember`` writes ``?lang=``).
SELF_BOUND_FUNCTIONS = {"url_selectbox", "page_rows", "_language_switch"}
# Functions whose widget is a browser preference that changes no page (the HXL tag row
# of CSV downloads), so no link carries it.
PREFERENCE_FUNCTIONS = {"_hxl_switch"}
# Functions whose widget chooses what a download button holds (the whole table offered
# for other tools), an action that changes no page, so no link carries it.
DOWNLOAD_CHOICE_FUNCTIONS = {"_full_table_downloads"}


def test_the_url_names_a_choice_by_its_code_and_ignores_unknown_codes():
    options = ("country_iso3", "year", "donor")
    assert viewparams.choice_from_params({"by": ["donor"]}, "by", options, "country_iso3") == "donor"
    assert viewparams.choice_from_params({"by": ["Donor"]}, "by", options, "x") == "x"
    assert viewparams.choice_from_params({}, "by", options, "year") == "year"
    assert viewparams.choice_from_params({"pg_t": ["2"]}, "pg_t", range(1, 4), 1) == 2
    assert viewparams.param_values("donor", "country_iso3") == ["donor"]
    assert viewparams.param_values("country_iso3", "country_iso3") == []
    assert viewparams.param_values(None, "x") == []


def test_view_parameters_never_reuse_a_filter_language_or_version_name():
    assert viewparams.clashes() == ()
    names = viewparams.view_param_names()
    assert len(names) == len(set(names))
    assert viewparams.table_page_param("activity_flags") == "pg_activity_flags"


def test_every_view_widget_of_the_pages_is_bound_to_the_url():
    unbound = []
    files = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "maaor" / "ui").glob("*.py"))]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel in ACTION_OR_SELF_BOUND:
            continue
        text = path.read_text(encoding="utf-8")
        for match in VIEW_WIDGET.finditer(text):
            depth, end = 0, match.end() - 1
            for end in range(match.end() - 1, len(text)):  # the call up to its closing bracket
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
            call = text[match.start():end + 1]
            enclosing = re.findall(r"\ndef (\w+)", text[:match.start()])
            if enclosing and enclosing[-1] in SELF_BOUND_FUNCTIONS | PREFERENCE_FUNCTIONS | DOWNLOAD_CHOICE_FUNCTIONS:
                continue
            if 'bind="query-params"' not in call and "url_bound(" not in call:
                unbound.append(f"{rel}: {call.splitlines()[0]}")
    assert unbound == []


def test_the_emergency_is_a_filter_parameter_of_every_page_that_has_countries():
    from maaor.filters import FILTER_PARAMS, filters_from_params, params_from_filters
    from maaor.ui.registry import PAGES

    assert "emergency" in FILTER_PARAMS and "emergency" not in viewparams.view_param_names()
    f = filters_from_params({"emergency": ["central-sahel"]})
    assert params_from_filters(f) == {"emergency": ["central-sahel"]}
    for spec in PAGES:
        assert ("emergency" in spec.filter_params) == ("country" in spec.filter_params), spec.key
