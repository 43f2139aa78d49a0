"""The README tells the truth about the tree: every path it names exists."""

from __future__ import annotations

import re

from tests.paths import ROOT

TOP = ("maaor", "tests", "pages", "data", "deploy", "bench", ".ci", ".streamlit")
# A path under one of the top-level folders, or a top-level file (app.py, requirements...).
PATH = re.compile(
    r"(?<![\w./-])((?:" + "|".join(re.escape(t) for t in TOP) + r")/[\w./<>*-]*"
    r"|app\.py|requirements(?:-dev)?\.txt)(?:::(\w+))?"
)
# Named on purpose although absent from a checkout.
ABSENT_BY_DESIGN = {
    ".streamlit/secrets.toml",  # git-ignored: each deployment writes its own
    "maaor/_app/",  # made inside the wheel by the build (pyproject.toml), not in the checkout
}


def readme_paths() -> dict[str, str | None]:
    """Every path the README names -> the test function it names after ``::`` (or None).
    Templates (``pages/N_Name.py``, ``maaor/figures/<topic>.py``, globs) are left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, str | None] = {}
    for match in PATH.finditer(text):
        path, test = match.group(1).rstrip(".,"), match.group(2)
        if any(c in path for c in "<>*") or re.search(r"/N_Name\.py$", path):
            continue
        found[path] = test or found.get(path)
    return found


def test_every_path_the_readme_names_exists():
    paths = readme_paths()
    assert len(paths) > 40  # the check reads the README's paths at all
    missing = sorted(p for p in paths if p not in ABSENT_BY_DESIGN and not (ROOT / p).exists())
    assert missing == []


def test_every_module_the_where_table_lists_exists():
    """Bare file names in a row of "Where things are" live in the row's folder
    (``maaor/read/``: `precheck.py`, ...; ``maaor/ui/``: `registry.py`, ...)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    checked, missing = 0, []
    for row in table.splitlines():
        folders = re.findall(r"`(maaor/[\w/]+/)`", row)
        if len(folders) != 1:
            continue
        for name in re.findall(r"`([\w]+\.(?:py|json|csv))`", row):
            checked += 1
            if not (ROOT / folders[0] / name).exists():
                missing.append(folders[0] + name)
    assert checked >= 15
    assert missing == []


def test_every_test_the_readme_names_exists():
    named = {p: t for p, t in readme_paths().items() if t}
    assert named  # the README names at least one test
    for path, test in named.items():
        assert f"def {test}(" in (ROOT / path).read_text(encoding="utf-8"), (path, test)


def test_the_readme_names_no_store_module_that_does_not_exist():
    # README line 37 once named maaor/store.py; the store is a package.
    assert "maaor/store.py" not in readme_paths()
    assert (ROOT / "maaor" / "store" / "__init__.py").exists()
