"""Which file names a drop folder's glob pattern takes, for every connector that polls one
(the hub's local inbox, SFTP): one rule, so a file one of them reads the other does too."""

from __future__ import annotations

from fnmatch import fnmatchcase

__all__ = ["name_matches"]


def name_matches(name: str, pattern: str) -> bool:
    """Whether the file called ``name`` matches the glob ``pattern`` (case-sensitive, as the
    file systems and SFTP servers partners use are).

    As in a shell, a name starting with a dot matches only a pattern starting with one:
    partners upload under a hidden temporary name (``.count.csv``) and rename the file when it
    is complete, and ``*.csv`` took the upload half-written (``fnmatch`` has no such rule).
    """
    return (pattern.startswith(".") or not name.startswith(".")) and fnmatchcase(name, pattern)
