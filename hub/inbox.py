"""The local inbox: which files are complete, and where they go when done.

A file is ready once its size and mtime did not change between two polls (a partner still
writing it is left alone). After processing it moves to ``done/``; a file the hub refuses as a
whole (no header, wrong columns) moves to ``failed/`` with a ``.reason`` file beside it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path

__all__ = ["Inbox"]


class Inbox:
    """A folder polled for files matching ``pattern`` (or any of several patterns)."""

    def __init__(self, root: Path, pattern: str | Sequence[str] = "*.csv") -> None:
        self.root = root
        self.patterns = [pattern] if isinstance(pattern, str) else list(pattern)
        self.done = root / "done"
        self.failed = root / "failed"
        self._seen: dict[Path, tuple[int, int]] = {}

    def ready(self) -> list[Path]:
        """Files whose size and mtime held still since the previous call, oldest first."""
        self.root.mkdir(parents=True, exist_ok=True)
        now: dict[Path, tuple[int, int]] = {}
        ready = []
        for path in sorted(self.pending(), key=lambda p: p.stat().st_mtime_ns):
            st = path.stat()
            sig = (st.st_size, st.st_mtime_ns)
            now[path] = sig
            if self._seen.get(path) == sig:
                ready.append(path)
        self._seen = now
        return ready

    def pending(self) -> list[Path]:
        """Every file in the inbox that a pattern matches, complete or not."""
        return [
            p
            for p in self.root.iterdir()
            if p.is_file() and any(fnmatchcase(p.name, pat) for pat in self.patterns)
        ]

    def settle(self, path: Path, *, failed: bool = False, reason: str | None = None) -> Path:
        """Move a processed file out of the inbox; returns its new path."""
        target_dir = self.failed if failed else self.done
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / path.name
        if target.exists():  # same name seen before: keep both, never overwrite
            stem, n = target.stem, 1
            while target.exists():
                target = target_dir / f"{stem}.{n}{path.suffix}"
                n += 1
        shutil.move(str(path), target)
        if reason:
            target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        self._seen.pop(path, None)
        return target
