"""Pictures in the article: what decoding and drawing one costs, and what the start pays.

    python bench/bench_pictures.py [--runs 15]

* Decoding, in the worker: ``decode_image`` (the size read from the header and
  checked, JPEG decoded at a fraction of its size, shrunk to 640 pixels) beside plain
  Pillow (``open``, ``convert("RGB")``, ``thumbnail``), for a 3000 × 2000 JPEG and a
  2000 × 1500 PNG made here; interleaved runs, medians.
* Drawing: ``picture_strips`` for a picture of 60 × 18 cells.
* Startup to the first full screen (whole process, under ``script`` for a real
  terminal) with pictures on and off (``pictures = false``), interleaved rounds, on a
  home of 200 generated stories.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from reader.app.graphics import Kitty
from reader.app.pictures import picture_strips
from reader.plumbing.images import FIT_PIXELS, decode_image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_pages import generate  # noqa: E402


def photo(size: tuple[int, int], kind: str) -> bytes:
    """A noisy gradient (compresses like a photo, not like a flat picture)."""
    width, height = size
    noise = Image.effect_noise(size, 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    picture = Image.blend(noise, gradient, 0.6)
    out = io.BytesIO()
    picture.save(out, kind, **({"quality": 85} if kind == "JPEG" else {}))
    return out.getvalue()


def plain_pillow(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        picture = opened.convert("RGB")
    picture.thumbnail(FIT_PIXELS)
    return picture


def interleaved(runs: int, tasks: dict[str, Callable[[], object]]) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in tasks}
    for round_number in range(runs + 1):  # one warm-up round
        for name, task in tasks.items():
            start = time.perf_counter()
            task()
            if round_number:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def startup(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        generate(pages, 200)
        on = Path(tmp) / "on"
        subprocess.run([sys.executable, "-m", "reader", "--home", str(on), "ingest", str(pages)],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        off = Path(tmp) / "off"
        shutil.copytree(on, off)
        (off / "config").mkdir(exist_ok=True)
        (off / "config" / "config.toml").write_text("pictures = false\n")
        commands = {
            f"pictures {label}": f"env READER_EXIT_WHEN_READY=1 {sys.executable} -m reader "
            f"--home {home}"
            for label, home in (("on", on), ("off", off))
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_number in range(runs + 2):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(["script", "-qec", command, "/dev/null"], check=True,
                               stdout=subprocess.DEVNULL)  # fmt: skip
                if round_number >= 2:
                    times[name].append(time.perf_counter() - start)
        return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    jpeg, png = photo((3000, 2000), "JPEG"), photo((2000, 1500), "PNG")
    print(f"\ndecoding, medians of {args.runs} interleaved runs")
    for name, data in (("3000 x 2000 JPEG", jpeg), ("2000 x 1500 PNG", png)):
        medians = interleaved(
            args.runs,
            {"decode_image": lambda d=data: decode_image(d),
             "plain Pillow": lambda d=data: plain_pillow(d)},
        )  # fmt: skip
        ours, peer = medians["decode_image"], medians["plain Pillow"]
        print(f"  {name} ({len(data) // 1024} KB): decode_image {ours * 1000:6.1f} ms, "
              f"plain Pillow {peer * 1000:6.1f} ms ({peer / ours:.1f}x)")  # fmt: skip
    picture = decode_image(jpeg)
    sent: list[int] = []
    kitty = Kitty(write=lambda text: sent.append(len(text)))
    drawn = interleaved(
        args.runs,
        {"half cells": lambda: picture_strips(picture, 60, 18, (0, 0, 0)),
         "kitty": lambda: kitty.strips(picture, 60, 18, (0, 0, 0))},
    )  # fmt: skip
    per_picture = sum(sent) // (args.runs + 1)
    print(f"\ndrawing 60 x 18 cells: half cells {drawn['half cells'] * 1000:.1f} ms, "
          f"Kitty's protocol {drawn['kitty'] * 1000:.1f} ms (PNG and escape sequences: "
          f"{per_picture // 1024} KB to the terminal a picture)")  # fmt: skip
    medians = startup(max(args.runs // 3, 3))
    print("\nstartup to first full screen (whole process, under script)")
    for name, value in medians.items():
        print(f"  {name}: median {value * 1000:6.0f} ms")


if __name__ == "__main__":
    os.environ.pop("READER_HOME", None)
    main()
