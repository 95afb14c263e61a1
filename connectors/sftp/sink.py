"""The SFTP sink: canonical events written as a JSON Lines file, appearing atomically.

A batch is uploaded under a temporary name (``NAME.part``, which a partner's glob does not
match) and renamed to its final name only once complete, with OpenSSH's posix-rename (atomic,
replacing). The name derives from the events' ids, so a retried write of the same batch lands
on the same file instead of adding a second copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import ClassVar

from pydantic import Field

from connectors.errors import RecordError
from connectors.sdk import Decision, Event, RowKey, Sink, WriteReport
from connectors.sftp.config import SftpConfig
from connectors.sftp.errors import SFTP_ERROR_ROWS
from connectors.sftp.session import SftpSession, translated_errors

__all__ = ["SftpSink", "SftpSinkConfig", "batch_name"]


class SftpSinkConfig(SftpConfig):
    """An SFTP folder receiving canonical events as JSON Lines files."""

    pattern: str = "*.jsonl"
    file_prefix: str = Field("events-", description="start of every uploaded file's name")
    max_event_bytes: int = Field(
        1 << 20, ge=1, description="an event larger than this once serialised is refused"
    )


def batch_name(prefix: str, ids: Sequence[str]) -> str:
    """The file name of a batch: the same ids always give the same name."""
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:20]
    return f"{prefix}{digest}.jsonl"


class SftpSink(Sink[SftpSinkConfig]):
    """Uploads each batch of events as one JSON Lines file (temporary name, then rename)."""

    name: ClassVar[str] = "sftp-out"
    config_model: ClassVar[type[SftpSinkConfig]] = SftpSinkConfig
    error_rows: ClassVar[Mapping[RowKey, Decision]] = SFTP_ERROR_ROWS

    def probe(self) -> str:
        """Connect, authenticate and look at the target folder."""
        cfg = self.config
        with SftpSession(cfg) as session:
            session.list_files(cfg.remote_dir)
        return f"sftp://{cfg.username}@{cfg.host}:{cfg.port}{cfg.remote_dir}"

    def write(self, events: Sequence[Event]) -> WriteReport:
        """Upload ``events`` as one file; refuse (for good) an event that cannot be serialised."""
        report = WriteReport()
        lines: list[bytes] = []
        ids: list[str] = []
        for event in events:
            event_id = str(event.get("id", ""))
            try:
                line = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
            except (TypeError, ValueError) as exc:
                report.rejected.append(RecordError(event_id, f"not serialisable: {exc}"))
                continue
            if not event_id or len(line) > self.config.max_event_bytes:
                why = "no id" if not event_id else f"{len(line)} bytes, over max_event_bytes"
                report.rejected.append(RecordError(event_id or "(no id)", why, raw=line))
                continue
            lines.append(line + b"\n")
            ids.append(event_id)
        if not lines:
            return report
        cfg = self.config
        final = cfg.remote_path(batch_name(cfg.file_prefix, ids))
        temporary = final + cfg.upload_suffix
        with SftpSession(cfg) as session:
            session.require_folder(cfg.remote_dir)
            with (
                session.open_file(temporary, "wb") as fh,
                translated_errors(f"writing {temporary}"),
            ):
                fh.write(b"".join(lines))
            session.rename(temporary, final)
        report.written.extend(ids)
        return report
