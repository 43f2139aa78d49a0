"""The code base stays lint-clean (ruff, configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def test_ruff_reports_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is pinned in requirements-dev.txt"
    proc = subprocess.run([ruff, "check", "--quiet", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_data_layer_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "maaor").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "maaor").parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "import streamlit" in text or "from streamlit" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_pages_hold_no_pandas_logic():
    import re

    pattern = re.compile(r"\.(groupby|merge|pivot_table|read_excel|read_csv)\(")
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    offenders = [str(p.relative_to(ROOT)) for p in files if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


# ------------------------------------------------------------------ layering

def _imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Modules a Python file imports at run time (``import a.b``, ``from a.b import c``,
    also inside functions). Imports under ``if TYPE_CHECKING:`` are names for type
    annotations only, never executed, and are not counted."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # ``from ..store import x`` inside maaor/ui/: maaor.store
                parts = list(path.relative_to(ROOT).with_suffix("").parts)[:-node.level]
                module = ".".join([*parts, *([module] if module else [])])
            found.add(module)
            # ``from maaor import store`` imports the package maaor.store.
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def _importers(package: str, files) -> list[str]:
    """The files (relative to the checkout where they are in it) importing ``package``."""
    return sorted(
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else p.name for p in files
        if any(m == package or m.startswith(package + ".") for m in _imported_modules(p))
    )


def _python_files(*parts: str) -> list[Path]:
    return sorted(p for p in ROOT.joinpath(*parts).rglob("*.py") if ".venv" not in p.parts)


def test_pages_and_cli_never_import_the_store():
    """Pages and the CLI go through the use cases (maaor/usecases/) or the read-only
    maaor.service; only those reach the store."""
    files = [ROOT / "app.py", *_python_files("pages"), ROOT / "maaor" / "cli.py",
             ROOT / "maaor" / "__main__.py"]
    assert _importers("maaor.store", files) == []


def test_only_the_loader_and_the_use_cases_import_read():
    """Untrusted bytes are read in one place: maaor/read/, reached through the loader
    (maaor/load.py) and the use cases (maaor/usecases/) only."""
    allowed = {ROOT / "maaor" / "load.py", *_python_files("maaor", "usecases"),
               *_python_files("maaor", "read")}
    files = [ROOT / "app.py", *_python_files("pages"), *_python_files("maaor")]
    assert _importers("maaor.read", [p for p in files if p not in allowed]) == []


def test_only_ui_pages_and_app_import_streamlit():
    files = [p for p in _python_files("maaor") if "ui" not in p.relative_to(ROOT / "maaor").parts]
    assert _importers("streamlit", files) == []


def test_the_import_checks_can_fail(tmp_path):
    """The checks above see imports in every form (package, module, inside a function)
    and skip type-only ones."""
    store = tmp_path / "store_user.py"
    store.write_text("from maaor import store\n", encoding="utf-8")
    read = tmp_path / "read_user.py"
    read.write_text("def f():\n    from maaor.read.types import Source\n", encoding="utf-8")
    st = tmp_path / "st_user.py"
    st.write_text("import streamlit.components.v1 as components\n", encoding="utf-8")
    relative = ROOT / "maaor" / "ui" / "relative.py"  # its source is given, not read
    assert "maaor.store" in _imported_modules(relative, "from ..store import Store\n")
    typed = tmp_path / "typed.py"
    typed.write_text("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from maaor.read.types import MappedSheet\n",
                     encoding="utf-8")
    files = [store, read, st, typed]
    assert _importers("maaor.store", files) == ["store_user.py"]
    assert _importers("maaor.read", files) == ["read_user.py"]
    assert _importers("streamlit", files) == ["st_user.py"]
