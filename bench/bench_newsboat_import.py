"""``reader import newsboat`` of a big cache.db beside ``newsboat -x reload`` of the feed.

    python bench/bench_newsboat_import.py [--items 10000] [--runs 5]

Serves one generated RSS feed of N items (about 2 KB of HTML each, dated, with guids)
from 127.0.0.1. Each round, interleaved: newsboat (Debian's package) reloads it into
a fresh cache.db (timed, whole process), then ``reader import newsboat --dir`` takes
that folder into a fresh reader home (timed, whole process), checking every item came
over as a story. Prints medians and the ratio import/reload, and reader's peak memory;
then where the import's time goes (one run in this process: reading cache.db, making
the rows, storing), and for scale, a cold ``reader refresh`` of the same feed into a
fresh home.

reader's modules are byte-compiled first, as a pip install does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_feeds import make_feed, serve


def timed(command: list[str], **kwargs: object) -> tuple[float, str]:
    """Seconds the command took, and what it printed; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          **kwargs)  # type: ignore[call-overload]  # fmt: skip
    return time.perf_counter() - start, str(done.stdout)


def phases(folder: Path, home: Path) -> dict[str, float]:
    """One import in this process, phase by phase (what ``cmd_import`` does, minus config
    and marks; the command streams the phases, here each runs to its end in turn)."""
    from reader.base.paths import resolve_paths
    from reader.feeds import newsboat
    from reader.store import Store
    from reader.store.feeds import ImportedFeed, ImportedItem

    spent: dict[str, float] = {}
    start = time.perf_counter()
    urls = newsboat.read_urls((folder / "urls").read_text())
    cache = newsboat.read_cache(folder / "cache.db")
    spent["read cache.db"] = time.perf_counter() - start
    start = time.perf_counter()
    converter = newsboat.ItemRows(cache, {entry.url for entry in urls.feeds})
    items = list(newsboat.iter_items(folder / "cache.db"))
    spent["read cache.db"] += time.perf_counter() - start
    start = time.perf_counter()
    rows = [ImportedItem(converter.row(item), (), False, False) for item in items]
    spent["make rows"] = time.perf_counter() - start
    feeds = [ImportedFeed(e.url, e.title, e.tags, e.hidden, None, None) for e in urls.feeds]
    with Store(resolve_paths(home)) as store:
        start = time.perf_counter()
        store.import_feeds(feeds, rows)
        spent["store"] = time.perf_counter() - start
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        sys.exit("newsboat is not installed (apt-get install newsboat)")
    feed = {"/feed.xml": make_feed(0, args.items)}
    server, base = serve(feed)
    size = len(feed["/feed.xml"]) / 1e6
    print(f"1 feed x {args.items:,} items ({size:.0f} MB) on {base}; {args.runs} runs")
    import compileall

    import reader

    compileall.compile_dir(Path(reader.__file__).parent, quiet=1)
    reader_cmd = [sys.executable, "-m", "reader"]
    times: dict[str, list[float]] = {"newsboat -x reload": [], "reader import newsboat": []}
    peak: list[float] = []
    with tempfile.TemporaryDirectory(prefix="reader-nb-import-bench-") as tmp:
        env = {"HOME": tmp, "PATH": "/usr/bin:/bin"}
        for run in range(args.runs):
            folder = Path(tmp) / f"newsboat-{run}"
            folder.mkdir()
            (folder / "urls").write_text(f"{base}/feed.xml\n")
            (folder / "config").write_text("")
            reload = [newsboat, "-x", "reload", "-u", str(folder / "urls"),
                      "-c", str(folder / "cache.db"), "-C", str(folder / "config")]  # fmt: skip
            seconds, _ = timed(reload, env=env)
            times["newsboat -x reload"].append(seconds)
            home = Path(tmp) / f"home-{run}"
            time_file = Path(tmp) / "time.txt"
            command = ["/usr/bin/time", "-f", "%M", "-o", str(time_file), *reader_cmd,
                       "--home", str(home), "import", "newsboat", "--dir", str(folder),
                       "--json"]  # fmt: skip
            seconds, out = timed(command)
            times["reader import newsboat"].append(seconds)
            peak.append(int(time_file.read_text().split()[-1]) / 1024)
            imported = json.loads(out)["items"]["imported"]
            if imported != args.items:
                sys.exit(f"run {run}: imported {imported} of {args.items} items")
        med = {name: statistics.median(values) for name, values in times.items()}
        for name, value in med.items():
            spread = ", ".join(f"{t:.2f}" for t in times[name])
            print(f"  {name:24s} median {value:6.2f} s  [{spread}]")
        ratio = med["reader import newsboat"] / med["newsboat -x reload"]
        print(f"  import/reload: {ratio:.2f}x")
        megabytes = (Path(tmp) / "newsboat-0" / "cache.db").stat().st_size / 1e6
        print(f"  reader's peak memory importing the {megabytes:.0f} MB cache.db:"
              f" {max(peak):.0f} MB")  # fmt: skip
        spent = phases(Path(tmp) / "newsboat-0", Path(tmp) / "home-phases")
        print("  the import in this process: " + ", ".join(
            f"{name} {value:.2f} s" for name, value in spent.items()))  # fmt: skip
        cold = []
        for run in range(args.runs):  # feed import subscribes without fetching
            home = Path(tmp) / f"home-refresh-{run}"
            subprocess.run([*reader_cmd, "--home", str(home), "feed", "import",
                            str(Path(tmp) / "newsboat-0" / "urls")],
                           check=True, capture_output=True)  # fmt: skip
            start = time.perf_counter()
            done = subprocess.run([*reader_cmd, "--home", str(home), "refresh", "--json"],
                                  capture_output=True, text=True)  # fmt: skip
            seconds = time.perf_counter() - start
            report = json.loads(done.stdout or "{}")
            if report.get("new") != args.items:  # reader refuses a feed over its size cap
                why = report.get("failures") or done.stderr.strip()[-200:]
                print(f"  for scale, a cold reader refresh of the same feed: failed ({why})")
                break
            cold.append(seconds)
        if cold:
            spread = ", ".join(f"{t:.2f}" for t in cold)
            print(f"  for scale, a cold reader refresh of the same feed: median"
                  f" {statistics.median(cold):.2f} s [{spread}]")  # fmt: skip
    server.shutdown()


if __name__ == "__main__":
    main()
