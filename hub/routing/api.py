"""Routing tasks and the audit trail over HTTP: list and read open to readers, ack/resolve for
operators (``Authorization: Bearer <token>`` with the operator or admin role).

Mounted on the hub's app; it uses the app's database (the registry service's engine) and its
tokens, and creates the routing tables on first use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy import Engine

from hub.registry.access import Credentials, Reader, Registry
from hub.registry.content import ERROR_RESPONSES
from hub.registry.errors import Forbidden, Unauthenticated
from hub.registry.tokens import Principal, Role, authenticate
from hub.routing import tasks
from hub.routing.audit import audit_entries
from hub.routing.errors import TaskError

__all__ = ["router"]

# errors share the hub app's one error shape (and media type), so they are documented as such
router = APIRouter(prefix="/routing", tags=["routing"], responses=ERROR_RESPONSES)


async def routing_db(registry: Registry) -> Engine:
    """The hub database (its routing tables made by the migrations, as the app was built)."""
    return registry.engine


Db = Annotated[Engine, Depends(routing_db)]
_ID_MAX = 2**31 - 1  # ids are 32-bit on every database the hub supports
TaskId = Annotated[int, Path(ge=1, le=_ID_MAX, description="task id")]


def operator(registry: Registry, credentials: Credentials) -> Principal:
    """The holder of a valid token with at least the operator role (401/403 as the registry)."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("Authentication required: send Authorization: Bearer <token>")
    principal = authenticate(registry.engine, credentials.credentials)
    if principal is None:
        raise Unauthenticated("Unknown or revoked token")
    if principal.role is None or not principal.role.includes(Role.OPERATOR):
        raise Forbidden(
            f"Token '{principal.name}' has role {principal.role}; "
            "acknowledging and resolving need operator"
        )
    return principal


Operator = Annotated[Principal, Depends(operator)]


class TaskAction(BaseModel):
    """Body of an acknowledge or resolve call."""

    note: str | None = None


@router.get("/tasks")
def list_routing_tasks(
    db: Db,
    _who: Reader,
    state: Annotated[list[str] | None, Query(description="repeatable; default unresolved")] = None,
    rule: str | None = None,
    category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Tasks newest first."""
    return tasks.list_tasks(db, states=state, rule=rule, category=category, limit=limit)


@router.get("/tasks/{task_id}")
def get_routing_task(
    task_id: TaskId,
    db: Db,
    _who: Reader,
    lines_limit: Annotated[
        int, Query(ge=1, le=10_000, description="lines in this page")
    ] = tasks.LINES_PAGE,
    lines_after: Annotated[
        int | None, Query(ge=0, le=_ID_MAX, description="the page after this line id")
    ] = None,
) -> dict[str, Any]:
    """One task with its SLA clocks, deliveries and a page of its lines (``line_count`` in
    all; ``lines_next``: the ``lines_after`` of the next page, null on the last)."""
    try:
        return tasks.task_detail(db, task_id, lines_limit=lines_limit, lines_after=lines_after)
    except TaskError as exc:
        raise HTTPException(404, str(exc)) from exc


def _move(
    action: str, task_id: int, db: Engine, who: Principal, body: TaskAction
) -> dict[str, Any]:
    move = tasks.acknowledge if action == "ack" else tasks.resolve
    try:
        move(db, task_id, actor=who.name, now=datetime.now(UTC), note=body.note)
    except TaskError as exc:
        status = 404 if "no routing task" in str(exc) else 409
        raise HTTPException(status, str(exc)) from exc
    return tasks.task_detail(db, task_id)


@router.post("/tasks/{task_id}/ack")
def acknowledge_routing_task(
    task_id: TaskId, db: Db, who: Operator, body: TaskAction | None = None
) -> dict[str, Any]:
    """Acknowledge: escalation and response SLAs stop; the audit names the token holder."""
    return _move("ack", task_id, db, who, body or TaskAction())


@router.post("/tasks/{task_id}/resolve")
def resolve_routing_task(
    task_id: TaskId, db: Db, who: Operator, body: TaskAction | None = None
) -> dict[str, Any]:
    """Resolve: every clock stops; a later exception of the group opens a new task."""
    return _move("resolve", task_id, db, who, body or TaskAction())


@router.get("/audit")
def routing_audit(
    db: Db,
    _who: Reader,
    *,
    task_id: Annotated[int | None, Query(ge=1, le=_ID_MAX)] = None,
    rule: str | None = None,
    action: str | None = None,
    event_id: str | None = None,
    after_id: Annotated[int, Query(ge=0, le=_ID_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Audit entries in order (``after_id`` is the cursor)."""
    return audit_entries(
        db,
        task_id=task_id,
        rule=rule,
        action=action,
        event_id=event_id,
        after_id=after_id,
        limit=limit,
    )
