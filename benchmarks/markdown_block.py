"""BENCHMARKS.md is written by more than one command: each rewrites only its own marked block.

``make bench`` writes its table between ``<!-- make bench -->`` and ``<!-- /make bench -->``,
``make bench-peers`` its own between ``<!-- bench-peers -->`` and ``<!-- /bench-peers -->``;
what is outside the blocks (how earlier rows were measured, written by hand) is kept.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_block"]

TITLE = "# Benchmarks"


def write_block(path: Path, start: str, end: str, body: str) -> str:
    """Put ``body`` between the ``start`` and ``end`` marker lines of ``path``, in place of what
    was there; where the markers are not there yet, the block goes after the title (a new file
    gets one). Returns the file's new text."""
    block = f"{start}\n{body.strip(chr(10))}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{TITLE}\n"
    if start in text and end in text.split(start, 1)[1]:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    elif text.startswith(TITLE + "\n"):
        text = f"{TITLE}\n\n{block}\n\n" + text[len(TITLE) + 1 :].lstrip("\n")
    else:
        text = f"{TITLE}\n\n{block}\n\n{text}"
    text = text.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")
    return text
