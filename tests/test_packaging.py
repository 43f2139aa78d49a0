"""The package is installable: pyproject.toml names a build backend, the same exact pins
as requirements.txt, the console script, and ships what the app needs beside maaor/."""

from __future__ import annotations

import json
import re
import tomllib

from maaor import resources
from maaor.serve import serve_command, serve_environment
from tests.paths import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(lines) -> dict[str, str]:
    """name (normalised, extras dropped) -> the whole requirement."""
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.split(r"[\[=<>~! ]", line, maxsplit=1)[0]
        out[re.sub(r"[-_.]+", "-", name).lower()] = line
    return out


def test_runtime_dependencies_are_the_pinned_requirements():
    declared = _pins(PYPROJECT["project"]["dependencies"])
    pinned = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert declared == pinned
    assert all("==" in req for req in declared.values()), "exact pins only"


def test_build_backend_and_console_script():
    assert PYPROJECT["build-system"]["build-backend"] == "hatchling.build"
    assert all("==" in r for r in PYPROJECT["build-system"]["requires"])
    assert PYPROJECT["project"]["scripts"] == {"maaor": "maaor.cli:main"}


def test_wheel_carries_the_app_and_every_bundled_file():
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    shipped = wheel["force-include"]
    for source, target in shipped.items():
        assert (ROOT / source).exists(), source
        assert target == "maaor/_app/" + source
    for required in ("app.py", "pages", ".streamlit/config.toml", "data/manifest.json",
                     "data/geo/countries-110m.geojson"):
        assert required in shipped
    # Every boundary or gazetteer file is read by the installed app (maps, admin-1
    # placement and shading): a new one must be shipped too.
    for data_file in sorted((ROOT / "data" / "geo").glob("*")):
        if data_file.suffix in (".geojson", ".csv", ".md"):
            assert f"data/geo/{data_file.name}" in shipped, data_file.name
    manifest = json.loads((ROOT / "data" / "manifest.json").read_text(encoding="utf-8"))
    for path in [f["path"] for f in manifest["files"]] + manifest["default"]:
        assert any(path == s or path.startswith(s + "/") for s in shipped), path


def test_checkout_resources_are_the_top_level_files():
    assert resources.INSTALLED is False
    assert resources.APP_ROOT == ROOT
    assert resources.app_script() == ROOT / "app.py"
    assert resources.streamlit_config().is_file()
    assert (resources.bundled_data_dir() / "manifest.json").is_file()


def test_serve_runs_app_py_with_the_project_configuration():
    cmd = serve_command(port=8600, address="127.0.0.1", max_upload_mb=3,
                        streamlit_args=["--server.runOnSave", "false"])
    # Streamlit's own `streamlit run`, through the module that adds the security headers.
    assert cmd[1:5] == ["-m", "maaor.ui.webserver", "run", str(ROOT / "app.py")]
    joined = " ".join(cmd)
    assert "--server.port 8600" in joined and "--server.address 127.0.0.1" in joined
    assert "--server.maxUploadSize 3" in joined and cmd[-2:] == ["--server.runOnSave", "false"]
    # Streamlit reads .streamlit/config.toml beside the main script, from any directory.
    assert (resources.app_script().parent / ".streamlit" / "config.toml").is_file()
    assert serve_environment("viewer", {})["MAAOR_MODE"] == "viewer"
    assert "MAAOR_MODE" not in serve_environment(None, {})
