"""Feed refresh speed: ``reader refresh`` beside ``newsboat -x reload``, cold and warm.

    python bench/bench_feeds.py [--feeds 200] [--items 50] [--runs 3]

Serves N generated RSS feeds of M items (about 2 KB of HTML each) from 127.0.0.1
with ETag and Last-Modified, and times in the same run, interleaved:

* cold: empty caches (a fresh reader home; a fresh newsboat cache), every feed 200;
* warm: a second refresh, where every feed answers 304.

newsboat (Debian's package) runs with ``reload-threads 4``. Prints medians, the
ratio reader/newsboat, and reader's peak resident memory. Also times reader's first
search after the cold refresh, which adds the new stories to the full-text index, and
``reader index`` after it, which analyses them for related stories and copies (reader
defers both out of the refresh; newsboat has neither).

reader's modules are byte-compiled first, as a pip install does.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


def serve(feeds: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def timed(command: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kwargs)  # type: ignore[call-overload]  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    newsboat = shutil.which("newsboat")
    feeds = {f"/feed/{i}.xml": make_feed(i, args.items) for i in range(args.feeds)}
    server, base = serve(feeds)
    size = sum(map(len, feeds.values())) / 1e6
    print(f"{args.feeds} feeds x {args.items} items ({size:.0f} MB) on {base}; {args.runs} runs")
    import compileall

    import reader

    compileall.compile_dir(Path(reader.__file__).parent, quiet=1)
    times: dict[str, list[float]] = {
        k: [] for k in ("reader cold", "reader warm", "newsboat cold", "newsboat warm")
    }
    first_search: list[float] = []
    first_list: list[float] = []
    rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="reader-feed-bench-") as tmp:
        urls = Path(tmp) / "urls"
        urls.write_text("".join(f"{base}{path}\n" for path in feeds))
        config = Path(tmp) / "newsboat.conf"
        config.write_text("reload-threads 4\nshow-read-feeds yes\n")
        for run in range(args.runs):
            home = Path(tmp) / f"home-{run}"
            subprocess.run([sys.executable, "-m", "reader", "--home", str(home), "feed", "import",
                            str(urls)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            time_file = Path(tmp) / "time.txt"
            refresh = ["/usr/bin/time", "-f", "%M", "-o", str(time_file),
                       sys.executable, "-m", "reader", "--home", str(home), "refresh"]  # fmt: skip
            times["reader cold"].append(timed(refresh))
            rss.append(int(time_file.read_text().split()[-1]) / 1024)
            if newsboat:
                cache = Path(tmp) / f"newsboat-{run}.db"
                command = [newsboat, "-x", "reload", "-u", str(urls), "-c", str(cache),
                           "-C", str(config)]  # fmt: skip
                times["newsboat cold"].append(
                    timed(command, env={"HOME": tmp, "PATH": "/usr/bin:/bin"})
                )
            search = [sys.executable, "-m", "reader", "--home", str(home), "search", "harbour"]
            first_search.append(timed(search))
            # The analysis for copies and related stories, which the refresh leaves for
            # later as it leaves the index (the app does it in the background).
            index = [sys.executable, "-m", "reader", "--home", str(home), "index"]
            first_list.append(timed(index))
            times["reader warm"].append(timed(refresh))
            if newsboat:
                times["newsboat warm"].append(
                    timed(command, env={"HOME": tmp, "PATH": "/usr/bin:/bin"})
                )
    server.shutdown()
    med = {k: statistics.median(v) for k, v in times.items() if v}
    for name, value in med.items():
        spread = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:14s} median {value:6.2f} s  [{spread}]")
    if "newsboat cold" in med:
        print(f"  reader/newsboat: cold {med['reader cold'] / med['newsboat cold']:.2f}x, "
              f"warm {med['reader warm'] / med['newsboat warm']:.2f}x")  # fmt: skip
    else:
        print("  newsboat not installed (apt-get install newsboat): no comparison")
    print(f"  reader peak memory (cold refresh): {max(rss):.0f} MB")
    print(
        f"  reader first search after the cold refresh (indexes {args.feeds * args.items} "
        f"stories): median {statistics.median(first_search):.2f} s"
    )
    analysis = statistics.median(first_list)
    print(
        f"  reader index after the cold refresh (analyses {args.feeds * args.items} "
        f"stories for related stories and copies): median {analysis:.2f} s; cold refresh"
        f" with it {(med['reader cold'] + analysis) / med['reader cold']:.2f}x the refresh alone"
    )


if __name__ == "__main__":
    main()
