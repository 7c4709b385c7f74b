"""Decoding pages as browsers do: a Latin-1 label means windows-1252."""

from __future__ import annotations

import pytest

from reader.ingest.decode import decode_html

PAGE = b"<html><head>%s</head><body><p>Don\x92t \x93quote\x94 \x96 \x80 caf\xe9</p></body></html>"


@pytest.mark.parametrize(
    ("head", "declared"),
    [
        (b'<meta charset="iso-8859-1">', None),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=latin1">', None),
        (b"", "ISO-8859-1"),
        (b"", "us-ascii"),
    ],
)
def test_a_latin_1_label_reads_as_windows_1252(head: bytes, declared: str | None) -> None:
    # Read as real Latin-1, 0x92 and friends are C1 controls that cleaning deletes.
    assert "<p>Don’t “quote” – € café</p>" in decode_html(PAGE % head, declared)


def test_a_byte_windows_1252_leaves_unused_still_decodes() -> None:
    assert decode_html(b"<html><body>caf\xe9 \x81</body></html>", "iso-8859-1").endswith(
        "café \x81</body></html>"
    )
