"""The dead-letter API under ``/ops/api``: reads for viewers, changes for operators.

Every route names its role with a :class:`hub.auth.access.RoleRequirement`; the tests walk
the app's routes and prove each write refuses a missing token (401) and a too-low one (403).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from hub.auth import Principal, Role, audit_log
from hub.auth.access import RoleRequirement
from hub.errors import DeadLetterError
from hub.ops.filters import DeadLetterFilter
from hub.ops.redrive import RedriveConflict, get_redrive, list_redrives, task_json
from hub.ops.service import AUDIT_SUBJECT, OpsService
from hub.ops.views import (
    count_groups,
    export_lines,
    letter_detail,
    list_letters,
    mapping_counts,
    overview,
    reconcile_view,
)
from hub.registry.content import REGISTRY_MEDIA_TYPE
from hub.registry.wire import ErrorBody

__all__ = ["Operator", "Viewer", "instant_param", "ops_of", "router"]

_ERROR_CONTENT = {REGISTRY_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}

# Errors come in the app's one error shape ({error_code, message}, see hub.registry.content).
router = APIRouter(
    prefix="/ops/api",
    tags=["dead letters"],
    responses={
        status: {"model": ErrorBody, "description": description, "content": _ERROR_CONTENT}
        for status, description in {
            400: "malformed request body",
            401: "no, unknown or revoked token",
            403: "the token's role is too low, or a cookie write without the CSRF header",
            404: "no such dead letter or redrive task",
            409: "the letter is not open, or a redrive of the same filter is running",
            422: "invalid request",
        }.items()
    },
)

Viewer = Annotated[Principal, Depends(RoleRequirement(Role.VIEWER))]
Operator = Annotated[Principal, Depends(RoleRequirement(Role.OPERATOR))]


def ops_of(request: Request) -> OpsService:
    """The ops service the app was created with."""
    service: OpsService = request.app.state.ops
    return service


Ops = Annotated[OpsService, Depends(ops_of)]

_MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
LetterId = Annotated[int, Path(ge=1, le=_MAX_ID, description="dead letter id")]
TaskId = Annotated[int, Path(ge=1, le=_MAX_ID, description="redrive task id")]
Id = Annotated[int, Field(ge=1, le=_MAX_ID)]
Version = Annotated[int, Field(ge=1, le=_MAX_ID)]


def filter_params(
    *,
    status: Annotated[str, Query(pattern="^(open|replayed|discarded|all)$")] = "open",
    connector: str | None = None,
    stage: str | None = None,
    error_class: str | None = None,
    event_type: str | None = None,
    since: Annotated[str | None, Query(description="ISO 8601; no offset means UTC")] = None,
    until: Annotated[str | None, Query(description="ISO 8601; no offset means UTC")] = None,
    text: Annotated[str | None, Query(max_length=200, description="text in the reason")] = None,
) -> DeadLetterFilter:
    """The filter from query parameters (empty ones do not filter, as an HTML form sends them)."""
    return DeadLetterFilter(
        status=status,
        connector=connector or None,
        stage=stage or None,
        error_class=error_class or None,
        event_type=event_type or None,
        since=instant_param("since", since),
        until=instant_param("until", until),
        text=text or None,
    )


def instant_param(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 time from a query parameter; a time without an offset is UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(422, f"{name}: not an ISO 8601 time: {value!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


Filter = Annotated[DeadLetterFilter, Depends(filter_params)]


def _refusal(exc: DeadLetterError) -> HTTPException:
    status = 404 if str(exc).startswith("no dead letter") else 409
    return HTTPException(status, str(exc))


# -- reads ----------------------------------------------------------------------------------
@router.get("/whoami")
def whoami(who: Viewer) -> dict[str, Any]:
    """The caller's token name and role."""
    return {"name": who.name, "role": who.role}


@router.get("/dead-letters")
def list_dead_letters(
    ops: Ops,
    _who: Viewer,
    flt: Filter,
    before: Annotated[
        int | None, Query(ge=1, le=_MAX_ID, description="cursor: the next_cursor of a page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """A page of letters, newest first; follow ``next_cursor`` with ``before``."""
    page = list_letters(ops.engine, flt, before=before, limit=limit)
    return {"letters": page.letters, "next_cursor": page.next_cursor}


@router.get("/dead-letters/counts")
def count_dead_letters(ops: Ops, _who: Viewer, flt: Filter) -> dict[str, Any]:
    """Counts grouped by connector × stage × error class."""
    groups = count_groups(ops.engine, flt)
    return {
        "total": sum(g.count for g in groups),
        "groups": [
            {
                "connector": g.connector,
                "stage": g.stage,
                "error_class": g.error_class,
                "count": g.count,
            }
            for g in groups
        ],
    }


@router.get("/dead-letters/mapping-versions")
def dead_letter_mapping_versions(ops: Ops, _who: Viewer, flt: Filter) -> dict[str, Any]:
    """The mappings the matching letters failed with (version and count of each), and the
    versions of those mappings a replay or redrive may go through (``mapping_version``)."""
    found = mapping_counts(ops.engine, flt)
    mappings: dict[str, dict[str, Any]] = {}
    for c in found:
        if c.mapping_id is None:
            continue
        entry = mappings.setdefault(
            c.mapping_id,
            {
                "mapping_id": c.mapping_id,
                "failed_with": {},
                "versions": ops.catalog.versions(c.mapping_id),
            },
        )
        entry["failed_with"][str(c.mapping_version)] = c.count
    return {
        "mappings": list(mappings.values()),
        "without_mapping": sum(c.count for c in found if c.mapping_id is None),
    }


@router.get("/overview")
def ops_overview(ops: Ops, _who: Viewer) -> dict[str, Any]:
    """Open letters per connector and stage: depth and the oldest one's age."""
    rows = overview(ops.engine)
    return {
        "total": sum(r.depth for r in rows),
        "rows": [
            {
                "connector": r.connector,
                "stage": r.stage,
                "depth": r.depth,
                "oldest_at": r.oldest_at.isoformat() if r.oldest_at else None,
                "oldest_age_seconds": r.oldest_age_seconds,
            }
            for r in rows
        ],
    }


@router.get(
    "/dead-letters/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "one JSON object per line",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
def export_dead_letters(ops: Ops, _who: Viewer, flt: Filter) -> StreamingResponse:
    """The matching letters as JSON Lines, oldest first, original bytes included."""
    return StreamingResponse(
        export_lines(ops.engine, flt),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="dead-letters.jsonl"'},
    )


@router.get("/reconcile", tags=["reconcile"])
def reconcile_files(
    ops: Ops,
    _who: Viewer,
    since: Annotated[
        str | None,
        Query(description="ISO 8601 (no offset means UTC); default: the last 24 hours"),
    ] = None,
    file: Annotated[
        str | None,
        Query(max_length=255, description="one file's name (in the inbox, done/ or failed/)"),
    ] = None,
) -> dict[str, Any]:
    """Per file: records read = distinct events confirmed + dead letters + in flight, with
    every gap by line or message (``crossdock reconcile``, :mod:`hub.reconcile`)."""
    balances = reconcile_view(
        ops.engine, ops.settings, since=instant_param("since", since), file=file or None
    )
    return {
        "balanced": all(b.balanced for b in balances),
        "files": [b.as_json() for b in balances],
    }


@router.get("/dead-letters/{letter_id}")
def get_dead_letter(ops: Ops, _who: Viewer, letter_id: LetterId) -> dict[str, Any]:
    """One letter: original bytes (text and hex), parsed view, error, attempts, history."""
    try:
        detail = letter_detail(ops.engine, letter_id)
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    if detail.get("mapping_id"):
        detail["mapping_versions"] = ops.catalog.versions(detail["mapping_id"])
    return detail


@router.get("/mappings")
def mapping_versions(ops: Ops, _who: Viewer) -> dict[str, list[int]]:
    """Every mapping spec id and its versions a replay may go through."""
    return {spec_id: ops.catalog.versions(spec_id) for spec_id in ops.catalog.ids()}


@router.get("/audit")
def ops_audit(
    ops: Ops, _who: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """The newest operator actions on dead letters."""
    return [
        {"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "detail": r.detail}
        for r in audit_log(ops.engine, subject=AUDIT_SUBJECT, limit=limit)
    ]


@router.get("/redrives")
def redrives(ops: Ops, _who: Viewer) -> list[dict[str, Any]]:
    """Redrive tasks, newest first."""
    return [task_json(t) for t in list_redrives(ops.engine)]


@router.get("/redrives/{task_id}")
def redrive_status(ops: Ops, _who: Viewer, task_id: TaskId) -> dict[str, Any]:
    """One redrive task's progress (moved / to move) and state."""
    try:
        return task_json(get_redrive(ops.engine, task_id))
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


# -- writes ---------------------------------------------------------------------------------
class FilterBody(BaseModel):
    """A filter in a request body (same fields as the list's query parameters)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "replayed", "discarded", "all"] = "open"
    connector: str | None = None
    stage: str | None = None
    error_class: str | None = None
    event_type: str | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    text: str | None = Field(None, max_length=200)
    #: only these letters (the page's selection); never empty: an empty list would mean all
    ids: list[Id] | None = Field(None, min_length=1, max_length=10_000)

    def to_filter(self) -> DeadLetterFilter:
        """As the shared filter type."""
        return DeadLetterFilter.model_validate(
            {k: (v or None) if k != "status" else v for k, v in self.model_dump().items()}
        )


class ReplayBody(BaseModel):
    """Replay letters by ids (now) or by filter (as a redrive task)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Id] | None = Field(None, max_length=1000)
    filter: FilterBody | None = None
    mapping_version: Version | None = None
    rate: float | None = Field(None, gt=0, le=100_000, description="letters per second at most")

    @model_validator(mode="after")
    def _one_selection(self) -> ReplayBody:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give either ids or filter")
        return self


class OneReplayBody(BaseModel):
    """Replay one letter, through its mapping's version or a chosen one."""

    model_config = ConfigDict(extra="forbid")

    mapping_version: Version | None = None


class DryRunBody(BaseModel):
    """A replay that publishes nothing: the event it would make, and the diff."""

    model_config = ConfigDict(extra="forbid")

    mapping_version: Version | None = None
    payload_text: str | None = None


class EditBody(BaseModel):
    """Corrected bytes for one letter, as text or base64."""

    model_config = ConfigDict(extra="forbid")

    payload_text: str | None = None
    payload_base64: str | None = None
    mapping_version: Version | None = None

    def payload(self) -> bytes:
        """The corrected bytes."""
        if (self.payload_text is None) == (self.payload_base64 is None):
            raise HTTPException(422, "give either payload_text or payload_base64")
        if self.payload_text is not None:
            return self.payload_text.encode()
        try:
            return base64.b64decode(self.payload_base64 or "", validate=True)
        except (binascii.Error, ValueError) as exc:  # bad padding or non-ASCII text
            raise HTTPException(422, f"payload_base64: {exc}") from exc


class DiscardBody(BaseModel):
    """Discard letters (kept, marked) by ids or filter, with a reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    ids: list[Id] | None = Field(None, max_length=1000)
    filter: FilterBody | None = None


class OneDiscardBody(BaseModel):
    """Discard one letter with a reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class RedriveBody(BaseModel):
    """Start a bulk redrive of the open letters matching a filter."""

    model_config = ConfigDict(extra="forbid")

    filter: FilterBody = Field(default_factory=FilterBody)
    rate: float | None = Field(None, gt=0, le=100_000)
    mapping_version: Version | None = None


@router.post("/dead-letters/replay")
def replay_many(ops: Ops, who: Operator, body: ReplayBody) -> dict[str, Any]:
    """Replay letters: by ids now (rate-capped), or by filter as a redrive task."""
    if body.filter is not None:
        return _start(ops, who, body.filter.to_filter(), body.rate, body.mapping_version)
    try:
        outcome = ops.replay(
            body.ids or [], actor=who.actor, mapping_version=body.mapping_version, rate=body.rate
        )
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    return outcome.as_json()


@router.post("/dead-letters/{letter_id}/replay")
def replay_one(ops: Ops, who: Operator, letter_id: LetterId, body: OneReplayBody) -> dict[str, Any]:
    """Replay one letter now."""
    try:
        outcome = ops.replay([letter_id], actor=who.actor, mapping_version=body.mapping_version)
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    if letter_id in outcome.skipped:
        raise HTTPException(409, f"dead letter {letter_id} {outcome.skipped[letter_id]}")
    return outcome.as_json()


@router.post("/dead-letters/{letter_id}/dry-run")
def dry_run_one(ops: Ops, _who: Operator, letter_id: LetterId, body: DryRunBody) -> dict[str, Any]:
    """What a replay through a mapping version would do: the verdict (``summary``), what
    changed from the letter's last attempt (``change``, ``diff``); nothing is written."""
    payload = body.payload_text.encode() if body.payload_text is not None else None
    try:
        result = ops.dry_run(letter_id, mapping_version=body.mapping_version, payload=payload)
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    return result.as_json()


@router.post("/dead-letters/{letter_id}/edit-and-replay")
def edit_and_replay(ops: Ops, who: Operator, letter_id: LetterId, body: EditBody) -> dict[str, Any]:
    """Replay one letter with corrected bytes (audited); the original bytes are kept."""
    try:
        outcome = ops.edit_and_replay(
            letter_id, body.payload(), actor=who.actor, mapping_version=body.mapping_version
        )
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    return outcome.as_json()


@router.post("/dead-letters/{letter_id}/discard")
def discard_one(
    ops: Ops, who: Operator, letter_id: LetterId, body: OneDiscardBody
) -> dict[str, Any]:
    """Discard one letter with a reason (it is kept, marked discarded)."""
    try:
        count = ops.discard(actor=who.actor, reason=body.reason, ids=[letter_id])
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    return {"discarded": count}


@router.post("/dead-letters/discard")
def discard_many(ops: Ops, who: Operator, body: DiscardBody) -> dict[str, Any]:
    """Discard letters by ids or filter, with a reason."""
    flt = body.filter.to_filter() if body.filter is not None else None
    try:
        count = ops.discard(actor=who.actor, reason=body.reason, ids=body.ids, flt=flt)
    except DeadLetterError as exc:
        raise _refusal(exc) from exc
    return {"discarded": count}


@router.post("/redrives", status_code=202)
def start_redrive(ops: Ops, who: Operator, body: RedriveBody) -> dict[str, Any]:
    """Start a bulk redrive task; one per filter at a time (409 otherwise)."""
    return _start(ops, who, body.filter.to_filter(), body.rate, body.mapping_version)


@router.post("/redrives/{task_id}/cancel")
def cancel_redrive(ops: Ops, who: Operator, task_id: TaskId) -> dict[str, Any]:
    """Stop a redrive after its current batch; what moved stays moved, the rest stays open."""
    try:
        return task_json(ops.cancel_redrive(task_id, actor=who.actor))
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


def _start(
    ops: OpsService,
    who: Principal,
    flt: DeadLetterFilter,
    rate: float | None,
    mapping_version: int | None,
) -> dict[str, Any]:
    try:
        task = ops.start_redrive(flt, actor=who.actor, rate=rate, mapping_version=mapping_version)
    except RedriveConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    return task_json(task)
