"""The local inbox: which files are complete, and where they go when done.

A file is ready once its size and mtime did not change between two polls (a partner still
writing it is left alone). After processing it moves to ``done/``; a file the hub refuses as a
whole (no header, wrong columns, not text) moves to ``failed/`` with a ``.reason`` file beside
it.

Only regular files are read. A symbolic link, a FIFO, a socket or a device whose name matches
a pattern is never opened: it is moved aside to ``failed/`` as it is (a link is renamed, not
followed) with its reason, and handed out once by :meth:`Inbox.take_refused` so the hub can
say so. With ``follow_symlinks_inside`` a link whose target is a regular file inside the inbox
is read like one.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import RecordError
from connectors.sdk.file_names import name_matches

log = logging.getLogger(__name__)

__all__ = ["Inbox", "RefusedEntry"]


@dataclass(frozen=True, slots=True)
class RefusedEntry:
    """An inbox entry that is not a regular file: where it was, where it went, and why."""

    path: Path
    #: where it was moved (``None`` when it could not be moved: it is reported once)
    moved: Path | None
    reason: str


class Inbox:
    """A folder polled for files matching ``pattern`` (or any of several patterns)."""

    def __init__(
        self,
        root: Path,
        pattern: str | Sequence[str] = "*.csv",
        *,
        follow_symlinks_inside: bool = False,
    ) -> None:
        self.root = root
        self.patterns = [pattern] if isinstance(pattern, str) else list(pattern)
        self.done = root / "done"
        self.failed = root / "failed"
        self.follow_symlinks_inside = follow_symlinks_inside
        self._seen: dict[Path, tuple[int, int]] = {}
        self._refused: list[RefusedEntry] = []
        #: entries refused that could not be moved: reported once, then skipped
        self._reported: set[Path] = set()

    def ready(self) -> list[Path]:
        """Files whose size and mtime held still since the previous call, oldest first."""
        self.root.mkdir(parents=True, exist_ok=True)
        now: dict[Path, tuple[int, int]] = {}
        ready = []
        signatures = self._scan()
        for path in sorted(signatures, key=lambda p: signatures[p][1]):
            sig = signatures[path]
            now[path] = sig
            if self._seen.get(path) == sig:
                ready.append(path)
        self._seen = now
        return ready

    def pending(self) -> list[Path]:
        """Every file in the inbox that a pattern matches, complete or not."""
        return list(self._scan())

    def take_refused(self) -> list[RefusedEntry]:
        """The entries refused since the last call (each is handed out once)."""
        refused, self._refused = self._refused, []
        return refused

    def _scan(self) -> dict[Path, tuple[int, int]]:
        """Regular files matching a pattern → (size, mtime); refuses what else matches."""
        found: dict[Path, tuple[int, int]] = {}
        with os.scandir(self.root) as entries:
            for entry in entries:
                if not any(name_matches(entry.name, pat) for pat in self.patterns):
                    continue
                path = Path(entry.path)
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # gone between the listing and the look
                    continue
                if stat.S_ISDIR(st.st_mode):
                    continue  # done/, failed/ and a partner's folders are not files
                if stat.S_ISLNK(st.st_mode):
                    target = self._inside_target(path)
                    if target is None:
                        self._refuse(path, _describe(path, st))
                        continue
                    st = target
                elif not stat.S_ISREG(st.st_mode):
                    self._refuse(path, _describe(path, st))
                    continue
                found[path] = (st.st_size, st.st_mtime_ns)
        return found

    def check_regular(self, path: Path) -> None:
        """Refuse ``path`` (:class:`RecordError`) unless it is still a file the inbox reads.

        The readers open it by name after it was listed; this narrows the time in which it
        could be swapped for a link or a FIFO to the moment between this look and theirs.
        """
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise RecordError(str(path), "gone from the inbox before it was read") from None
        if stat.S_ISREG(st.st_mode):
            return
        if stat.S_ISLNK(st.st_mode) and self._inside_target(path) is not None:
            return
        raise RecordError(
            str(path), f"{_describe(path, st)} since it was listed: refused, never opened"
        )

    def _inside_target(self, link: Path) -> os.stat_result | None:
        """The stat of a link's target when links inside are allowed and it is a regular file
        inside the inbox; ``None`` otherwise."""
        if not self.follow_symlinks_inside:
            return None
        try:
            target = link.resolve(strict=True)
            root = self.root.resolve(strict=True)
            st = target.stat()
        except (OSError, RuntimeError):  # dangling, a loop, or gone
            return None
        if not target.is_relative_to(root) or not stat.S_ISREG(st.st_mode):
            return None
        return st

    def _refuse(self, path: Path, what: str) -> None:
        """Move a non-regular entry aside, unopened, and keep its refusal for the hub."""
        if path in self._reported:
            return
        rule = "only regular files in the inbox are read"
        if self.follow_symlinks_inside:
            rule += " (and links to regular files inside it)"
        try:
            moved = self._move(path, self.failed)
        except OSError as exc:
            self._reported.add(path)
            reason = f"{path} is {what}: refused, never opened; {rule}. Not moved: {exc}"
            self._refused.append(RefusedEntry(path, None, reason))
            return
        reason = f"{path} is {what}: refused, never opened; {rule}. Moved to {moved}"
        moved.with_name(moved.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        self._refused.append(RefusedEntry(path, moved, reason))

    def target(self, path: Path, *, failed: bool = False) -> Path:
        """Where :meth:`settle` would move ``path`` now (a free name in done/ or failed/)."""
        target_dir = self.failed if failed else self.done
        target = target_dir / path.name
        if os.path.lexists(target):  # same name seen before: keep both, never overwrite
            stem, n = target.stem, 1
            while os.path.lexists(target):
                target = target_dir / f"{stem}.{n}{path.suffix}"
                n += 1
        return target

    def settle(
        self,
        path: Path,
        *,
        failed: bool = False,
        reason: str | None = None,
        target: Path | None = None,
    ) -> Path:
        """Move a processed file out of the inbox (to ``target`` if given); its new path.

        A file already gone (moved by another hub reading the same folder, or taken back by its
        sender) is not this hub's failure: what it published and dead-lettered stands, event
        ids absorb a second reading, and the run goes on. Its old path is returned.
        """
        try:
            moved = self._move(path, self.failed if failed else self.done, target)
        except FileNotFoundError:
            if os.path.lexists(path):
                raise  # the inbox's own folders are missing: not a vanished file
            log.warning("%s: gone from the inbox before it could be moved; left as it is", path)
            self._seen.pop(path, None)
            return path
        if reason:
            moved.with_name(moved.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        self._seen.pop(path, None)
        return moved

    def _move(self, path: Path, target_dir: Path, target: Path | None = None) -> Path:
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target or self.target(path, failed=target_dir == self.failed)
        # a rename moves a link or a FIFO itself; shutil.move would copy across filesystems
        # and follow a link, so only a regular file may take that way
        try:
            os.rename(path, target)
        except OSError:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                raise
            shutil.move(str(path), target)
        return target


def _describe(path: Path, st: os.stat_result) -> str:
    """What an entry is, in words (a link's target is named, never opened)."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        try:
            return f"a symbolic link (to {os.readlink(path)})"
        except OSError:
            return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
