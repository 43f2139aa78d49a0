"""Security checks that need no server: code greps, shipped configuration, git, exports.

* No HTML from data: ``st.html`` / ``unsafe_allow_html`` only with a fixed literal of
  the code (the presenter page's style sheet), no components.
* Every text Streamlit renders as Markdown (``st.markdown``, captions, titles, alerts,
  widget labels and help, expander and tab titles, metric labels, radio/pills/segmented
  options) is built from catalogue text, numbers, or data passed through ``md_escape``
  (checked on the syntax tree of app.py, pages/ and maaor/).
* The shipped ``.streamlit/config.toml`` hides tracebacks, switches Streamlit's own
  dataframe export off, keeps XSRF and CORS protection on.
* ``.streamlit/secrets.toml`` is ignored by git and not tracked.
* Every export in ``maaor/export/`` neutralises formula payloads in every cell.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from maaor.dataset import TABLE_COLUMNS, TABLES, Dataset, DatasetMeta, empty_table
from maaor.export.annotated import annotated_workbook
from maaor.export.tables import csv_bytes, xlsx_bytes
from maaor.export.versions import files_zip, tables_workbook
from maaor.problems import Problem
from maaor.sources import Source
from maaor.ui.safe import md_escape
from tests import security_payloads as P
from tests.paths import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"


def code_files() -> list[Path]:
    """Every Python file the app runs: app.py, pages/, maaor/."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
            *sorted((ROOT / "maaor").rglob("*.py"))]


# ------------------------------------------------------------------- no raw HTML


def _constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to a plain string literal (no f-string, no data)."""
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def raw_html_with_data(paths: list[Path] | None = None) -> list[str]:
    """Every ``st.html`` / ``unsafe_allow_html`` / component whose HTML is not a literal."""
    found = []
    for path in paths if paths is not None else code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literal = _constants(tree)

        def fixed(arg: ast.expr, literal=literal) -> bool:
            return isinstance(arg, ast.Constant) or (isinstance(arg, ast.Name)
                                                      and arg.id in literal)

        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if _name_of(node.func) == "html" and not all(fixed(a) for a in node.args):
                    found.append(f"{path.name}:{node.lineno} .html with non-literal HTML")
                if any(k.arg == "unsafe_allow_html" for k in node.keywords) and not all(
                        fixed(a) for a in node.args):
                    found.append(f"{path.name}:{node.lineno} unsafe_allow_html with data")
            if isinstance(node, ast.Attribute) and node.attr == "components":
                found.append(f"{path.name}:{node.lineno} components")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "streamlit.components"):
                found.append(f"{path.name}:{node.lineno} streamlit.components")
    return found


def test_no_raw_html_from_data_anywhere_in_the_app():
    """HTML only as a fixed literal of the code (a style sheet), never built from data."""
    assert raw_html_with_data() == []


def test_the_html_checker_flags_html_built_from_data(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('CSS = "<style></style>"\nst.html(CSS)\nst.html(f"<b>{name}</b>")\n'
                   'st.markdown(x, unsafe_allow_html=True)\n')
    assert raw_html_with_data([bad]) == ["bad.py:3 .html with non-literal HTML",
                                         "bad.py:4 unsafe_allow_html with data"]


# ----------------------------------------------------------- Markdown with data

# Streamlit calls whose label / body is rendered as Markdown.
MARKDOWN_CALLS = {
    "markdown", "caption", "title", "header", "subheader", "write", "info", "warning",
    "error", "success", "toast", "expander", "metric", "button", "download_button",
    "page_link", "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input",
    "text_area", "number_input", "date_input", "file_uploader", "segmented_control", "pills",
    "form_submit_button", "slider", "select_slider", "link_button", "popover", "status",
}
# Calls whose options (format_func results) are rendered as Markdown too.
MARKDOWN_OPTIONS = {"radio", "segmented_control", "pills"}
# Calls that return text safe inside Markdown: escaped data, numbers, formatted numbers.
# ``label`` is ``vocab.label`` (the bundled vocabulary's words for a code).
SAFE_CALLS = {"md_escape", "len", "int", "round", "max", "min", "float", "fmt_number",
              "fmt_money", "fmt_percent", "fmt_date", "version_text", "note", "country_name",
              "label", "max_upload_mb",
              # a refused use case's catalogue message, its fields escaped (ui/coordinator.py)
              "refused_text",
              # catalogue sentences with country names and numbers (maaor/diff.py)
              "removal_headlines",
              # the presence map's legend: catalogue sentences and the data note (ui/page.py)
              "map_legend",
              # a whole table's catalogue name (ui/page.py: its source's, or "Flags")
              "_full_table_label"}
# Names (variables, attributes) that hold numbers, version ids, or catalogue text, never
# text from data. Each was read in the code it names.
SAFE_NAMES = {
    "lang", "version", "errors", "warnings", "n", "saved", "current", "to_version",
    "based_on", "kind", "limit_mb", "rows_read", "rows_loaded", "base_version", "wait",
    "minutes", "pin", "number", "year", "size", "v", "c", "code", "name_key", "icon",
    "title_key", "path", "label_key", "key", "rest", "hash_problem", "limit",
    "MAX_COUNTRIES_CHARTED", "pinned",
    # coordinator.render_problems: a module constant (int); page._held_version: an int
    # version id (checked isinstance int before use).
    "GROUPS_SHOWN", "held",
    # coordinator.section_changes: ", ".join of catalogue names of the kept tables.
    "names",
}
# Wrappers in maaor/ui/widgets.py pass their ``label``/``help`` parameters on; their
# callers are checked instead (WRAPPERS: function -> index of the label argument).
WRAPPER_PARAMS = {"label", "help"}
WRAPPERS = {"url_selectbox": 3}
# Subscripted names holding headline numbers computed by maaor.figures.
SAFE_SUBSCRIPTS = {"head"}


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _safe(node: ast.expr | None) -> bool:
    """True when ``node`` cannot carry unescaped text from data (see module docstring)."""
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _safe(node.elt)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_safe(e) for e in node.elts)
    if isinstance(node, ast.Lambda):
        return _safe(node.body)
    if isinstance(node, ast.Attribute) and _name_of(node.value) == "LANGUAGE_NAMES":
        return True  # the language names ("English", "Français")
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _name_of(node) in SAFE_NAMES
    if isinstance(node, ast.Subscript):
        return _name_of(node.value) in SAFE_SUBSCRIPTS
    if isinstance(node, ast.Call):
        name = _name_of(node.func)
        if name in SAFE_CALLS:
            return True
        if name == "t":  # catalogue text: the key may be built, the values must be safe
            return all(_safe(k.value) for k in node.keywords)
        if name == "t_count":  # the same, with the count and language before the values
            return all(_safe(a) for a in node.args[1:]) and all(_safe(k.value)
                                                                  for k in node.keywords)
        if name == "join" and isinstance(node.func, ast.Attribute):
            return _safe(node.func.value) and all(_safe(a) for a in node.args)
        if name == "get" and _name_of(node.func.value) in ("LANGUAGE_NAMES",):
            return True
    return False


def markdown_with_data() -> list[str]:
    """Every Markdown-rendering Streamlit call whose text may come from data unescaped."""
    found = []
    for path in code_files():
        rel = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name_of(node.func)
            if name in WRAPPERS and len(node.args) > WRAPPERS[name]:
                text = node.args[WRAPPERS[name]]
                if not _safe(text):
                    found.append(f"{rel}:{text.lineno} {name}: {ast.unparse(text)[:90]}")
            # Streamlit calls only: st.x, st.sidebar.x, a column/container .x (not str
            # methods such as "".title()).
            if name not in MARKDOWN_CALLS or not isinstance(node.func, ast.Attribute):
                continue
            if name == "title" and not node.args:
                continue
            texts = [node.args[0]] if node.args else []
            texts += [k.value for k in node.keywords if k.arg in ("label", "body", "help")]
            if name == "write":
                if _name_of(node.func.value) != "st":  # a file's or a pipe's write()
                    continue
                texts = list(node.args)
            if rel.as_posix() == "maaor/ui/widgets.py":
                texts = [x for x in texts
                         if not (isinstance(x, ast.Name) and x.id in WRAPPER_PARAMS)]
            if name in MARKDOWN_OPTIONS:
                texts += [k.value for k in node.keywords if k.arg == "format_func"]
            for text in texts:
                if not _safe(text):
                    found.append(f"{rel}:{text.lineno} st.{name}: {ast.unparse(text)[:90]}")
    return found


def test_markdown_is_built_from_catalogue_text_or_escaped_data():
    assert markdown_with_data() == []


def test_tabs_titles_are_catalogue_text():
    found = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name_of(node.func) == "tabs" and node.args:
                if not _safe(node.args[0]):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_the_checker_flags_data_in_markdown():
    """The syntax check above must be able to fail: data straight into st.markdown."""
    bad = ast.parse('st.markdown("**" + row.org + "**")').body[0].value
    good = ast.parse('st.markdown("**" + md_escape(row.org) + "**")').body[0].value
    assert not _safe(bad.args[0]) and _safe(good.args[0])
    assert not _safe(ast.parse('t("k", lang, org=row.org)').body[0].value)
    assert not _safe(ast.parse('t_count("k", n, lang, file=up.name)').body[0].value)
    assert _safe(ast.parse('t_count("k", len(x), lang, file=md_escape(up.name))').body[0].value)


@pytest.mark.parametrize("payload", P.MARKUP)
def test_md_escape_leaves_no_markup(payload):
    out = md_escape(payload)
    for char in "<>[]()!:`*_#":
        assert char not in out.replace("\\" + char, "")


# ------------------------------------------------------------ shipped configuration


def shipped_config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_tracebacks_are_hidden_and_data_export_is_off():
    cfg = shipped_config()
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["disableDataExport"] is True
    assert cfg["client"]["showErrorLinks"] is False


def test_server_keeps_xsrf_and_cors_protection_and_serves_no_static_files():
    server = shipped_config()["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert server["enableStaticServing"] is False
    assert server["enableAgentApi"] is False


def test_upload_endpoint_limit_is_the_coordinator_limit():
    from maaor.usecases.upload import DEFAULT_MAX_UPLOAD_MB

    assert shipped_config()["server"]["maxUploadSize"] == DEFAULT_MAX_UPLOAD_MB <= 25


def test_config_keys_exist_in_this_streamlit():
    """A misspelt key is silently ignored by Streamlit: every shipped key must be known."""
    from streamlit import config as st_config

    known = set(st_config._config_options_template)
    for section, values in shipped_config().items():
        for key in values:
            assert f"{section}.{key}" in known, f"{section}.{key}"


def test_streamlit_reads_the_shipped_security_settings():
    """Streamlit itself parses the shipped file to the expected values."""
    code = (
        "import streamlit.config as c; c.get_config_options(force_reparse=True);"
        "print(c.get_option('client.showErrorDetails'), c.get_option('client.disableDataExport'),"
        " c.get_option('server.enableXsrfProtection'), c.get_option('server.enableCORS'))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.split() == ["none", "True", "True", "True"]


# ------------------------------------------------------------------ secrets and git


def test_secrets_file_is_ignored_and_not_tracked():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "--", ".streamlit"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert ".streamlit/secrets.toml" not in tracked
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", ".streamlit/secrets.toml"],
                             cwd=ROOT)
    assert ignored.returncode == 0
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().split()


# ------------------------------------------------------------------------ exports


def _text_cells_of_xlsx(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += [v for v in row if isinstance(v, str)]
    return cells


def _xlsx_formulas(data: bytes) -> list[str]:
    """Cells stored as formulas (openpyxl data_type "f")."""
    book = load_workbook(io.BytesIO(data))
    return [c.coordinate for s in book.worksheets for r in s.iter_rows() for c in r
            if c.data_type == "f"]


def assert_neutral(cells: list[str]) -> None:
    risky = [c[:30] for c in cells if c.startswith(P.FORMULA_PREFIXES)]
    assert risky == []


def payload_frame() -> pd.DataFrame:
    return pd.DataFrame({
        **{f"c{i}": pd.Series([p, "ok"], dtype="str") for i, p in enumerate(P.FORMULAS)},
        "mixed": pd.Series([P.FORMULAS[0], 3], dtype=object),
        "amount": [-5.0, 1.0],
        P.FORMULAS[0]: ["header payload", "x"],
    })


def test_csv_download_neutralises_every_payload():
    import csv

    text = csv_bytes(payload_frame(), kind="workplan", hxl=True).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [c for row in rows for c in row]
    assert_neutral([c for c in cells if c != "-5.0"])  # a negative number stays a number
    for payload in P.FORMULAS:
        assert "'" + payload in cells
    assert "-5.0" in cells


def test_xlsx_download_neutralises_every_payload():
    data = xlsx_bytes(payload_frame(), sheet_name="=bad", about={"=label": "+1+1"})
    cells = _text_cells_of_xlsx(data)
    assert_neutral(cells)
    assert _xlsx_formulas(data) == []
    for payload in P.FORMULAS:
        assert "'" + payload.replace("\r", "") in [c.replace("\r", "") for c in cells]


def hostile_dataset() -> Dataset:
    """Every text column of every table holds every formula payload."""
    tables = {}
    for name in TABLES:
        cols = TABLE_COLUMNS[name]
        frame = empty_table(name)
        rows = {c: [P.FORMULAS[i % len(P.FORMULAS)] if dtype == "str" else None
                    for i in range(len(P.FORMULAS))] for c, dtype in cols.items()}
        tables[name] = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).astype(
            {c: d for c, d in cols.items() if d != "datetime64[ns]"})
    return Dataset(tables, DatasetMeta())


def test_version_tables_workbook_neutralises_every_payload():
    data = tables_workbook(hostile_dataset(), about={"@label": "=1+1"})
    cells = _text_cells_of_xlsx(data)
    assert_neutral(cells)
    assert _xlsx_formulas(data) == []
    assert sum(c == "'" + P.FORMULAS[0] for c in cells) >= len(TABLES)


def test_version_files_zip_keeps_uploads_verbatim_under_safe_names():
    """The original files are the coordinator's own uploads: kept byte for byte (not a
    table the app wrote), under names that cannot leave the archive's folder."""
    payload = b"=cmd|' /C calc'!A0\r\n"
    data = files_zip([("../../=evil.csv", payload), ("..\\x.csv", b"a")])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["=evil.csv", "x.csv"]
        assert zf.read("=evil.csv") == payload


def _csv_source(text: str) -> Source:
    return Source(name="hostile.csv", data=text.encode("utf-8"))


def test_annotated_workbook_of_a_csv_neutralises_rows_and_problems():
    lines = ["organisation,country"] + [f"\"{p}\",AFG" for p in P.FORMULAS]
    source = _csv_source("\n".join(lines) + "\n")
    problems = [Problem(severity="error", code="x", message="=bad message", fix="+fix",
                        file="hostile.csv", sheet=None, row=2, column="organisation",
                        value=P.FORMULAS[0])]
    data = annotated_workbook(source, problems)
    cells = _text_cells_of_xlsx(data)
    assert_neutral(cells)
    assert _xlsx_formulas(data) == []
    assert "'" + P.FORMULAS[0] in cells and "'=bad message" in cells


def _bundled_slides():
    import datetime as dt

    from maaor.bundled import load_default
    from maaor.filters import Filters
    from maaor.slides import slide_deck

    ds = load_default().dataset.without_sensitive()
    return ds, slide_deck(ds, Filters(), dt.date(2019, 6, 30), "en")


def test_briefing_pptx_chart_workbooks_hold_no_formula():
    """PowerPoint charts embed their data as a workbook ("Edit data" opens it in Excel)."""
    from dataclasses import replace

    from pptx import Presentation

    from maaor.export.pptx import briefing_pptx
    from maaor.slides import ChartSeries

    ds, slides = _bundled_slides()
    charted = [s for s in slides if s.chart.kind == "bar"]
    assert charted
    hostile = [replace(s, chart=replace(
        s.chart, categories=tuple(P.FORMULAS[i % len(P.FORMULAS)]
                                  for i in range(len(s.chart.categories))),
        series=tuple(replace(x, name=P.FORMULAS[0]) if isinstance(x, ChartSeries) else x
                     for x in s.chart.series)))
        if s.chart.kind == "bar" else s for s in slides]
    data = briefing_pptx(hostile, ds.meta, P.FORMULAS[0], None, "en")
    deck = Presentation(io.BytesIO(data))
    books = [shape.chart.part.chart_workbook.xlsx_part.blob
             for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(books) == len(charted)
    for blob in books:
        assert _xlsx_formulas(blob) == []
        assert_neutral(_text_cells_of_xlsx(blob))


def test_briefing_data_pack_neutralises_every_payload():
    from dataclasses import replace

    from maaor.export.datapack import datapack_xlsx

    _, slides = _bundled_slides()
    hostile = []
    for s in slides:
        table = s.table.copy()
        for col in table.columns:
            if pd.api.types.is_string_dtype(table[col].dtype) or table[col].dtype == object:
                table[col] = [P.FORMULAS[i % len(P.FORMULAS)] for i in range(len(table))]
        hostile.append(replace(s, table=table, title=P.FORMULAS[1], message=P.FORMULAS[3]))
    data = datapack_xlsx(hostile)
    cells = _text_cells_of_xlsx(data)
    assert_neutral(cells)
    assert _xlsx_formulas(data) == []
    assert "'" + P.FORMULAS[1] in cells


@pytest.mark.parametrize("text,pattern", [
    ("see https://example.org/p.png", "https://"),
    ("![](https://example.org/p.png)", "https://"),
    ("HTTP://EXAMPLE.ORG", "HTTP://"),
    ("_https://example.org", "https://"),
    ("www.example.org", "www."),
    ("mail me@example.org", "me@"),
])
def test_md_escape_breaks_bare_urls_and_addresses(text, pattern):
    """GFM links bare URLs and e-mail addresses even when their punctuation is escaped."""
    out = md_escape(text)
    unescaped = re.sub(r"\\(.)", r"\1", out)
    assert pattern not in unescaped
    assert unescaped.replace("\u2060", "") == text


def test_deck_text_keeps_deck_gl_expressions_plain():
    from maaor.maps import admin1_points, deck_text

    assert deck_text(P.DECK_FUNCTION) == "\u2060" + P.DECK_FUNCTION
    assert deck_text("Kabul") == "Kabul"
    rows = pd.DataFrame({"country_iso3": ["AFG"], "admin1": [P.DECK_CONSTANT], "lat": [34.5],
                         "lon": [69.2], "organisations": [1], "org_list": [P.DECK_FUNCTION],
                         "pillar_list": [pd.NA]})
    tip = admin1_points(rows, "en")[0]["tip"]
    assert not tip.startswith("@@") and tip.lstrip("\u2060").startswith(P.DECK_CONSTANT)
