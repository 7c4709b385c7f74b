"""The reading app's speed: startup, next-story latency, memory at 100,000 stories.

    python bench/bench_app.py [--runs 10] [--presses 30]

* Startup, whole process, to the first full screen (list, article, related and
  ranking painted) with 1,000 and 100,000 stories cached, beside a bare Textual app
  that shows one 2,000-word Markdown article: interleaved rounds, each under
  ``script`` for a real terminal. reader exits when ready via READER_EXIT_WHEN_READY.
* ``n`` (next story) to the new article painted, for 2,000- and 20,000-word
  articles whose bodies carry Markdown (emphasis, links): in-process, headless,
  median and 90th percentile over the presses.
* Peak resident memory of the app with 100,000 stories after jumping to the end
  of the list and paging back.

Homes are built once under bench/out/ (ingesting 100,000 generated pages takes a
minute) and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
from gen_pages import generate, generate_long  # noqa: E402


def _reader(*args: str) -> list[str]:
    return [sys.executable, "-m", "reader", *args]


def home_with(name: str, make_pages) -> Path:  # noqa: ANN001
    """A home under bench/out/ with the pages ``make_pages(folder)`` writes, ingested."""
    home = OUT / name
    if (home / "cache" / "stories.sqlite3").exists():
        return home
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        make_pages(pages)
        print(f"building {home} …", flush=True)
        subprocess.run(_reader("--home", str(home), "ingest", str(pages)), check=True)
    return home


def startup(homes: dict[str, Path], runs: int) -> dict[str, list[float]]:
    """Whole-process times, in interleaved rounds (every command once per round)."""
    env_exit = "READER_EXIT_WHEN_READY=1"
    commands = {
        "bare Textual + one Markdown article": f"{sys.executable} {HERE / 'bare_markdown_app.py'}",
        **{
            f"reader, {label} stories": f"env {env_exit} {sys.executable} -m reader --home {home}"
            for label, home in homes.items()
        },
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(runs + 2):  # two warm-up rounds
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(
                ["script", "-qec", command, "/dev/null"],  # a real terminal for the app
                check=True,
                stdout=subprocess.DEVNULL,
            )
            if round_number >= 2:
                times[name].append(time.perf_counter() - start)
    return times


async def next_story_latency(home: Path, presses: int) -> list[float]:
    """Seconds from the ``n`` key event to the frame that shows the new article.

    The key goes in as a real key event; "painted" is the app's first call to its
    display (what writes a frame to the terminal) made while the article view has the
    new story's lines (noted by the display hook itself, so a frame written before the
    bench looks is never missed). Pilot's own waiting is not part of the figure.
    """
    from textual import events

    from reader.app.app import ReaderApp
    from reader.base.config import Config
    from reader.base.paths import resolve_paths

    # every story its own row: once analysed, generated articles alike are copies of one
    app = ReaderApp(resolve_paths(home), Config(collapse_copies=False))
    frames: list[tuple[float, str | None]] = []  # (when, the story the article view had)
    display = app._display
    view = None

    def counting_display(screen, renderable):  # noqa: ANN001, ANN202
        rendered = getattr(view, "rendered", None)
        frames.append((time.perf_counter(), rendered.story_id if rendered else None))
        return display(screen, renderable)

    app._display = counting_display  # type: ignore[method-assign]
    times: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one("#article")
        while view.rendered is None:  # type: ignore[attr-defined]
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        for _ in range(min(presses, app.reading.stories.count - 1)):
            before = view.rendered.story_id  # type: ignore[attr-defined]
            seen = len(frames)
            start = time.perf_counter()
            app.post_message(events.Key("n", "n"))  # as the terminal driver sends it
            # the first frame written with the new story's lines (never one before)
            while not any(story not in (before, None) for _, story in frames[seen:]):
                await asyncio.sleep(0.0005)
            painted = next(when for when, story in frames[seen:] if story not in (before, None))
            times.append(painted - start)
            await pilot.pause(0.05)
    return times


async def memory_at(home: Path) -> float:
    from reader.app.app import ReaderApp
    from reader.base.paths import resolve_paths

    app = ReaderApp(resolve_paths(home))
    async with app.run_test(size=(160, 48)) as pilot:
        while app.query_one("#article").rendered is None:  # type: ignore[attr-defined]
            await pilot.pause(0.02)
        await pilot.press("G")
        await pilot.pause(0.5)
        for _ in range(20):
            await pilot.press("pageup")
        await pilot.pause(0.5)
        await pilot.press("enter", "n", "n")
        await pilot.pause(0.5)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--only", choices=("startup", "next", "memory"))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    homes: dict[str, Path] = {}
    if args.only != "next":  # the list homes are built only when a figure needs them
        homes = {
            "1,000": home_with("home-1k", lambda f: generate(f, 1_000)),
            "100,000": home_with("home-100k", lambda f: generate(f, 100_000)),
        }
    if args.only in (None, "startup"):
        times = startup(homes, args.runs)
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"\nstartup to first full screen (whole process, {args.runs} interleaved rounds)")
        for name, value in medians.items():
            spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
            print(f"  {name:42s} median {value * 1000:6.0f} ms  (range {spread} ms)")
        small, large = medians["reader, 1,000 stories"], medians["reader, 100,000 stories"]
        bare = medians["bare Textual + one Markdown article"]
        print(f"  100,000 vs 1,000 stories: {large / small:.2f}x")
        print(f"  reader (1,000) / bare Textual app: {small / bare:.2f}x")
    if args.only in (None, "next"):
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nn (next story) to the article painted, in process (load average {load})")
        for words, count in ((2_000, 40), (20_000, 12)):
            home = home_with(f"home-{words}w", lambda f, w=words, c=count: generate_long(f, c, w))
            times = asyncio.run(next_story_latency(home, min(args.presses, count - 2)))
            times.sort()
            p90 = times[int(len(times) * 0.9) - 1]
            print(f"  {words:6d}-word articles: median {statistics.median(times) * 1000:6.1f} ms, "
                  f"p90 {p90 * 1000:6.1f} ms over {len(times)} presses")  # fmt: skip
    if args.only in (None, "memory"):
        rss = asyncio.run(memory_at(homes["100,000"]))
        print(f"\npeak resident memory with 100,000 stories: {rss:.0f} MB")


if __name__ == "__main__":
    os.environ.pop("READER_HOME", None)
    main()
