"""The list at scale: 10k, 100k and 1M stories, beside newsboat where it does the same job.

    python bench/bench_scale.py DATA_DIR [--sizes 10000,100000,1000000] [--runs 5]
        [--home-dir DIR] [--newsboat-sizes 10000,100000] [--baseline TREE]

DATA_DIR holds the BBC News dataset (2,225 articles in 5 topics, a folder per topic,
a file per article, its first line the headline), brought into a temporary folder as
for ``bench_search.py`` (e.g. ``bbc/`` of github.com/dejanbatanjac/bbc-article-
classify-bert; never committed). Each home is built by storing rows directly
(``Store.save_rows``), each story a new text recombined from paragraphs of same-topic
articles, on 20 sites (half of them feeds with tags), dated over a year; a third are
read, 0.1% bookmarked. The full-text index and the analysis for copies are not run
(their queues are emptied): nothing here searches, and the app would otherwise spend
the measurements indexing a million stories in the background. ``--home-dir`` keeps
the homes (``DIR/home-SIZE``) and reuses them on the next run.

Measured per size, in interleaved rounds, medians:

* startup to a painted screen: the app in a terminal (``script``) until its first
  full screen (READER_EXIT_WHEN_READY), whole process, with hyperfine;
* ``G``, ``g``, PgDn and PgUp in the app (``App.run_test``): from the key to the
  list showing the target row (its story fetched and the cursor on it); then a jump
  of the cursor to a random place in the unread list (the scrollbar's), once the
  list's signposts are gathered;
* ``reader list --limit 20``: whole process, with hyperfine; ``reader list`` and
  ``reader list --json`` of every story: time to the first line, to the last, and
  peak RSS (at 1M, one round: a full listing takes minutes);
* in the app, from the key: the site picker shown (``s``) and its unread counts filled
  in, the command palette shown (Ctrl+P), the next feed's first row shown (``J``);
* the app's peak RSS after browsing (G, twenty PgUp, g, ten PgDn, open, n, n).

``--baseline TREE`` measures another reader beside this one (TREE: a source tree,
e.g. ``git archive COMMIT reader | tar -x -C TREE``, put first on PYTHONPATH), in
the same rounds; who goes first alternates from round to round.

newsboat (Debian's package) does the same jobs for ``--newsboat-sizes``: its cache
holds the same stories as items of 20 feeds (written into the cache.db schema that
newsboat made itself on a first ``-x reload`` of those feeds, served from files by
``exec:`` urls), and ``newsboat -x print-unread`` stands beside ``reader list``;
newsboat's startup to its feed list is timed in a terminal (tmux) until the list is
on screen. A million items is not built for newsboat (its startup reads every item).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_search import load  # noqa: E402  the same corpus, read the same way

from reader.base.models import Page  # noqa: E402
from reader.base.paths import resolve_paths  # noqa: E402
from reader.store import Store  # noqa: E402
from reader.store.rows import StoryRow, content_hash, prepare, story_id  # noqa: E402

SITES_PER_TOPIC = 4
NOW = datetime(2026, 12, 1, tzinfo=UTC)
BATCH = 10_000
SIZE = (160, 48)
NEUTRAL = Path(tempfile.gettempdir())
"""Where reader processes run: not the checkout, whose ``reader`` would come first on
the path of ``python -m reader`` and hide the baseline's."""


# -- building -----------------------------------------------------------------------------


def stories(data: Path, size: int, seed: int = 7) -> Iterator[tuple[str, Page]]:
    """``(source, page)`` for ``size`` stories recombined from the corpus, oldest first
    within each batch (the dates of successive batches overlap, as refreshes do)."""
    rng = random.Random(seed)
    items = load(data)
    paras: dict[str, list[str]] = {}
    for topic, _, body in items:
        paras.setdefault(topic, []).extend(p for p in body.split("\n") if p.strip())
    year = 365 * 86400
    for n in range(size):
        topic, title, body = items[n % len(items)]
        own = [p for p in body.split("\n") if p.strip()][:1]
        text = "\n\n".join(own + rng.sample(paras[topic], 3))
        site_n = rng.randrange(SITES_PER_TOPIC)
        published = NOW - timedelta(seconds=year * (size - n) // size + rng.randrange(3600))
        page = Page(
            title=f"{title} ({n})" if n >= len(items) else title,
            body=text,
            site=f"{topic.title()} Daily {site_n}",
            url=f"https://{topic}{site_n}.example/story/{n}",
            published=published.isoformat(timespec="seconds"),
            feed_url=f"https://{topic}{site_n}.example/feed" if site_n % 2 else None,
        )
        yield f"bench:{n}", page


def build(home: Path, data: Path, size: int) -> None:
    """A home of ``size`` stories at ``home`` (kept if it is there already)."""
    if (home / "cache" / "stories.sqlite3").exists():
        return
    t0 = time.perf_counter()
    rng = random.Random(size)
    with Store(resolve_paths(home)) as store:
        for topic in {path.name for path in data.iterdir() if path.is_dir()}:
            for n in range(1, SITES_PER_TOPIC, 2):
                store.add_feed(f"https://{topic}{n}.example/feed", tags=[topic, "news"])
        batch: list[StoryRow] = []
        for source, page in stories(data, size):
            batch.append(prepare(source, content_hash(source.encode()), page))
            if len(batch) == BATCH:
                store.save_rows(batch)
                batch = []
        if batch:
            store.save_rows(batch)
        ids = [story_id(f"bench:{n}") for n in range(size)]
        for start in range(0, size, 30_000):
            chunk = ids[start : start + 30_000]
            store.mark_all_read(ids=rng.sample(chunk, len(chunk) // 3))
        for sid in rng.sample(ids, max(size // 1000, 1)):
            store.set_bookmark(sid)
        conn = store._conn  # the bench empties the queues; reader's code never does this
        conn.execute("DELETE FROM fts_pending")
        conn.execute("DELETE FROM analysis_pending")
    print(f"built {size} stories in {time.perf_counter() - t0:.0f} s at {home}", flush=True)


def newsboat_folder(root: Path, data: Path, size: int) -> Path:
    """A newsboat folder (urls, config, cache.db) holding the same ``size`` stories as
    items of 20 feeds: newsboat makes the cache on a first ``-x reload`` of one item a
    feed (served from files through ``exec:`` urls), then the items are written into
    its ``rss_item`` table, a third of them read, as reader's home has them."""
    folder = root / f"newsboat-{size}"
    if (folder / "cache.db").exists():
        return folder
    folder.mkdir(parents=True)
    feeds = {}
    for topic in sorted(path.name for path in data.iterdir() if path.is_dir()):
        for n in range(SITES_PER_TOPIC):
            site = f"{topic.title()} Daily {n}"
            xml = folder / f"{topic}{n}.xml"
            xml.write_text(
                '<?xml version="1.0"?><rss version="2.0"><channel>'
                f"<title>{site}</title><link>https://{topic}{n}.example/</link>"
                "<description>d</description><item><title>First</title>"
                f"<link>https://{topic}{n}.example/first</link>"
                f"<guid>https://{topic}{n}.example/first</guid><description>First.</description>"
                "<pubDate>Tue, 01 Dec 2026 10:00:00 +0000</pubDate></item></channel></rss>"
            )
            feeds[site] = f"exec:cat {xml}"
    (folder / "urls").write_text("".join(f'"{url}"\n' for url in feeds.values()))
    (folder / "config").write_text("")
    subprocess.run([*newsboat_args(folder), "-x", "reload"], check=True, capture_output=True)
    conn = sqlite3.connect(folder / "cache.db")
    conn.execute("BEGIN")
    rng = random.Random(size)
    conn.executemany(
        "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread)"
        " VALUES (?, ?, '', ?, ?, ?, ?, ?)",
        (
            (page.url, page.title, page.url, feeds[page.site or ""],
             int(datetime.fromisoformat(page.published or "").timestamp()), page.body,
             int(rng.random() >= 1 / 3))
            for _, page in stories(data, size)
        ),
    )  # fmt: skip
    conn.execute("COMMIT")
    conn.close()
    return folder


def newsboat_args(folder: Path) -> list[str]:
    return ["newsboat", "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
            "-C", str(folder / "config")]  # fmt: skip


# -- measuring ------------------------------------------------------------------------------


def reader_env(tree: Path | None) -> dict[str, str]:
    """The environment for a reader process: ``tree`` (a source tree) comes first on
    the path, for the baseline."""
    env = {k: v for k, v in os.environ.items() if k != "READER_HOME"}
    env.pop("PYTHONPATH", None)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def hyperfine(command: list[str], env: dict[str, str], runs: int = 1) -> float:
    """The mean of ``runs`` runs of ``command`` (whole process) by hyperfine, in seconds."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            ["hyperfine", "--runs", str(runs), "--warmup", "0", "--style", "none",
             "--export-json", out.name, " ".join(command)],
            check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=NEUTRAL,
        )  # fmt: skip
        return float(json.loads(Path(out.name).read_text())["results"][0]["mean"])


def reader_startup(home: Path, env: dict[str, str]) -> float:
    """The app in a terminal (``script``) to its first full screen."""
    inner = f"env READER_EXIT_WHEN_READY=1 {sys.executable} -m reader --home {home}"
    return hyperfine(["script", "-qec", f"'{inner}'", "/dev/null"], env)


def newsboat_startup(folder: Path) -> float:
    """newsboat in a tmux terminal until its feed list is on screen."""
    session = f"bench-scale-{os.getpid()}"
    command = " ".join(newsboat_args(folder))
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
                    command], check=True)  # fmt: skip
    try:
        while True:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout  # fmt: skip
            if "Your feeds" in screen and "Daily" in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > 600:
                raise RuntimeError("newsboat showed no feed list in 10 minutes")
            time.sleep(0.01)
    finally:  # quit as a user does, so that the cache's lock is gone for the next run
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=False)
        deadline = time.perf_counter() + 60
        while (
            time.perf_counter() < deadline
            and subprocess.run(
                ["tmux", "has-session", "-t", session], capture_output=True
            ).returncode
            == 0
        ):
            time.sleep(0.05)
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        while (folder / "cache.db.lock").exists() and time.perf_counter() < deadline:
            time.sleep(0.05)


def list_all(home: Path, env: dict[str, str], *more: str) -> tuple[float, float, float]:
    """``reader list`` (every story; ``more`` options): seconds to the first line, to
    the last, peak RSS (MiB, by /usr/bin/time)."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        command = ["/usr/bin/time", "-f", "%M", "-o", rss.name,
                   sys.executable, "-m", "reader", "--home", str(home), "list", *more]  # fmt: skip
        start = time.perf_counter()
        with subprocess.Popen(command, stdout=subprocess.PIPE, env=env, cwd=NEUTRAL) as process:
            assert process.stdout is not None
            process.stdout.readline()
            first = time.perf_counter() - start
            for _ in iter(lambda: process.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
                pass
        whole = time.perf_counter() - start
        kib = int(Path(rss.name).read_text().split()[-1])
    return first, whole, kib / 1024


def probe(kind: str, home: Path, env: dict[str, str]) -> dict[str, float]:
    """Run this script's in-app probe (``--probe``) in a process of its own."""
    out = subprocess.run([sys.executable, __file__, "--probe", kind, str(home)],
                         capture_output=True, text=True, check=True, env=env,
                         cwd=NEUTRAL)  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def _ready(pilot, app):  # noqa: ANN001, ANN202
    listed = app.reading.stories
    while app.query_one("#article").rendered is None or not listed.count:
        await pilot.pause(0.02)
    await pilot.pause(0.3)
    return listed


async def _key_latency(pilot, listed, key: str, target) -> float:  # noqa: ANN001
    """From the key to the list holding the target row's story under the cursor, and
    the screen refreshed after it."""
    from textual import events

    start = time.perf_counter()
    pilot.app.post_message(events.Key(key, None))
    want = target()
    while listed.cursor != want or listed.story_at(want) is None:
        await asyncio.sleep(0.0005)
        want = target()
    return time.perf_counter() - start


def _forget(listed) -> None:  # noqa: ANN001
    """Drop the list's fetched rows (bench only): the next key fetches from the store."""
    for name in ("_rows", "_keys"):
        getattr(listed, name, {}).clear()
    listed._pages.clear()


async def keys_probe(home: Path) -> dict[str, float]:
    """Median latency of G, g (each with nothing fetched), PgDn and PgUp."""
    from reader.app.app import ReaderApp

    app = ReaderApp(resolve_paths(home))
    times: dict[str, list[float]] = {"G": [], "g": [], "pagedown": [], "pageup": []}
    async with app.run_test(size=SIZE) as pilot:
        listed = await _ready(pilot, app)
        last = listed.count - 1
        step = max(listed.size.height - 1, 1)
        for _ in range(5):
            _forget(listed)
            times["G"].append(await _key_latency(pilot, listed, "G", lambda: last))
            await pilot.pause(0.05)
            _forget(listed)
            times["g"].append(await _key_latency(pilot, listed, "g", lambda: 0))
            await pilot.pause(0.05)
        for key, sign in (("pagedown", 1), ("pageup", -1)):
            for _ in range(12):
                at = listed.cursor
                target = min(max(at + sign * step, 0), last)
                times[key].append(await _key_latency(pilot, listed, key, lambda t=target: t))
                await pilot.pause(0.02)
        times.update(await _pickers(pilot, listed))
        times["unread jump"] = await _unread_jumps(pilot, listed)
    return {key: statistics.median(values) for key, values in times.items()}


async def _until(check) -> float:  # noqa: ANN001
    start = time.perf_counter()
    while not check():
        await asyncio.sleep(0.0005)
    return time.perf_counter() - start


async def _pickers(pilot, listed) -> dict[str, list[float]]:  # noqa: ANN001
    """From the key to: the site picker shown (``s``), and its unread counts filled in
    (a reader before they came later: both at once); the command palette showing its
    first commands (Ctrl+P; its providers start first); the next feed's first row
    shown (``J``), three times each."""
    from textual import events
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from reader.app.screens import PickScreen

    app = pilot.app
    found: dict[str, list[float]] = {
        "s: site picker shown": [], "s: its unread counts shown": [],
        "ctrl+p: palette shown": [], "J: next feed's first row shown": [],
    }  # fmt: skip
    for _ in range(3):
        start = time.perf_counter()
        app.post_message(events.Key("s", None))
        await _until(lambda: isinstance(app.screen, PickScreen))
        found["s: site picker shown"].append(time.perf_counter() - start)
        await _until(lambda: not any("…/" in label for label, _ in app.screen.choices))
        found["s: its unread counts shown"].append(time.perf_counter() - start)
        await pilot.press("escape")
        await pilot.pause(0.1)
        start = time.perf_counter()
        app.post_message(events.Key("ctrl+p", None))
        await _until(
            lambda: (
                isinstance(app.screen, CommandPalette)
                and any(results.option_count for results in app.screen.query(OptionList))
            )
        )
        found["ctrl+p: palette shown"].append(time.perf_counter() - start)
        await pilot.press("escape")
        await pilot.pause(0.1)
    for _ in range(3):
        before = listed.query_state.filter.site
        start = time.perf_counter()
        app.post_message(events.Key("J", None))
        await _until(
            lambda b=before: (
                listed.query_state.filter.site not in (None, b)
                and listed.count > 0
                and listed.story_at(0) is not None
            )
        )
        found["J: next feed's first row shown"].append(time.perf_counter() - start)
        await pilot.pause(0.1)
    app.reading.action_show_all()
    await pilot.pause(0.2)
    return found


async def _unread_jumps(pilot, listed) -> list[float]:  # noqa: ANN001
    """The unread list, then five jumps (the scrollbar's) to random places, each from
    setting the cursor to the row shown: once the list's signposts are gathered
    (``StoryList._signposts``, waited for up to two minutes; a reader without them
    jumps from the nearest fetched row or end)."""
    from reader.app.story_list import ListQuery
    from reader.store import StoryFilter

    before = listed.count
    listed.show(ListQuery(StoryFilter(unread=True)))
    while listed.count == before or listed.story_at(0) is None:
        await pilot.pause(0.05)
    every = getattr(sys.modules[type(listed).__module__], "SIGNPOST_EVERY", None)
    started = time.perf_counter()
    while every and len(listed._signposts) < listed.count // every:
        if time.perf_counter() - started > 120:
            break
        await pilot.pause(0.1)
    rng = random.Random(16)
    times = []
    for _ in range(5):
        target = rng.randrange(listed.count)
        _forget(listed)
        start = time.perf_counter()
        listed.cursor = target
        while listed.story_at(target) is None:
            await asyncio.sleep(0.0005)
        times.append(time.perf_counter() - start)
        await pilot.pause(0.05)
    return times


async def rss_probe(home: Path) -> dict[str, float]:
    """Peak RSS (MiB) of the app after browsing: G, twenty PgUp, g, ten PgDn, open."""
    from reader.app.app import ReaderApp

    app = ReaderApp(resolve_paths(home))
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("G")
        await pilot.pause(0.5)
        for _ in range(20):
            await pilot.press("pageup")
        await pilot.press("g")
        for _ in range(10):
            await pilot.press("pagedown")
        await pilot.pause(0.5)
        await pilot.press("enter", "n", "n")
        await pilot.pause(0.5)
    return {"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the BBC News dataset's folder")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--newsboat-sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home-dir", type=Path, help="keep the homes here and reuse them")
    parser.add_argument("--baseline", type=Path,
                        help="a reader source tree (git archive of another commit) measured"
                        " beside this one, interleaved")  # fmt: skip
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--probe", choices=("keys", "rss"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        run = keys_probe if args.probe == "keys" else rss_probe
        print(json.dumps(asyncio.run(run(args.data))))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    newsboat_sizes = {int(s) for s in args.newsboat_sizes.split(",") if s}
    if newsboat_sizes and shutil.which("newsboat") is None:
        sys.exit("newsboat is not installed (apt-get install newsboat); or --newsboat-sizes ''")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = args.home_dir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            build(root / f"home-{size}", args.data, size)
            if size in newsboat_sizes:
                newsboat_folder(root, args.data, size)
        if args.build_only:
            return
        print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} (1 and 5 min), "
              f"{os.cpu_count()} cores; {args.runs} interleaved rounds, medians")  # fmt: skip
        for size in sizes:
            measure(root, size, size in newsboat_sizes, args.runs, args.baseline)


def measure(root: Path, size: int, with_newsboat: bool, runs: int, baseline: Path | None) -> None:
    """Every figure at one size, the peers interleaved within each round."""
    home = root / f"home-{size}"
    folder = root / f"newsboat-{size}"
    peers = {"reader": reader_env(None)}
    if baseline is not None:
        peers["before"] = reader_env(baseline)
    figures: dict[str, dict[str, list[float]]] = {}

    def add(figure: str, peer: str, value: float) -> None:
        figures.setdefault(figure, {}).setdefault(peer, []).append(value)

    list_20 = [sys.executable, "-m", "reader", "--home", str(home), "list", "--limit", "20"]
    print_unread = [*newsboat_args(folder), "-x", "print-unread"]
    list_runs = runs if size <= 100_000 else 1  # a full listing of 1M takes minutes
    for round_n in range(runs + 1):  # a warm-up round first
        warm = round_n == 0
        order = list(peers.items())
        for peer, env in order[::-1] if round_n % 2 else order:  # who goes first alternates
            start = reader_startup(home, env)
            keys = probe("keys", home, env)
            listed = hyperfine(list_20, env)
            if warm:
                continue
            add("startup to painted screen", peer, start)
            for key, value in keys.items():
                add(key if key.endswith("shown") else f"{key} to the row shown", peer, value)
            add("reader list --limit 20", peer, listed)
            if round_n <= list_runs:
                first, whole, rss = list_all(home, env)
                add("reader list (all): first row", peer, first)
                add("reader list (all): last row", peer, whole)
                add("reader list (all): peak RSS MiB", peer, rss)
                first, whole, rss = list_all(home, env, "--json")
                add("reader list --json (all): first line", peer, first)
                add("reader list --json (all): last line", peer, whole)
                add("reader list --json (all): peak MiB", peer, rss)
            if round_n == 1:
                add("app peak RSS after browsing MiB", peer, probe("rss", home, env)["rss"])
        if with_newsboat and not warm:
            add("startup to painted screen", "newsboat", newsboat_startup(folder))
            unread = hyperfine(print_unread, reader_env(None))
            add("reader list --limit 20", "newsboat", unread)
            add("reader list (all): last row", "newsboat", unread)
    print(f"\n{size:,} stories (newsboat: {'the same items' if with_newsboat else 'not built'})")
    names = list(peers) + (["newsboat"] if with_newsboat else [])
    print(f"  {'figure':36s}" + "".join(f"{name:>12s}" for name in names) + "   ratios")
    for figure, by_peer in figures.items():
        unit = "MiB" if "MiB" in figure else "ms"
        medians = {peer: statistics.median(values) for peer, values in by_peer.items()}
        cells = "".join(
            f"{(medians[n] if unit == 'MiB' else medians[n] * 1000):12.1f}" if n in medians
            else f"{'-':>12s}" for n in names
        )  # fmt: skip
        ratios = [f"reader/{peer} {medians['reader'] / medians[peer]:.3f}x"
                  for peer in names[1:] if peer in medians and medians[peer]]  # fmt: skip
        print(f"  {figure:36s}{cells}   {', '.join(ratios)}")
    print("  (newsboat's list figures are `newsboat -x print-unread`, which reads every item)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
