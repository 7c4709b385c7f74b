"""Feed refresh speed: ``reader refresh`` beside ``newsboat -x reload``, cold and warm.

    python bench/bench_feeds.py [--feeds 200] [--items 50] [--runs 3] [--no-after]
    python bench/bench_feeds.py --items 500 --runs 1 --no-after    # 100k items

Serves N generated RSS feeds of M items (about 2 KB of HTML each) from 127.0.0.1
with ETag and Last-Modified, and times in the same run, interleaved:

* cold: empty caches (a fresh reader home; a fresh newsboat cache), every feed 200;
* warm: a second refresh, where every feed answers 304.

The runs alternate which of the two goes first. newsboat (Debian's package) runs
with ``reload-threads 4``. Prints medians, the ratio reader/newsboat, and each one's
peak resident memory: of its own process, and summed over its process tree (read
from /proc every 20 ms; a page that processes share counts once per process, so a
pool of forked workers counts its shared libraries each time). Also times reader's first
search after the cold refresh, which adds the new stories to the full-text index, and
``reader index`` after it, which analyses them for related stories and copies (reader
defers both out of the refresh; newsboat has neither).

reader's modules are byte-compiled first, as a pip install does.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import multiprocessing.process
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proc_tree import children  # noqa: E402

WORDS = "harbour council market quay bonds ferry river tram bakery audit report season".split()


def make_feed(index: int, items: int) -> bytes:
    rng = random.Random(index)
    entries = []
    for n in range(items):
        paragraphs = "".join(
            f"&lt;p&gt;{' '.join(rng.choice(WORDS) for _ in range(45))}&lt;/p&gt;" for _ in range(6)
        )
        entries.append(
            f"<item><title>Feed {index} item {n}: {' '.join(rng.choice(WORDS) for _ in range(6))}"
            f"</title><link>http://feeds.example/{index}/{n}</link><guid>f{index}-{n}</guid>"
            f"<pubDate>{formatdate(1748736000 + n * 3600 + index, usegmt=True)}</pubDate>"
            f"<description>{paragraphs}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {index}</title><link>http://feeds.example/{index}</link>"
        f"<description>Generated</description>{''.join(entries)}</channel></rss>"
    ).encode()


class Served:
    """The feed server's process: its base URL, and ``shutdown()`` to stop it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, base: str) -> None:
        self.process = process
        self.base = base

    def shutdown(self) -> None:
        """Stop the server's process."""
        self.process.terminate()
        self.process.join()


def _serve_forever(feeds: dict[str, bytes], port: Connection) -> None:
    """The server's own process: serves ``feeds`` until it is terminated."""
    modified = formatdate(1748736000, usegmt=True)
    etags = {path: '"' + hashlib.md5(body).hexdigest() + '"' for path, body in feeds.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            body = feeds.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[self.path] or (
                self.headers.get("If-Modified-Since") == modified
            ):
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etags[self.path])
            self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.send(server.server_address[1])
    server.serve_forever()


def serve(feeds: dict[str, bytes]) -> tuple[Served, str]:
    """Serve ``feeds`` (path -> body, with ETag and Last-Modified) from 127.0.0.1 in a
    process of its own: in the benchmark's process, the server's threads would share a
    GIL with the memory sampler (and its bigger pauses would slow the faster client
    more). Returns the server and its base URL."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_forever, args=(feeds, theirs), daemon=True)
    process.start()
    base = f"http://127.0.0.1:{ours.recv()}"
    return Served(process, base), base


def _rss_kib(pid: int) -> int:
    """A process's resident memory now (``VmRSS``), in KiB; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> tuple[int, int, int]:
    """(RSS of ``root``, RSS summed over ``root`` and all its descendants, how many
    processes), in KiB, now. Summed RSS counts pages the processes share (a fork's
    copy-on-write pages) once per process, as the issue's figure did."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children(pid))
    sizes = [_rss_kib(pid) for pid in pids]
    return sizes[0], sum(sizes), len(pids)


@dataclass
class Run:
    """One command's wall time and its peak memory, sampled every ``SAMPLE_S``."""

    seconds: float
    main_mib: float
    """Peak RSS of the command's own process."""
    tree_mib: float
    """Peak of the RSS summed over the command's process tree."""
    processes: int
    """Most processes in the tree at once."""


SAMPLE_S = 0.02


def timed(command: list[str], **kwargs: object) -> Run:
    """Run ``command``, sampling its process tree's RSS from /proc until it ends.

    The end is taken by a thread that waits for the process, not by the sampling loop,
    which would see it up to ``SAMPLE_S`` late (20 ms on a 200 ms refresh)."""
    # What earlier runs (or benchmarks) left unwritten is flushed first, untimed:
    # newsboat fsyncs its cache as it goes, and here an fsync waited for other files'
    # dirty pages too (inside the scale suite, after homes of gigabytes were copied,
    # its cold refresh took 5.1 to 14.1 s, against 2.6 to 3.3 s alone).
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               **kwargs)  # type: ignore[call-overload]  # fmt: skip
    ended: list[float] = []
    done = threading.Event()

    def wait() -> None:
        process.wait()
        ended.append(time.perf_counter())
        done.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    main = tree = most = 0
    while not done.is_set():
        own, total, count = tree_rss_kib(process.pid)
        main, tree, most = max(main, own), max(tree, total), max(most, count)
        done.wait(SAMPLE_S)
    waiter.join()
    return Run(ended[0] - start, main / 1024, tree / 1024, most)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    skip = "skip the first search and 'reader index' after the cold refresh"
    parser.add_argument("--no-after", action="store_true", help=skip)
    args = parser.parse_args()
    newsboat = shutil.which("newsboat")
    feeds = {f"/feed/{i}.xml": make_feed(i, args.items) for i in range(args.feeds)}
    server, base = serve(feeds)
    size = sum(map(len, feeds.values())) / 1e6
    print(f"{args.feeds} feeds x {args.items} items ({size:.0f} MB) on {base}; {args.runs} runs;"
          f" load {os.getloadavg()[0]:.1f}")  # fmt: skip
    import compileall

    import reader

    compileall.compile_dir(Path(reader.__file__).parent, quiet=1)
    runs: dict[str, list[Run]] = {
        k: [] for k in ("reader cold", "reader warm", "newsboat cold", "newsboat warm")
    }
    first_search: list[float] = []
    first_index: list[float] = []
    with tempfile.TemporaryDirectory(prefix="reader-feed-bench-") as tmp:
        urls = Path(tmp) / "urls"
        urls.write_text("".join(f"{base}{path}\n" for path in feeds))
        config = Path(tmp) / "newsboat.conf"
        config.write_text("reload-threads 4\nshow-read-feeds yes\n")
        env = {"HOME": tmp, "PATH": "/usr/bin:/bin"}
        for run in range(args.runs):
            home = Path(tmp) / f"home-{run}"
            subprocess.run([sys.executable, "-m", "reader", "--home", str(home), "feed", "import",
                            str(urls)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            refresh = [sys.executable, "-m", "reader", "--home", str(home), "refresh"]
            cache = Path(tmp) / f"newsboat-{run}.db"
            command = [newsboat or "newsboat", "-x", "reload", "-u", str(urls), "-c", str(cache),
                       "-C", str(config)]  # fmt: skip
            # Interleaved, and who goes first alternates from run to run.
            order = ["reader", "newsboat"] if run % 2 == 0 else ["newsboat", "reader"]
            for name in order:
                if name == "reader":
                    runs["reader cold"].append(timed(refresh))
                elif newsboat:
                    runs["newsboat cold"].append(timed(command, env=env))
            if not args.no_after:
                search = [sys.executable, "-m", "reader", "--home", str(home), "search", "harbour"]
                first_search.append(timed(search).seconds)
                # The analysis for copies and related stories, which the refresh leaves for
                # later as it leaves the index (the app does it in the background).
                index = [sys.executable, "-m", "reader", "--home", str(home), "index"]
                first_index.append(timed(index).seconds)
            for name in order:
                if name == "reader":
                    runs["reader warm"].append(timed(refresh))
                elif newsboat:
                    runs["newsboat warm"].append(timed(command, env=env))
            shutil.rmtree(home)
            cache.unlink(missing_ok=True)
    server.shutdown()
    med = {k: statistics.median(r.seconds for r in v) for k, v in runs.items() if v}
    print("  wall time, median [runs]; peak RSS of the main process and summed over the process"
          " tree, median [max], sampled from /proc every 20 ms")  # fmt: skip
    for name, value in med.items():
        spread = ", ".join(f"{r.seconds:.2f}" for r in runs[name])
        main_mib = statistics.median(r.main_mib for r in runs[name])
        tree = [r.tree_mib for r in runs[name]]
        count = max(r.processes for r in runs[name])
        tree_mib = statistics.median(tree)
        print(f"  {name:14s} {value:6.2f} s [{spread}]  main {main_mib:4.0f} MiB, tree "
              f"{tree_mib:4.0f} MiB [{max(tree):.0f}] ({count} processes)")  # fmt: skip
    if "newsboat cold" in med:
        print(f"  reader/newsboat: cold {med['reader cold'] / med['newsboat cold']:.2f}x, "
              f"warm {med['reader warm'] / med['newsboat warm']:.2f}x")  # fmt: skip
    else:
        print("  newsboat not installed (apt-get install newsboat): no comparison")
    if first_search:
        print(
            f"  reader first search after the cold refresh (indexes {args.feeds * args.items} "
            f"stories): median {statistics.median(first_search):.2f} s"
        )
        analysis = statistics.median(first_index)
        print(
            f"  reader index after the cold refresh (analyses {args.feeds * args.items} "
            f"stories for related stories and copies): median {analysis:.2f} s; cold refresh"
            f" with it {(med['reader cold'] + analysis) / med['reader cold']:.2f}x the refresh"
            " alone"
        )


if __name__ == "__main__":
    main()
