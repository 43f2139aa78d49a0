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

#: The modules whose problems are told from the catalogues: every module of the package.
PROBLEM_CODE = sorted((ROOT / "maaor").rglob("*.py"))
_CALLS = {"problem": 1, "Problem": 1, "rows_problem": 1, "sheet_problem": 1, "count_more": 1,
          "grouped_problem": 1}
_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _constants(node: ast.AST) -> set[str]:
    """String constants an expression can evaluate to (constants, conditionals)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def _may_be_none(node: ast.AST | None) -> bool:
    """True when a ``key=`` argument may be None (the code's own entry is then used)."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return True
    return isinstance(node, ast.IfExp) and (_may_be_none(node.body) or _may_be_none(node.orelse))


def _resolve(node: ast.AST, tables: set[str], function: ast.AST) -> set[str]:
    """Codes an argument can hold: its constants; a local variable, what is assigned to
    it; a ``code`` or ``key`` parameter, nothing here (its callers are scanned); another
    variable or a table lookup, any code of the function's loops or the module's code
    tables."""
    if isinstance(node, ast.IfExp):
        return _resolve(node.body, tables, function) | _resolve(node.orelse, tables, function)
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, ast.Name) and isinstance(function, ast.FunctionDef):
        if node.id in {"code", "key"} and node.id in [a.arg for a in function.args.args]:
            return set()
        assigned = [a.value for a in ast.walk(function) if isinstance(a, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)]
        if assigned:
            return set().union(*(_resolve(v, tables, function) for v in assigned))
    return set(tables)


def _code_like(value: str) -> bool:
    return bool(_CODE_SHAPE.match(value)) and not value.startswith("problem.")


def _module_dict_values(tree: ast.Module) -> set[str]:
    """String values of the module's constant dicts (code tables such as _VOCAB_CODES)."""
    found = set()
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Dict):
            for v in value.values:
                found |= {c for c in _constants(v) if _code_like(c)}
    return found


def _call_name(node: ast.Call) -> str | None:
    return getattr(node.func, "attr", None) or getattr(node.func, "id", None)


def _forwarders(tree: ast.Module) -> dict[str, tuple[int | None, int | None]]:
    """Functions of the module that take a ``code`` or ``key`` parameter and pass it on
    to a problem constructor (name -> positions of ``code`` and ``key`` among the
    call's arguments, ``self`` excluded)."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args if a.arg != "self"]
            raises = any(isinstance(c, ast.Call) and _call_name(c) in _CALLS
                         for c in ast.walk(node))
            if raises and ({"code", "key"} & set(names)):
                found[node.name] = (names.index("code") if "code" in names else None,
                                    names.index("key") if "key" in names else None)
    return found


def _loop_codes(function: ast.AST) -> set[str]:
    """Code-shaped constants of the ``for`` iterables of a function (codes in tables)."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.For):
            found |= {c.value for c in ast.walk(node.iter)
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)
                      and _code_like(c.value)}
    return found


def problem_keys(paths=PROBLEM_CODE) -> set[str]:
    """Every problem code or message variant the code of ``paths`` can raise."""
    keys: set[str] = set()
    for path in paths:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        table_codes = _module_dict_values(tree)
        calls = {**{n: (p, None) for n, p in _CALLS.items()}, **_forwarders(tree)}
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        in_functions = {id(c) for f in functions for c in ast.walk(f)}
        for function in [tree, *functions]:
            tables = _loop_codes(function) | table_codes
            for node in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                if _call_name(node) not in calls:
                    continue
                if function is tree and id(node) in in_functions:
                    continue  # scanned with its function
                code_at, key_at = calls[_call_name(node)]
                key = next((kw.value for kw in node.keywords if kw.arg == "key"), None)
                if key is None and key_at is not None and len(node.args) > key_at:
                    key = node.args[key_at]
                # With a message variant (key=...), the variant's entry is the one used.
                if key is not None:
                    keys |= _resolve(key, tables, function)
                if _may_be_none(key) and code_at is not None and len(node.args) > code_at:
                    keys |= _resolve(node.args[code_at], tables, function)
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
        for suffix in ("", ".fix", ".one", ".other", ".fix.one", ".fix.other"):
            if f"problem.{key}{suffix}" in en:
                used.add(f"problem.{key}{suffix}")
    return used


def test_the_scan_finds_the_rules():
    keys = problem_keys()
    assert {"status.unknown", "status.unknown.workplan", "country.guessed", "date.not_exist",
            "money.text.note_filled", "rows.more", "excel.error_cell", "pillar.unknown",
            "presence.no_mechanism", "org.did_you_mean", "file.duplicate.same_name",
            "sheet.hidden", "file.unreadable.unexpected"} <= keys
    # the readers' problems (maaor/read) and the in-place edits' (maaor/usecases)
    assert {"file.too_large", "xlsx.far_cell.both", "file.wrong_type.ods", "csv.mixed_encoding",
            "json.nested_value", "header.duplicate", "sheet.kind_unknown.file",
            "legacy.output_unnumbered", "fts.shared_flow", "isolate.too_slow",
            "edit.status", "edit.progress.out_of_range"} <= keys
    assert len(keys) >= 200


#: Catalogue entries that are parts of messages (sub-sentences, words, units), not
#: messages: they have no fix.
_PARTS = re.compile(r"^(org\.did_you_mean|org\.repeats|(word|what|where|reason|unit|isolate|list)\.|"
                    r"xlsx\.(sheet_room|far_cell\.(row|column))$|fts\.(requirement|funding|mine_action_read"
                    r"|no_mine_action|shared_flow\.item)|rows\.totals\.item$)")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_problem_code_lacks_a_message_or_a_fix(lang):
    entries = catalogue(lang)
    missing = []
    for key in sorted(problem_keys()):
        has_message = f"problem.{key}" in entries or f"problem.{key}.other" in entries
        if not has_message:
            missing.append(f"problem.{key}")
        if not _PARTS.match(key) and f"problem.{key}.fix" not in entries:
            missing.append(f"problem.{key}.fix")
    assert missing == []


def test_every_problem_entry_has_both_languages_and_is_used():
    en, fr = catalogue("en"), catalogue("fr")
    problem_entries = {k for k in en if k.startswith("problem.")}
    assert problem_entries == {k for k in fr if k.startswith("problem.")}
    assert sorted(problem_entries - catalogue_problem_keys()) == []


_SENTENCE = re.compile(r"[A-Za-z]{2,}[ '][A-Za-z]{2,} [A-Za-z]{2,}")


def _english_in(node: ast.AST) -> list[str]:
    """English words written in the code of a problem call's arguments: a string with
    three words or more, or an f-string with two words of text."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            text = " ".join(v.value for v in sub.values
                            if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text):
                found.append(ast.unparse(sub))
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) \
                and _SENTENCE.search(sub.value):
            found.append(sub.value)
    return found


def problem_code_written_in_english(paths=PROBLEM_CODE) -> list[str]:
    """Where the package builds a problem from English written in the code: a
    ``Problem(...)`` built outside :mod:`maaor.problems` (its message and fix are
    literal text), a ``message=`` or ``fix=`` argument, or English text among the
    arguments of a problem constructor (instead of a catalogue key and parameters)."""
    found = []
    for path in paths:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        where = Path(path).as_posix().removeprefix(ROOT.as_posix() + "/")
        calls = {*_CALLS, *_forwarders(tree)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name == "Problem" and where != "maaor/problems.py":
                found.append(f"{where}:{node.lineno} Problem(...)")
            if name not in calls and name != "Problem":
                continue
            if any(kw.arg in ("message", "fix") for kw in node.keywords):
                found.append(f"{where}:{node.lineno} message=/fix=")
            for arg in [*node.args, *(kw.value for kw in node.keywords)]:
                found += [f"{where}:{node.lineno} {text!r}" for text in _english_in(arg)]
    return found


def test_no_problem_is_built_from_english_written_in_the_code():
    assert problem_code_written_in_english() == []


def test_the_english_scan_finds_literal_messages(tmp_path):
    module = tmp_path / "reader.py"
    module.write_text(
        "from maaor.problems import Problem, problem\n"
        "def a(name):\n"
        "    return Problem('error', 'x.y', f'Sheet {name} is empty.', 'Fill it in.')\n"
        "def b(source, code, message):\n"
        "    return problem('error', code, {'what': message})\n"
        "def c(source):\n"
        "    return b(source, 'x.y', 'the file is not a workbook')\n"
        "def d(source):\n"
        "    return problem('note', 'x.z', {'n': {'number': 3}, 'more': ', ...'})\n",
        encoding="utf-8")
    found = problem_code_written_in_english([module])
    assert len([f for f in found if ":3 " in f]) >= 2  # the constructor and its f-string
    assert any(":7 " in f and "not a workbook" in f for f in found)  # through a forwarder
    assert not [f for f in found if ":9 " in f]  # parameters and separators are not English


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
