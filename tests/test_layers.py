"""The layers hold: pyproject.toml's import contract, and only ``reader/app/`` imports
Textual (the data layer works without it)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import reader

PACKAGE = Path(reader.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_layer_contract_holds() -> None:
    """``lint-imports`` (import-linter) checks the layers of docs/architecture.md."""
    lint = Path(sys.executable).with_name("lint-imports")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr


def test_no_module_outside_the_app_imports_textual() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "app" not in path.relative_to(PACKAGE).parts[:1] and {"textual", "rich"} & _imports(path)
    ]
    assert offenders == []


def test_command_line_and_data_layer_load_without_textual() -> None:
    code = (
        "import sys, reader.cli, reader.store, reader.ingest.pipeline, reader.demo;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_starts_without_the_extraction_stack(tmp_path) -> None:  # noqa: ANN001
    code = f"""
import asyncio, sys
from reader.app.app import ReaderApp
from reader.base.paths import resolve_paths

async def main():
    app = ReaderApp(resolve_paths({str(tmp_path / "home")!r}))
    async with app.run_test() as pilot:
        while app.reading.story is None:
            await pilot.pause(0.05)
asyncio.run(main())
heavy = ("trafilatura", "lxml", "urllib3", "html2text", "charset_normalizer")
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_store_reads_a_feed_item_without_converting_it(tmp_path) -> None:  # noqa: ANN001
    """HTML becomes Markdown in the render path (``story_markdown``), not in the store."""
    code = f"""
import sys
from reader.base.fragments import story_markdown
from reader.base.models import Page
from reader.base.paths import resolve_paths
from reader.store import Store

with Store(resolve_paths({str(tmp_path / "home")!r})) as store:
    item = Page(title="Tide gauge", body="Replaced.", body_html="<p>Replaced <em>now</em>.</p>")
    store.save_pages([("https://harbour.example/tide", "h", item)])
    story = store.get(store.list_stories()[0].id)
print("html2text" in sys.modules, story.body, story_markdown(story))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False Replaced. Replaced *now*."


def test_the_architecture_page_shows_the_contract_s_layers() -> None:
    """docs/architecture.md draws the layers of pyproject.toml's contract, in order."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = [re.findall(r"reader\.\w+", line) for line in page.split("```")[1].strip().splitlines()]
    assert drawn == [re.findall(r"reader\.\w+", layer) for layer in layers["layers"]]
