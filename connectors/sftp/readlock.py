"""Read locks: when is a remote file complete, so that reading it cannot catch it half-written?

SFTP has no locks. Two conventions are common with trading partners:

- ``stable-size``: the file's size and mtime did not change between two polls (the partner's
  upload would have grown it). Costs one poll interval of latency; needs nothing from the partner.
- ``marker``: the partner writes ``NAME.ready`` (any suffix) after ``NAME`` is complete. Exact,
  when the partner follows it.

(A partner uploading under a temporary name and renaming needs no lock: the glob does not match
the temporary name.)
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Protocol

from connectors.sftp.session import RemoteFile

__all__ = ["MarkerFile", "ReadLock", "StableSize", "matching"]


def matching(files: Sequence[RemoteFile], pattern: str) -> list[RemoteFile]:
    """The files whose name matches the glob ``pattern`` (case-sensitive, like the server)."""
    return [f for f in files if fnmatch.fnmatchcase(f.name, pattern)]


class ReadLock(Protocol):
    """Decides which matching files are complete, given the whole folder listing."""

    def ready(
        self, candidates: Sequence[RemoteFile], listing: Sequence[RemoteFile]
    ) -> list[RemoteFile]:
        """The candidates that may be read now."""
        ...


class StableSize:
    """Ready once size and mtime are the same as at the previous poll (memory per instance)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int]] = {}

    def ready(
        self, candidates: Sequence[RemoteFile], listing: Sequence[RemoteFile]
    ) -> list[RemoteFile]:
        """Candidates unchanged since the last call; remembers this poll for the next one."""
        now = {f.path: (f.size, f.mtime) for f in candidates}
        ready = [f for f in candidates if self._seen.get(f.path) == now[f.path]]
        self._seen = now
        return ready


class MarkerFile:
    """Ready once a marker file ``NAME + suffix`` exists beside ``NAME``."""

    def __init__(self, suffix: str = ".ready") -> None:
        self.suffix = suffix

    def ready(
        self, candidates: Sequence[RemoteFile], listing: Sequence[RemoteFile]
    ) -> list[RemoteFile]:
        """Candidates with a marker in the same listing."""
        names = {f.path for f in listing}
        return [f for f in candidates if f.path + self.suffix in names]

    def marker_of(self, remote: RemoteFile) -> str:
        """The marker's path for ``remote`` (moved along with it when it is settled)."""
        return remote.path + self.suffix
