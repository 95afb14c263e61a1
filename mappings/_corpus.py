"""Where the third-party document corpus lives, and how a golden case names a document in it.

Real documents from other projects are third-party data: they stay in ``../shared/corpus``
beside the project checkout (CI puts it there) and are never copied into the project. A golden
case names one by its path relative to the corpus root (``x12/nodex12_850.edi``). The root is
``$CROSSDOCK_CORPUS`` when set, else ``<project>/../shared/corpus``.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = ["CORPUS_ENV", "corpus_document", "corpus_root"]

CORPUS_ENV = "CROSSDOCK_CORPUS"
"""The environment variable that overrides where the corpus is."""

_PROJECT = Path(__file__).resolve().parents[1]


def corpus_root() -> Path:
    """The corpus folder: ``$CROSSDOCK_CORPUS``, else ``../shared/corpus`` beside the project."""
    override = os.environ.get(CORPUS_ENV)
    if override:
        return Path(override)
    return _PROJECT.parent / "shared" / "corpus"


def corpus_document(relative: str) -> Path:
    """The path of a corpus document named relative to the root (it may not exist).

    ``ValueError`` for a name that is absolute or climbs out of the root: a reference says
    which corpus document, never where on this machine.
    """
    name = PurePosixPath(relative.strip())
    if not relative.strip() or name.is_absolute() or ".." in name.parts or "\\" in relative:
        raise ValueError(f"{relative!r} is not a path relative to the corpus root")
    return corpus_root().joinpath(*name.parts)
