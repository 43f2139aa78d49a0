"""Every validation problem is told from the catalogues, in English and in French.

The scan reads the code that raises problems: every rule code (and message variant) it
passes to ``problem``, ``Problem``, ``rows_problem`` or ``sheet_problem`` must have a
message and a fix in ``en.json`` and ``fr.json``. A rule added without its entries fails
here, wherever it is added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from maaor.i18n import catalogue, plural_form
from maaor.i18n.problems import problem_text
from maaor.problems import problem
from tests.paths import ROOT

#: The modules whose problems are told from the catalogues.
PROBLEM_CODE = [*sorted((ROOT / "maaor" / "validate").glob("*.py")), ROOT / "maaor" / "load.py",
                ROOT / "maaor" / "matcher.py"]
_CALLS = {"problem": 1, "Problem": 1, "rows_problem": 1, "sheet_problem": 1, "count_more": 1}
_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _constants(node: ast.AST) -> set[str]:
    """String constants an expression can evaluate to (constants, conditionals)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def _resolve(node: ast.AST, tables: set[str]) -> set[str]:
    """Codes an argument can hold: its constants; a variable or table lookup may hold any
    code of the function's loops or the module's code tables."""
    if isinstance(node, ast.IfExp):
        return _resolve(node.body, tables) | _resolve(node.orelse, tables)
    return _constants(node) or set(tables)


def _module_dict_values(tree: ast.Module) -> set[str]:
    """String values of the module's constant dicts (code tables such as _VOCAB_CODES)."""
    found = set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Dict):
            for v in value.values:
                found |= {c for c in _constants(v) if _CODE_SHAPE.match(c)}
    return found


def _forwarders(tree: ast.Module) -> dict[str, int]:
    """Functions of the module that take a ``code`` parameter and pass it on (name ->
    position of ``code`` among the call's arguments, ``self`` excluded)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args if a.arg != "self"]
            if "code" in names:
                found[node.name] = names.index("code")
    return found


def _loop_codes(function: ast.AST) -> set[str]:
    """Code-shaped constants of the ``for`` iterables of a function (codes in tables)."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.For):
            found |= {c.value for c in ast.walk(node.iter)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)
                      and _CODE_SHAPE.match(c.value)}
    return found


def problem_keys(paths=PROBLEM_CODE) -> set[str]:
    """Every problem code or message variant the code of ``paths`` can raise."""
    keys: set[str] = set()
    for path in paths:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        table_codes = _module_dict_values(tree)
        calls = {**_CALLS, **_forwarders(tree)}
        for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
            body_calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
            for node in body_calls:
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in calls:
                    continue
                position = calls[name]
                # With a message variant (key=...), the variant's entry is the one used.
                has_key = any(kw.arg == "key" for kw in node.keywords)
                tables = _loop_codes(function) | table_codes
                if len(node.args) > position and not has_key:
                    keys |= _resolve(node.args[position], tables)
                for kw in node.keywords:
                    if kw.arg == "key":
                        keys |= _resolve(kw.value, tables)
        # Catalogue entries named in the code (sub-sentences such as org.did_you_mean).
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.startswith("problem.") and _CODE_SHAPE.match(node.value):
                keys.add(node.value.removeprefix("problem."))
    return {k for k in keys if _CODE_SHAPE.match(k)}


def catalogue_problem_keys() -> set[str]:
    """The ``problem.*`` entries the scanned code uses (for the unused-key test)."""
    used = set()
    en = catalogue("en")
    for key in problem_keys():
        for suffix in ("", ".fix", ".one", ".other"):
            if f"problem.{key}{suffix}" in en:
                used.add(f"problem.{key}{suffix}")
    return used


def test_the_scan_finds_the_rules():
    keys = problem_keys()
    assert {"status.unknown", "status.unknown.workplan", "country.guessed", "date.not_exist",
            "money.text.note_filled", "rows.more", "excel.error_cell", "pillar.unknown",
            "presence.no_mechanism", "org.did_you_mean", "file.duplicate.same_name",
            "sheet.hidden", "file.unreadable.unexpected"} <= keys
    assert len(keys) >= 50


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_problem_code_lacks_a_message_or_a_fix(lang):
    entries = catalogue(lang)
    sentences = {"org.did_you_mean", "org.repeats", "word.no_organisation"}
    missing = []
    for key in sorted(problem_keys()):
        has_message = f"problem.{key}" in entries or f"problem.{key}.other" in entries
        if not has_message:
            missing.append(f"problem.{key}")
        if key not in sentences and f"problem.{key}.fix" not in entries:
            missing.append(f"problem.{key}.fix")
    assert missing == []


def test_messages_never_name_the_package():
    for lang in ("en", "fr"):
        texts = [v for k, v in catalogue(lang).items() if k.startswith("problem.")]
        assert texts and not [v for v in texts if "maaor" in v.lower()]


def test_french_plural_zero_and_one_are_singular():
    assert [plural_form(n, "fr") for n in (0, 1, 2)] == ["one", "one", "other"]
    assert [plural_form(n, "en") for n in (0, 1, 2)] == ["other", "one", "other"]
    one = problem_text("rows.no_values", "fr", {"n": {"number": 1}})
    zero = problem_text("rows.no_values", "fr", {"n": {"number": 0}})
    many = problem_text("rows.no_values", "fr", {"n": {"number": 1234}})
    assert one.startswith("1 ligne ") and "a été ignorée" in one
    assert zero.startswith("0 ligne ") and "a été ignorée" in zero
    assert many.startswith("1\u202f234 lignes ") and "ont été ignorées" in many
    assert problem_text("rows.no_values", "en", {"n": {"number": 1}}).startswith("1 row with")


def test_a_problem_is_told_in_the_readers_language():
    p = problem("error", "status.unknown", {"value": "Suspendu",
                                            "allowed": {"labels": "presence_status"}},
                file="4w.xlsx", sheet="4W", row=5, column="Statut", value="Suspendu")
    assert p.message == "'Suspendu' is not a known status."
    assert p.message_in("fr") == "« Suspendu » n'est pas un statut connu."
    # Suggestions list the words of the reader's language (vocab.csv's French labels).
    assert "Planned" in p.fix and "Planned" not in p.fix_in("fr")
    assert p.fix_in("fr").startswith("Utilisez l'une de ces valeurs : ")
    assert p.localised("fr")["code"] == "status.unknown"
    assert p.to_dict()["message"] == p.message and "params" not in p.to_dict()


def test_dates_that_do_not_exist_name_the_month():
    p = problem("error", "date.not_exist", {"value": "31/02/2022",
                                            "month": {"month": [2022, 2]}, "days": 28})
    assert p.message == "'31/02/2022' does not exist: February 2022 has 28 days."
    assert p.message_in("fr") == "« 31/02/2022 » n'existe pas : février 2022 compte 28 jours."


def test_country_read_as_names_the_country_in_the_readers_language():
    p = problem("warning", "country.guessed", {"value": "Allemange", "country": {"country": "DEU"}})
    assert p.message == "'Allemange' was read as Germany."
    assert p.message_in("fr") == "« Allemange » a été lu comme Allemagne."


def test_many_rows_are_summed_up_with_plurals():
    from maaor.validate.collect import MAX_LISTED, Collector

    n = MAX_LISTED + 2
    col = Collector("f.xlsx", "S", np.arange(2, n + 2), {"year": "Année"},
                    error_rows=np.zeros(n, dtype=bool))
    col.rows_problem("error", "year.invalid", "year", np.ones(n, dtype=bool),
                     pd.Series(["x"] * n).to_numpy(dtype=object))
    problems = col.finish()
    assert len(problems) == MAX_LISTED + 1
    more = problems[-1]
    assert more.message == "… and 2 more rows with the same problem (year.invalid) in this column."
    assert more.message_in("fr") == ("… et 2 autres lignes avec le même problème (year.invalid) "
                                     "dans cette colonne.")
    assert problems[0].message_in("fr") == "« x » n'est pas une année."
