"""What a non-editable install ships: every module, theme, demo page and stylesheet.

The wheel is built from this checkout as a user's pip builds it, and compared with
the files in ``reader/`` and ``themes/``: a package or data file that the build
configuration misses fails here, not on a user's machine.
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# What a fresh clone does not have: build leftovers (``build/``, ``*.egg-info``) let a
# wheel built in a working tree hold files that its configuration would miss.
_NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*cache", "*venv*"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    source, out = tmp_path_factory.mktemp("source") / "reader", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, source, symlinks=True, ignore=_NOT_IN_A_CLONE)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, cwd=out,
    )  # fmt: skip
    return zipfile.ZipFile(next(out.glob("reader_tui-*.whl")))


def _shipped_files() -> set[str]:
    """Every file a user's install needs: all of ``reader/`` and ``themes/``."""
    wanted: set[str] = set()
    for folder, prefix in ((ROOT / "reader", "reader"), (ROOT / "themes", "reader/themes")):
        for path in folder.rglob("*"):  # reader/themes (a link) is walked as themes/
            if path.is_relative_to(ROOT / "reader" / "themes"):
                continue
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            wanted.add(f"{prefix}/{path.relative_to(folder).as_posix()}")
    return wanted


def test_wheel_ships_every_module_and_data_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    missing = sorted(_shipped_files() - names)
    assert not missing, f"not in the wheel: {missing}"
    # The parts that were missing once, named so a failure reads clearly.
    for needed in ("reader/feeds/__init__.py", "reader/feeds/refresh.py", "reader/app/reader.tcss"):
        assert needed in names
    assert len([n for n in names if n.startswith("reader/themes/")]) >= 5
    assert len([n for n in names if n.startswith("reader/demo/pages/")]) >= 12


def test_wheel_metadata_names_the_command_and_every_dependency(wheel: zipfile.ZipFile) -> None:
    info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = email.message_from_bytes(wheel.read(info))
    assert metadata["Name"] == "reader-tui"
    from reader import __version__

    assert metadata["Version"] == __version__
    requires = {
        re.match(r"[\w.-]+", r).group().lower()  # type: ignore[union-attr]
        for r in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in r
    }
    # lxml_html_clean: jusText asks for lxml[html_clean], which a fresh venv's pip
    # does not resolve; without it trafilatura fails to import.
    for dependency in ("textual", "feedparser", "html2text", "platformdirs", "trafilatura",
                       "lxml_html_clean"):  # fmt: skip
        assert dependency in requires
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "reader = reader.cli:entry_point" in wheel.read(entry_points).decode()


def _imported_modules() -> set[str]:
    """Top-level names of every module that reader's code imports, at any depth."""
    names: set[str] = set()
    for path in (ROOT / "reader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"reader", "__future__"}


def test_every_imported_library_is_a_declared_dependency() -> None:
    """A library that reader imports but only gets through another one's
    dependencies is one upgrade away from an ImportError on a user's machine. An
    optional library (Pillow, for the pictures) is declared in its extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.match(r"[\w.-]+", r).group().lower().replace("_", "-")  # type: ignore[union-attr]
        for r in [*project["dependencies"], *project["optional-dependencies"]["images"]]
    }
    providers = importlib.metadata.packages_distributions()
    undeclared = {
        module: providers.get(module)
        for module in _imported_modules()
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
