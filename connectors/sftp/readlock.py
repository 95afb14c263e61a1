"""Read locks: when is a remote file complete, so that reading it cannot catch it half-written?

SFTP has no locks. Two conventions are common with trading partners:

- ``stable-size``: the file's size and mtime did not change between two polls (the partner's
  upload would have grown it). Costs one poll interval of latency; needs nothing from the partner.
- ``marker``: the partner writes ``NAME.ready`` (any suffix) after ``NAME`` is complete. Exact,
  when the partner follows it.

(A partner uploading under a temporary name and renaming needs no lock: the glob does not match
the temporary name, a hidden ``.NAME`` included: see :func:`matching`.)

A lock keeps no memory of its own: what ``stable-size`` saw at the last poll is a
:data:`Watch` the caller stores with the source's state and hands back at the next poll. Every
path that reads a source (``crossdock run``, ``crossdock connector read``, the hub's poller)
builds a new source object per read, so a memory kept in the object never saw two polls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from connectors.sdk.file_names import name_matches
from connectors.sftp.config import SftpConfig
from connectors.sftp.session import RemoteFile

__all__ = ["MarkerFile", "ReadLock", "StableSize", "Watch", "candidates", "lock_for", "matching"]

#: what a lock saw at a poll, for the next one: path → [size, mtime] (JSON, for the state)
Watch = dict[str, list[int]]


def matching(files: Sequence[RemoteFile], pattern: str) -> list[RemoteFile]:
    """The files whose name matches the glob ``pattern`` (:func:`connectors.sdk.name_matches`:
    case-sensitive, like the server, and a hidden ``.NAME`` only by a pattern naming one)."""
    return [f for f in files if name_matches(f.name, pattern)]


def candidates(listing: Sequence[RemoteFile], config: SftpConfig) -> list[RemoteFile]:
    """The files of a listing that may be data: the glob's, minus markers and uploads."""
    skip = [config.upload_suffix]
    if config.read_lock == "marker":
        skip.append(config.marker_suffix)
    return [f for f in matching(listing, config.pattern) if not f.name.endswith(tuple(skip))]


class ReadLock(Protocol):
    """Decides which matching files are complete, given the listing and the last poll's watch."""

    def ready(
        self,
        candidates: Sequence[RemoteFile],
        listing: Sequence[RemoteFile],
        watched: Mapping[str, Sequence[int]],
    ) -> tuple[list[RemoteFile], Watch]:
        """The candidates that may be read now, and the watch to hand to the next poll."""
        ...


class StableSize:
    """Ready once size and mtime are the same as at the previous poll."""

    def ready(
        self,
        candidates: Sequence[RemoteFile],
        listing: Sequence[RemoteFile],
        watched: Mapping[str, Sequence[int]],
    ) -> tuple[list[RemoteFile], Watch]:
        """Candidates unchanged since ``watched``; this poll's sizes and mtimes to remember."""
        now = {f.path: [f.size, f.mtime] for f in candidates}
        ready = [f for f in candidates if list(watched.get(f.path, ())) == now[f.path]]
        return ready, now


class MarkerFile:
    """Ready once a marker file ``NAME + suffix`` exists beside ``NAME``."""

    def __init__(self, suffix: str = ".ready") -> None:
        self.suffix = suffix

    def ready(
        self,
        candidates: Sequence[RemoteFile],
        listing: Sequence[RemoteFile],
        watched: Mapping[str, Sequence[int]],
    ) -> tuple[list[RemoteFile], Watch]:
        """Candidates with a marker in the same listing (nothing to remember)."""
        names = {f.path for f in listing}
        return [f for f in candidates if f.path + self.suffix in names], {}

    def marker_of(self, remote: RemoteFile) -> str:
        """The marker's path for ``remote`` (moved along with it when it is settled)."""
        return remote.path + self.suffix


def lock_for(config: SftpConfig) -> ReadLock:
    """The read lock ``config`` names."""
    return MarkerFile(config.marker_suffix) if config.read_lock == "marker" else StableSize()
