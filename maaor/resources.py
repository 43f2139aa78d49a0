"""Where the files the app needs beside the ``maaor`` package live.

The client's layout keeps ``app.py``, ``pages/``, ``data/`` and ``.streamlit/config.toml``
at the top of the checkout. An installed wheel carries copies of them in
``maaor/_app/`` (pyproject.toml, ``force-include``), so ``maaor serve`` and the bundled
data work from any directory. :data:`APP_ROOT` is whichever of the two holds ``app.py``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_APP = PACKAGE_DIR / "_app"
# An installed wheel has maaor/_app/app.py; a checkout has app.py beside maaor/.
INSTALLED = (_INSTALLED_APP / "app.py").is_file()
APP_ROOT = _INSTALLED_APP if INSTALLED else PACKAGE_DIR.parent


def app_script() -> Path:
    """Return the dashboard's main script (``app.py``)."""
    return APP_ROOT / "app.py"


def bundled_data_dir() -> Path:
    """Return the folder of the bundled data (``data/``: manifest, work plan, boundaries)."""
    return APP_ROOT / "data"


def streamlit_config() -> Path:
    """Return the project's Streamlit configuration (``.streamlit/config.toml``)."""
    return APP_ROOT / ".streamlit" / "config.toml"
