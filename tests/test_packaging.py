"""What a non-editable install ships: themes, demo pages and the app's stylesheet."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_themes_demo_pages_and_stylesheet(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps",
         "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    wheel = next(tmp_path.glob("reader-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    themes = {n for n in names if n.startswith("reader/themes/") and n.endswith(".toml")}
    assert {Path(n).stem for n in themes} >= {"reader-dark", "reader-light", "newsprint"}
    assert len(themes) == len(list((ROOT / "themes").glob("*.toml")))
    assert len([n for n in names if n.startswith("reader/demo/pages/")]) >= 12
    assert "reader/app/reader.tcss" in names
