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
