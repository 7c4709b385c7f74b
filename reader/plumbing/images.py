"""Pictures for the article pane: fetched on demand into a capped cache, checked, decoded.

``fetch_image`` downloads one picture with ``fetch``'s rules (http(s) only, addresses
checked hop by hop, timeouts), at most ``MAX_IMAGE_BYTES``, only when the server
calls it an image and its first bytes are a PNG, JPEG, GIF or WebP. What it keeps
goes into an ``ImageCache``: one file per URL under the home's cache folder, the
whole folder held under a size cap by dropping the least recently used files.

``decode_image`` opens the bytes with Pillow (an optional dependency: the
``images`` extra) and reads the dimensions from the header before any pixel is
decoded, so a decompression bomb is refused by its size alone; then it decodes the
first frame, shrunk to what a terminal can show. Whatever a hostile file makes
Pillow raise comes back as one ``ImageError``.

Nothing here knows of stories or terminals; nothing here runs unless asked.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from reader.base.errors import ImageError
from reader.plumbing.fetch import PUBLIC_ONLY, FetchPolicy, fetch_media

if TYPE_CHECKING:
    from PIL.Image import Image

_log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""The largest picture downloaded."""
MAX_PIXELS = 24_000_000
"""The most pixels a picture may declare (6000 × 4000): a bigger one is refused before
it is decoded, so a decompression bomb costs a header's read."""
CACHE_MAX_BYTES = 64 * 1024 * 1024
"""The most the picture cache holds on disk; the least recently used go first."""
FIT_PIXELS = (640, 640)
"""A decoded picture is shrunk to fit this: more than any terminal shows of it."""
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""The pictures asked for (the formats Pillow is allowed to open)."""
SERVED_TYPES = (*IMAGE_TYPES, "image/jpg", "image/pjpeg", "image/x-png",
                "application/octet-stream")  # fmt: skip
"""The content types a picture may be served as: servers name JPEGs and PNGs in odd
ways, or not at all; the bytes decide (``sniff``)."""
_SUFFIX = ".img"


def sniff(data: bytes) -> str | None:
    """The Pillow format name of ``data`` by its first bytes, if it is one we open."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


class ImageCache:
    """Pictures on disk, one file per URL, the folder kept under ``max_bytes``.

    Reading a picture marks it used (its modification time); storing one drops the
    least recently used files until the folder fits. Files are written whole
    (a temporary file renamed), so a reader never sees half a picture.
    """

    def __init__(self, folder: Path, max_bytes: int = CACHE_MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def path_for(self, url: str) -> Path:
        """Where the picture from ``url`` is kept."""
        digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{digest}{_SUFFIX}"

    def get(self, url: str) -> bytes | None:
        """The cached bytes of ``url``'s picture, or None; a hit counts as a use."""
        path = self.path_for(url)
        try:
            data = path.read_bytes()
            os.utime(path)
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable: fetched again, and replaced
            _log.info("picture cache: cannot read %s: %s", path, exc)
            return None
        return data

    def put(self, url: str, data: bytes) -> None:
        """Keep ``data`` as ``url``'s picture, then trim the folder to the cap."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                fd, partial = tempfile.mkstemp(dir=self.folder, suffix=".part")
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(partial, self.path_for(url))
            except OSError as exc:  # a full or read-only disk: shown, just not kept
                _log.info("picture cache: cannot store %s: %s", url, exc)
                return
            self._trim()

    def drop(self, url: str) -> None:
        """Forget ``url``'s picture (one that turned out not to decode)."""
        try:
            self.path_for(url).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            _log.info("picture cache: cannot drop %s: %s", url, exc)

    def size(self) -> int:
        """Bytes the cached pictures take."""
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries = []
        try:
            with os.scandir(self.folder) as found:
                for entry in found:
                    if not entry.name.endswith(_SUFFIX):
                        continue
                    try:
                        info = entry.stat()
                    except FileNotFoundError:  # dropped by another reader meanwhile
                        continue
                    entries.append((info.st_mtime, info.st_size, Path(entry.path)))
        except FileNotFoundError:
            return []
        return entries

    def _trim(self) -> None:
        entries = sorted(self._entries(), key=lambda entry: entry[0])
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                _log.info("picture cache: cannot drop %s: %s", path, exc)
                continue
            total -= size


def fetch_image(
    url: str,
    cache: ImageCache,
    *,
    policy: FetchPolicy = PUBLIC_ONLY,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> bytes:
    """The bytes of the picture at ``url``: from ``cache``, else fetched and cached.

    Raises ``FetchError`` (``FetchRefused`` for an address ``policy`` does not allow,
    ``ImageError`` for a body that is not a picture we open).
    """
    cached = cache.get(url)
    if cached is not None and sniff(cached) is not None:
        return cached
    fetched = fetch_media(
        url,
        types=SERVED_TYPES,
        max_bytes=max_bytes,
        policy=policy,
        what="picture",
        accept=",".join(IMAGE_TYPES),
    )
    if sniff(fetched.data) is None:
        raise ImageError(f"not a picture (served as {fetched.content_type})")
    cache.put(url, fetched.data)
    return fetched.data


def decode_image(
    data: bytes, *, max_pixels: int = MAX_PIXELS, fit: tuple[int, int] = FIT_PIXELS
) -> Image:
    """The first frame of the picture in ``data``, shrunk to fit ``fit``, as RGB or RGBA.

    The size is checked before decoding; every failure is an ``ImageError``.
    Needs Pillow (the ``images`` extra).
    """
    kind = sniff(data)
    if kind is None:
        raise ImageError("not a PNG, JPEG, GIF or WebP picture")
    try:
        from PIL import Image as PILImage
    except ImportError:
        raise ImageError("pictures need Pillow: pip install 'reader-tui[images]'") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=[kind]) as opened:
                width, height = opened.size
                if width <= 0 or height <= 0:
                    raise ImageError(f"a picture of {width}×{height} pixels")
                if width * height > max_pixels:
                    raise ImageError(f"picture too large: {width}×{height} pixels")
                if kind == "JPEG":  # decode at a fraction of the size where it can
                    opened.draft("RGB", fit)
                opened.seek(0)
                mode = "RGBA" if _has_alpha(opened) else "RGB"
                picture = opened if opened.mode == mode else opened.convert(mode)
                picture.thumbnail(fit, PILImage.Resampling.BOX)
                return picture.copy() if picture is opened else picture
    except ImageError:
        raise
    except Exception as exc:  # a hostile file makes Pillow raise almost anything
        _log.debug("cannot decode a picture: %r", exc)
        raise ImageError(f"cannot decode the picture: {type(exc).__name__}: {exc}"[:200]) from None


def _has_alpha(picture: Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
