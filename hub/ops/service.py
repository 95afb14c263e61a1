"""The console's operations on one database and bus: what the API, the page and the CLI call.

Every change an operator makes is audited in the hub's audit trail (subject ``dead_letters``):
who, what, when, the filter or ids, and how many letters it touched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from connectors.formats.csv import CsvFormat
from connectors.sdk.deadletter import DeadLetterStatus
from hub.auth import audit
from hub.bus.publisher import ConfirmedPublisher
from hub.config import Settings, csv_format_for
from hub.connector_bus import RoutesPublished
from hub.deadletter.letters import Letter, letters_from, select_letters
from hub.deadletter.model import DeadLetterRow
from hub.deadletter.service import DeadLetterService
from hub.errors import ConfigError, DeadLetterError
from hub.mapping_versions import MappingCatalog
from hub.migrations import check_schema
from hub.ops.filters import DeadLetterFilter
from hub.ops.pacing import Pacer
from hub.ops.redrive import (
    RedriveTaskRow,
    cancel_redrive,
    run_redrive,
    start_redrive,
)
from hub.partners import PartnerDirectory
from hub.replay import BatchOutcome, DryRun, Replayer, dry_run, render_letter
from mappings import spec_folders

__all__ = ["AUDIT_SUBJECT", "OpsService", "open_ops"]

log = logging.getLogger(__name__)

AUDIT_SUBJECT = "dead_letters"
MAX_IDS = 1000
"""Most letters one synchronous replay or discard by ids may name; more go by redrive task."""


@dataclass
class OpsService:
    """Dead-letter operations: replay (one, many, edited, through a version), discard, redrive."""

    engine: Engine
    settings: Settings
    catalog: MappingCatalog
    #: letters per second a synchronous replay by ids moves at most
    replay_rate: float | None = 500.0
    #: run redrive tasks in a background thread (off for an in-memory database: its one
    #: shared connection must not be used by two threads at once)
    background_tasks: bool = True
    #: ``crossdock run``'s in-process routing: replays and redrives are routed as published
    routing: RoutesPublished | None = None
    _formats: dict[str, CsvFormat] = field(default_factory=dict, init=False)
    _threads: dict[int, threading.Thread] = field(default_factory=dict, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)

    @property
    def bus_url(self) -> str:
        """Where replays publish."""
        return self.settings.resolved_bus_url

    def format_for(self, connector: str) -> CsvFormat:
        """The CSV reading rules of ``connector`` (defaults when it is not configured)."""
        fmt = self._formats.get(connector)
        if fmt is None:
            try:
                fmt = csv_format_for(self.settings.connector(connector), self.catalog.newest())
            except (ConfigError, KeyError):
                fmt = CsvFormat(required=())
            self._formats[connector] = fmt
        return fmt

    def replayer(self, publisher: ConfirmedPublisher) -> Replayer:
        """A replayer on ``publisher`` (one per thread)."""
        partners = PartnerDirectory(self.settings.partners)
        return Replayer(
            self.engine,
            publisher,
            self.catalog,
            self.format_for,
            partners=partners,
            routing=self.routing,
        )

    def _load(self, ids: Sequence[int]) -> list[Letter]:
        with self.engine.connect() as conn:
            rows = letters_from(
                conn, select_letters().where(DeadLetterRow.id.in_(ids)).order_by(DeadLetterRow.id)
            )
        missing = sorted(set(ids) - {r.id for r in rows})
        if missing:
            raise DeadLetterError(f"no dead letter with id {', '.join(map(str, missing[:20]))}")
        return rows

    # -- replay ---------------------------------------------------------------------------------
    def replay(
        self,
        ids: Sequence[int],
        *,
        actor: str,
        mapping_version: int | None = None,
        rate: float | None = None,
    ) -> BatchOutcome:
        """Replay the open letters ``ids`` now, at most ``rate`` (or the default cap) per second."""
        if not ids:
            raise DeadLetterError("name at least one dead letter to replay")
        if len(ids) > MAX_IDS:
            raise DeadLetterError(f"at most {MAX_IDS} ids at once; start a redrive for more")
        letters = self._load(ids)
        # the caller may ask for less than the service's cap, never for more
        caps = [r for r in (rate, self.replay_rate) if r]
        cap = min(caps) if caps else None
        pacer, outcome = Pacer(cap), BatchOutcome()
        step = max(1, min(100, int(cap))) if cap else 100
        with ConfirmedPublisher(self.bus_url) as publisher:
            replayer = self.replayer(publisher)
            for start in range(0, len(letters), step):
                chunk = letters[start : start + step]
                pacer.take(len(chunk))
                done = replayer.replay(chunk, actor=actor, mapping_version=mapping_version)
                outcome.replayed.update(done.replayed)
                outcome.failed.update(done.failed)
                outcome.skipped.update(done.skipped)
        audit(
            self.engine,
            actor=actor,
            action="replay",
            subject=AUDIT_SUBJECT,
            detail={
                "ids": list(ids)[:100],
                "count": len(ids),
                "replayed": len(outcome.replayed),
                "failed": len(outcome.failed),
                "mapping_version": mapping_version,
            },
        )
        return outcome

    def edit_and_replay(
        self, letter_id: int, payload: bytes, *, actor: str, mapping_version: int | None = None
    ) -> BatchOutcome:
        """Replay one letter with corrected bytes; the original bytes stay on the letter."""
        (letter,) = self._load([letter_id])
        with ConfirmedPublisher(self.bus_url) as publisher:
            outcome = self.replayer(publisher).replay(
                [letter],
                actor=actor,
                mapping_version=mapping_version,
                payloads={letter_id: payload},
                via="edit_and_replay",
            )
        audit(
            self.engine,
            actor=actor,
            action="edit_and_replay",
            subject=AUDIT_SUBJECT,
            detail={
                "ids": [letter_id],
                "count": 1,
                "replayed": len(outcome.replayed),
                "original_sha256": hashlib.sha256(letter.payload).hexdigest(),
                "edited_payload": payload.decode("utf-8", "replace")[:2000],
                "mapping_version": mapping_version,
            },
        )
        return outcome

    def dry_run(
        self, letter_id: int, *, mapping_version: int | None = None, payload: bytes | None = None
    ) -> DryRun:
        """What a replay through ``mapping_version`` (default newest) would publish; no write."""
        (letter,) = self._load([letter_id])
        partners = PartnerDirectory(self.settings.partners)
        if letter.mapping_id is None and not letter.context.get("format"):
            raise DeadLetterError(f"dead letter {letter_id} names no mapping: cannot replay it")
        try:
            proposed = render_letter(
                letter, self.catalog, self.format_for, mapping_version, payload, partners=partners
            )
        except KeyError as exc:
            raise DeadLetterError(str(exc.args[0])) from exc
        try:
            current = render_letter(
                letter, self.catalog, self.format_for, letter.mapping_version, partners=partners
            )
        except KeyError:  # the version that failed is no longer installed
            current = render_letter(letter, self.catalog, self.format_for, partners=partners)
        return dry_run(current, proposed, edited=payload is not None)

    # -- discard --------------------------------------------------------------------------------
    def discard(
        self,
        *,
        actor: str,
        reason: str,
        ids: Sequence[int] | None = None,
        flt: DeadLetterFilter | None = None,
    ) -> int:
        """Discard open letters by ids or filter, keeping them and the reason; returns how many."""
        if not reason.strip():
            raise DeadLetterError("a discard needs a reason")
        if (ids is None) == (flt is None):
            raise DeadLetterError("discard either ids or a filter")
        if ids is not None:
            if len(ids) > MAX_IDS:
                raise DeadLetterError(f"at most {MAX_IDS} ids at once; discard by filter")
            self._load(ids)
            flt = DeadLetterFilter(ids=tuple(ids))
        assert flt is not None
        flt = flt.model_copy(update={"status": DeadLetterStatus.OPEN.value})
        now = datetime.now(UTC)
        entry = {"action": "discard", "actor": actor, "at": now.isoformat(), "reason": reason}
        total, after = 0, 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    flt.apply(select(DeadLetterRow.id, DeadLetterRow.history), conn.dialect.name)
                    .where(DeadLetterRow.id > after)
                    .order_by(DeadLetterRow.id)
                    .limit(1000)
                ).all()
                if not rows:
                    break
                total += DeadLetterService.discard_rows(
                    conn, [(r.id, r.history) for r in rows], entry
                )
                after = rows[-1].id
        if ids is not None and total == 0:
            raise DeadLetterError("none of those dead letters is open: nothing discarded")
        audit(
            self.engine,
            actor=actor,
            action="discard",
            subject=AUDIT_SUBJECT,
            detail={"filter": flt.describe(), "count": total, "reason": reason},
        )
        return total

    # -- redrive --------------------------------------------------------------------------------
    def start_redrive(
        self,
        flt: DeadLetterFilter,
        *,
        actor: str,
        rate: float | None = None,
        mapping_version: int | None = None,
        background: bool = True,
    ) -> RedriveTaskRow:
        """Start a redrive task; in a background thread unless ``background`` is false."""
        task = start_redrive(
            self.engine, flt, actor=actor, rate=rate, mapping_version=mapping_version
        )
        audit(
            self.engine,
            actor=actor,
            action="redrive_start",
            subject=AUDIT_SUBJECT,
            detail={
                "task": task.id,
                "filter": flt.describe(),
                "count": task.to_move,
                "rate": rate,
                "mapping_version": mapping_version,
            },
        )
        if not (background and self.background_tasks):
            return self.run_task(task.id)
        thread = threading.Thread(
            target=self._run_logged, args=(task.id,), name=f"redrive-{task.id}", daemon=True
        )
        self._threads[task.id] = thread
        thread.start()
        return task

    def run_task(self, task_id: int) -> RedriveTaskRow:
        """Run a started task in this thread until it ends."""
        with ConfirmedPublisher(self.bus_url) as publisher:
            return run_redrive(task_id, self.replayer(publisher), stop=self._stop)

    def _run_logged(self, task_id: int) -> None:
        try:
            self.run_task(task_id)
        except Exception:  # recorded on the task row as well
            log.exception("redrive %s failed", task_id)

    def cancel_redrive(self, task_id: int, *, actor: str) -> RedriveTaskRow:
        """Ask a task to stop after its current batch."""
        task = cancel_redrive(self.engine, task_id)
        audit(
            self.engine,
            actor=actor,
            action="redrive_cancel",
            subject=AUDIT_SUBJECT,
            detail={"task": task_id, "filter": task.filter, "count": task.moved},
        )
        return task

    def wait(self, task_id: int, timeout: float) -> None:
        """Wait for a background task of this process to end (tests, shutdown)."""
        thread = self._threads.get(task_id)
        if thread is not None:
            thread.join(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop background tasks after their current batch (they end ``interrupted``)."""
        self._stop.set()
        for thread in self._threads.values():
            thread.join(timeout)


def _mapping_dirs(environ: dict[str, str] | None = None) -> list[Path]:
    env = os.environ if environ is None else environ
    extra = env.get("CROSSDOCK_MAPPINGS_DIRS", "")
    return [Path(p) for p in extra.split(os.pathsep) if p]


def open_ops(
    engine: Engine,
    settings: Settings,
    *,
    mapping_dirs: Sequence[Path] | None = None,
    replay_rate: float | None = 500.0,
    routing: RoutesPublished | None = None,
) -> OpsService:
    """The service on ``engine``'s database (migrated when empty, refused when behind).

    Mappings: the shipped specs plus ``mapping_dirs`` (default: ``CROSSDOCK_MAPPINGS_DIRS``,
    folders separated by the OS path separator) holding newer versions.
    """
    check_schema(engine)
    dirs = list(mapping_dirs) if mapping_dirs is not None else _mapping_dirs()
    # the shipped specs, installed packages' (a connector's own) and the configured folders
    shipped = [folder.path for folder in spec_folders()]
    catalog = MappingCatalog.from_directories(*shipped, *dirs)
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    return OpsService(
        engine, settings, catalog, replay_rate, background_tasks=not in_memory, routing=routing
    )
