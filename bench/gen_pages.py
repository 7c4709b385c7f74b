"""Generate N text pages in the seed's layout (used by the ingest benchmark)."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = (
    "harbour council market quay bonds ferry river tram bakery audit report season "
    "season weather forecast minister budget school rail museum festival trade union "
    "shares growth island bridge station museum lender savings energy grid coast"
).split()
SITES = ["Aspire Money Growth", "Harbour Ledger", "Northwind Daily", "The Copper Gazette"]
SECTIONS = ["Markets", "Sport", "Science > Space", "Culture", "Local", "Weather"]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def title_of(i: int) -> str:
    return f"Story {i}: {WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} news"


def page_text(i: int, n: int, rng: random.Random) -> str:
    """One page of about 3 KB: 8 paragraphs, 10 related, 8 ranking, 6 recommended."""
    title = title_of(i)
    body = "\n".join(" ".join(_sentence(rng, 12) for _ in range(4)) for _ in range(8))
    related = "".join(f"- {title_of(rng.randrange(n))}\n" for _ in range(10))
    ranking = "".join(f"- {title_of(rng.randrange(n))}\n" for _ in range(8))
    recommended = "".join(f"{title_of(rng.randrange(n))}\n" for _ in range(6))
    return (
        f"Current:Home > {SECTIONS[i % len(SECTIONS)]}{title} -{SITES[i % len(SITES)]}\n"
        f"{title}\nView\nDate:2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00\n"
        f"{body}\nveryGood! ({i % 500})\nRelated\n{related}Ranking\n{ranking}"
        f"Recommendation\n{recommended}"
    )


def article_markdown(words: int, seed: int = 7) -> str:
    """A long article body: paragraphs of ~100 words, some with emphasis and links."""
    rng = random.Random(seed)
    paragraphs = []
    for i in range(max(1, words // 100)):
        text = " ".join(rng.choice(WORDS) for _ in range(100))
        if i % 3 == 0:
            text = text.replace(" harbour ", " **harbour** ", 1)
        if i % 5 == 0:
            text += f" [Read more](https://example.org/story/{i})."
        paragraphs.append(text)
    return "\n".join(paragraphs)


def long_page(i: int, words: int) -> str:
    """A page in the seed's layout whose body is ``words`` words long."""
    title = f"Long read {i}: {words} words on the {WORDS[i % len(WORDS)]}"
    related = "".join(f"- Long read {(i + k) % 30}: {words} words\n" for k in (1, 2, 3))
    return (
        f"Current:Home > Long reads{title} -Harbour Ledger\n{title}\nView\n"
        f"Date:2025-06-{1 + i % 28:02d} 08:00:{i % 60:02d}\n"
        f"{article_markdown(words, seed=i)}\nveryGood! ({i})\nRelated\n{related}"
    )


def generate_long(folder: Path, n: int, words: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"long-{i:03d}.txt").write_text(long_page(i, words), encoding="utf-8")


def generate(folder: Path, n: int, seed: int = 1) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for i in range(n):
        (folder / f"{i:06d}.txt").write_text(page_text(i, n, rng), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    generate(args.folder, args.n)
