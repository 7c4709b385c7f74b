"""How alike two stories are: their telling words, and MinHash signatures for copies.

Pure functions over text, used by the store's analysis of new stories:

* ``term_counts`` and ``term_weights``: a story's words as a sublinear tf-idf vector,
  cut to its ``DOC_TERMS`` heaviest terms and normalised; the related pane ranks
  stories by the dot product of such vectors (a cosine over the telling words).
* ``signature``: a one-permutation MinHash of the story's word 3-shingles (Li, Owen
  and Zhang 2012, densified by rotation), each value cut to its low byte (b-bit
  MinHash, Li and König 2010), and ``resemblance`` to confirm that a candidate (found
  by the full-text index) is a copy.

Measured on the BBC News set (``bench/bench_related.py``, ``bench/bench_copies.py``).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Mapping
from operator import eq, itemgetter, xor

DOC_TERMS = 48
"""Terms a story's vector keeps when a related search scores it. Precision@5 on the BBC set
(``bench/bench_related.py``, unsmoothed idf): 0.914 with 48 here and 128 query terms,
0.912 with 64 and 64, 0.903 with 48 and 64; with the smoothed ``idf``, 0.923 at 48 and
128. The TF-IDF cosine over every word: 0.906. (Measured when these terms were stored
as postings; since cache migration 16 each candidate the full-text index finds has its
vector made from its text when it is scored: 0.928.)"""

QUERY_TERMS = 128
"""Terms of the asking story's vector, against which candidates are scored."""

RARE_TERMS = 8
"""Terms no other story has, kept in a candidate's vector besides ``DOC_TERMS``."""

TITLE_WEIGHT = 3
"""A title word counts as this many body words."""

HASHES = 63
"""MinHash values per signature, a byte each."""

_CHANCE = 1 / 256
"""How often two one-byte values agree by chance (b-bit MinHash with b = 8)."""

MIN_SHINGLES = 24
"""Stories with fewer shingles (a headline and a line of summary) are never grouped as
copies: too little text to tell a copy from a story on the same subject."""

COPY_RESEMBLANCE = 0.4
"""Estimated Jaccard similarity of shingles from which one story is a copy of another."""

_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_SHINGLE_A = 0xC2B2AE3D27D4EB4F
_SHINGLE_B = 0x165667B19E3779F9


def fold(text: str) -> str:
    """Text as the full-text index keeps it: lower case, without diacritics."""
    text = text.lower()
    if text.isascii():
        return text
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def words(text: str, stopwords: frozenset[str] = frozenset()) -> list[str]:
    """The folded words of ``text`` of three characters or more, without lone numbers
    and ``stopwords``: close to the index's tokenizer, many times faster."""
    return _telling(_WORD.findall(fold(text)), stopwords)


def _telling(found: list[str], stopwords: frozenset[str]) -> list[str]:
    return [w for w in found if len(w) > 2 and w not in stopwords and not w.isdigit()]


def term_counts(title: str, body: str, stopwords: frozenset[str]) -> Counter[str]:
    """How often each telling word occurs, a title word counting ``TITLE_WEIGHT``."""
    return _counts(_WORD.findall(fold(title)), _WORD.findall(fold(body)), stopwords)


def _counts(title: list[str], body: list[str], stopwords: frozenset[str]) -> Counter[str]:
    counts = Counter(body)  # counted first, each distinct word then tested once
    for word in [w for w in counts if len(w) < 3 or w in stopwords or w.isdigit()]:
        del counts[word]
    for word in _telling(title, stopwords):
        counts[word] += TITLE_WEIGHT
    return counts


def features(title: str, body: str, stopwords: frozenset[str]) -> tuple[Counter[str], bytes | None]:
    """``term_counts`` and ``signature`` of a story, its text split once."""
    title_words = _WORD.findall(fold(title))
    body_words = _WORD.findall(fold(body))
    return _counts(title_words, body_words, stopwords), _signature(title_words + body_words)


def idf(frequency: int, total: int) -> float:
    """Inverse document frequency, smoothed (ln((1 + total) / (1 + frequency)) + 1: a
    word every story has still counts a little); 0 for a term no other story has (it
    finds nothing)."""
    return math.log((1 + total) / (1 + frequency)) + 1.0 if frequency > 1 else 0.0


_TF = [0.0, *(1.0 + math.log(n) for n in range(1, 64))]


def term_weights(
    counts: Mapping[str, int],
    idfs: Mapping[str, float],
    keep: int,
    rare: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The ``keep`` heaviest terms of a story as an l2-normalised tf-idf vector, the
    heaviest first.

    tf is sublinear (1 + log count), ``idfs`` gives each term's idf (``idf``). ``rare``
    gives an idf to terms no other story has (a name in the only story about
    something): up to ``RARE_TERMS`` of them are kept besides, so that a story of
    words no other has does not seem close to any sharing its few common ones.
    """
    weights = {
        term: (_TF[count] if count < 64 else 1.0 + math.log(count)) * idfs.get(term, 0.0)
        for term, count in counts.items()
    }
    best = sorted(weights.items(), key=itemgetter(1), reverse=True)[:keep]
    best = [item for item in best if item[1] > 0]
    if rare:
        unique = {
            term: (_TF[count] if count < 64 else 1.0 + math.log(count)) * rare[term]
            for term, count in counts.items()
            if term in rare
        }
        best += sorted(unique.items(), key=itemgetter(1), reverse=True)[:RARE_TERMS]
    norm = math.sqrt(sum(w * w for _, w in best)) or 1.0
    return {term: w / norm for term, w in best}


def shingle_set(title: str, body: str) -> set[int]:
    """The 64-bit hashes of the story's word 3-shingles (as ``signature`` hashes them)."""
    return set(_shingle_hashes(_WORD.findall(fold(f"{title}\n{body}"))))


def _shingle_hashes(found: list[str]) -> list[int]:
    """The hash of each word 3-shingle: the exclusive or of its words' three mixes."""
    first, second, third = _word_mixes(found)
    one = list(map(first.__getitem__, found[:-2]))
    two = list(map(second.__getitem__, found[1:-1]))
    three = list(map(third.__getitem__, found[2:]))
    return list(map(xor, map(xor, one, two), three))


def fullest(bodies: list[str]) -> int:
    """Which of a group's copies (by their bodies) is the fullest: the one holding the
    most shingles that another copy confirms (boilerplate a site added counts for
    nothing, a cut copy has fewer). Between equals: in a group of three or more, the
    one with less text no other copy has (what only one copy says is likelier its
    site's boilerplate than the story); of two, the longer; then the first."""
    sets = [shingle_set("", body) for body in bodies]
    seen: Counter[int] = Counter(h for s in sets for h in s)
    alone = {h for h, n in seen.items() if n == 1}
    scores = [len(s) - len(s & alone) for s in sets]
    sign = -1 if len(bodies) >= 3 else 1
    return max(
        range(len(bodies)),
        key=lambda n: (scores[n], sign * (len(sets[n]) - scores[n]), -n),
    )


_MIXES: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
_MIXES_KEPT = 200_000
"""Words whose three mixes are remembered (news repeats its words: most are known)."""


def _word_mixes(found: list[str]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Each word's crc32 mixed to 64 bits three ways (remembered across stories)."""
    first, second, third = _MIXES
    new = set(found).difference(first)
    if len(first) + len(new) > _MIXES_KEPT:
        for known in _MIXES:
            known.clear()
        new = set(found)
    for word in new:
        value = zlib.crc32(word.encode()) | 1
        first[word] = (value * _GOLDEN) & _MASK
        second[word] = (value * _SHINGLE_A) & _MASK
        third[word] = (value * _SHINGLE_B) & _MASK
    return first, second, third


def signature(title: str, body: str) -> bytes | None:
    """A one-permutation MinHash of the story's word 3-shingles: ``HASHES`` values of a
    byte, or None when there are fewer than ``MIN_SHINGLES`` shingles.

    Each word is hashed once (crc32, mixed to 64 bits three ways); a shingle's hash
    is the exclusive or of its words' three mixes; its bin is that value modulo
    ``HASHES``, and the bin keeps the smallest value (its high 32 bits). An empty
    bin takes the value of the next full bin (densification by rotation), so two
    signatures agree in a bin with probability close to the Jaccard similarity of
    the two shingle sets. Each value keeps its low byte (``narrow``): values that
    agree still agree, others agree by chance one time in 256 (``resemblance``
    corrects for it), a quarter of the bytes.
    """
    return _signature(_WORD.findall(fold(f"{title}\n{body}")))


def _signature(found: list[str]) -> bytes | None:
    if len(found) < MIN_SHINGLES + 2:
        return None
    mixed = _shingle_hashes(found)
    mixed.sort(reverse=True)
    mins = {value % HASHES: value >> 32 for value in mixed}  # the smallest comes last
    values = array("I")
    for slot in range(HASHES):
        step = 0
        while (low := mins.get((slot + step) % HASHES)) is None:
            step += 1
        values.append((low + step) & 0xFFFFFFFF)  # the offset keeps rotated values apart
    return narrow(values.tobytes())


def narrow(wide: bytes) -> bytes:
    """A signature of 32-bit values (as stored before cache migration 16) as ``signature``
    makes it: the low byte of each value. Any other value is given back as it is (one
    made narrow already; one of another size, which ``resemblance`` never matches)."""
    if len(wide) != 4 * HASHES:
        return wide
    return bytes(value & 0xFF for value in array("I", wide))


def resemblance(one: bytes, other: bytes) -> float:
    """The Jaccard similarity of two stories' shingle sets, as their signatures
    estimate it: the share of bins in which they agree, less the agreements of chance."""
    if len(one) != len(other) or not one:
        return 0.0
    agreeing: int = sum(map(eq, one, other))
    return max(0.0, (agreeing / len(one) - _CHANCE) / (1 - _CHANCE))
