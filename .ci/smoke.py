"""What a newcomer does first, with the installed ``reader`` and nothing else.

Run by ``.ci/run`` right after ``pip install .`` in a fresh venv (the venv's own pip,
not upgraded), from a folder outside the checkout, so only the install is tried:

1. ``reader --version``;
2. ``reader`` on an empty home, in a real terminal (tmux), until the demo's first
   story is painted in the list and its body in the article pane; ``q`` quits;
3. ``reader ingest`` of an HTML page, whose stored body must hold its article;
4. ``reader feed add`` of a local feed file, ``reader refresh``, ``reader list
   --json`` and ``reader search``.

Standard library only: the test extras are not installed yet. Exits 1 at the first
step that fails, saying which and why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


class SmokeFailed(Exception):
    """A step of the smoke test failed; the message says which and why."""


def reader(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("reader")
    if command is None:
        raise SmokeFailed("no 'reader' command on PATH after pip install")
    result = subprocess.run(
        [command, "--home", str(home), *args], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise SmokeFailed(
            f"reader {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}"
        )
    return result


def check_version(home: Path) -> str:
    out = reader(home, "--version").stdout.strip()
    if not out.startswith("reader "):
        raise SmokeFailed(f"reader --version printed {out!r}")
    return out


def check_app_paints_first_story(home: Path) -> str:
    """The app on an empty home, in tmux, until the first demo story is painted."""
    tmux = shutil.which("tmux")
    if tmux is None:
        raise SmokeFailed("tmux is not installed (.ci/run installs it)")
    command = shutil.which("reader")
    session = f"reader-smoke-{int(time.time() * 1000)}"
    subprocess.run(
        [tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
         f"{command} --home {home}"],
        check=True,
    )  # fmt: skip
    wanted = ("All stories (14)", "Early Heatwave Expected", "Forecasters have issued an amber")
    screen = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            screen = subprocess.run(
                [tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if all(text in screen for text in wanted):
                break
            time.sleep(0.2)
        else:
            raise SmokeFailed(f"the app never painted its first story; the screen:\n{screen}")
        subprocess.run([tmux, "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            alive = subprocess.run([tmux, "has-session", "-t", session], capture_output=True)
            if alive.returncode != 0:
                return "the app painted the first demo story and quit on q"
            time.sleep(0.2)
        raise SmokeFailed("the app did not quit on q")
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], capture_output=True)


def check_html_ingest(home: Path) -> str:
    page = FIXTURES / "html" / "extract-news.html"
    out = reader(home, "ingest", str(page)).stdout
    if "ingested 1" not in out:
        raise SmokeFailed(f"reader ingest {page.name} printed {out.strip()!r}")
    (story,) = json.loads(reader(home, "list", "--json").stdout)
    body = json.loads(reader(home, "show", story["id"], "--json").stdout)["body"]
    if "The keepers' cottage at Gull Point" not in body:
        raise SmokeFailed(f"the ingested page's body lacks its article: {body[:200]!r}")
    return f"an HTML page was ingested with its article ({len(body)} characters)"


def check_feed(home: Path) -> str:
    feed = FIXTURES / "feeds" / "harbour.rss"
    reader(home, "feed", "add", str(feed))
    reader(home, "refresh")
    titles = [story["title"] for story in json.loads(reader(home, "list", "--json").stdout)]
    if "Night market returns" not in titles:
        raise SmokeFailed(f"the feed's stories are not listed: {titles}")
    found = json.loads(reader(home, "search", "night market", "--json").stdout)
    if [story["title"] for story in found][:1] != ["Night market returns"]:
        raise SmokeFailed(f"reader search 'night market' found {found}")
    return f"a feed was added and refreshed ({len(titles)} stories listed, search works)"


def main() -> int:
    steps = [check_version, check_app_paints_first_story, check_html_ingest, check_feed]
    with tempfile.TemporaryDirectory(prefix="reader-smoke-") as tmp:
        for number, step in enumerate(steps, 1):
            home = Path(tmp) / f"home{number}"
            try:
                print(f"smoke: ok: {step(home)}", flush=True)
            except (SmokeFailed, subprocess.SubprocessError, OSError, ValueError) as exc:
                print(f"smoke: FAILED at {step.__name__}: {exc}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
