"""The ``/ops`` web page: server-rendered HTML (Jinja2) with a little JavaScript.

Signing in opens a server-side session (:mod:`hub.auth.sessions`): the browser keeps its id
in an HttpOnly, SameSite=Strict cookie, never the token; the sign-in form itself carries a
CSRF value matched against a cookie of its own. The page's script sends writes to
``/ops/api`` with the session's CSRF value in the CSRF header (:mod:`hub.auth.access`). What a
page shows depends on the role: a viewer sees no replay, discard or dry-run controls (and the
API refuses them).
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hub.auth import Role
from hub.auth.access import COOKIE_NAME, CSRF_HEADER, auth_engine_of, page_session
from hub.auth.sessions import PageSession, end_session, open_session
from hub.command_hints import settings_hint
from hub.errors import DeadLetterError
from hub.ops.api import filter_params, instant_param, ops_of
from hub.ops.arrivals import hourly_arrivals, trend_chart
from hub.ops.filters import DeadLetterFilter
from hub.ops.redrive import list_redrives, task_json
from hub.ops.service import OpsService
from hub.ops.trend import sample_depth
from hub.ops.views import (
    RECONCILE_DEFAULT_SINCE,
    count_groups,
    letter_detail,
    list_letters,
    overview,
    reconcile_view,
)

__all__ = ["STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(prefix="/ops", include_in_schema=False)


#: the sign-in form's own CSRF cookie (a double submit: the form carries the same value)
LOGIN_COOKIE = "crossdock_login"
_COOKIE_FLAGS: dict[str, Any] = {"httponly": True, "samesite": "strict", "path": "/ops"}

Who = Annotated[PageSession | None, Depends(page_session)]
Ops = Annotated[OpsService, Depends(ops_of)]


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


templates.env.filters["age"] = _age


def _context(request: Request, session: PageSession, **values: Any) -> dict[str, Any]:
    who = session.principal
    return {
        "request": request,
        "who": who,
        "can_write": who.may(Role.OPERATOR),
        "csrf_header": CSRF_HEADER,
        "csrf": session.csrf,
        **values,
    }


def _sign_in() -> RedirectResponse:
    return RedirectResponse("/ops/login", status_code=303)


def _console(
    request: Request, ops: OpsService, flt: DeadLetterFilter, before: int | None, limit: int
) -> dict[str, Any]:
    """What the live parts of the console show: depth, counts, tasks and the page of letters."""
    rows = overview(ops.engine)
    total = sum(r.depth for r in rows)
    sample_depth(ops.engine, total)  # /metrics' depth history, kept while someone looks
    groups = count_groups(ops.engine, flt)
    page = list_letters(ops.engine, flt, before=before, limit=max(1, min(limit, 500)))
    query = {k: v for k, v in request.query_params.items() if k != "before" and v}
    next_url = (
        f"/ops?{urlencode({**query, 'before': page.next_cursor})}"
        if page.next_cursor is not None
        else None
    )
    return {
        "overview": rows,
        "total": total,
        "groups": groups[:20],
        "matching": sum(g.count for g in groups),
        "flt": flt,
        "filter_json": json.dumps(flt.describe()),
        "letters": page.letters,
        "next_url": next_url,
        "redrives": [task_json(t) for t in list_redrives(ops.engine, limit=5)],
        "refreshed": datetime.now(UTC).strftime("%H:%M:%S"),
    }


@router.get("", response_class=HTMLResponse)
def ops_home(
    *,
    request: Request,
    ops: Ops,
    session: Who,
    flt: Annotated[DeadLetterFilter, Depends(filter_params)],
    before: int | None = None,
    limit: int = 50,
) -> Response:
    """Overview (depth, oldest age), the week's trend, counts, tasks, and the table of letters."""
    if session is None:
        return _sign_in()
    query = {k: v for k, v in request.query_params.items() if k != "before" and v}
    return templates.TemplateResponse(
        request,
        "index.html",
        _context(
            request,
            session,
            **_console(request, ops, flt, before, limit),
            chart=trend_chart(hourly_arrivals(ops.engine)),
            # the versions a redrive may choose, per mapping (the page offers those of the
            # selected letters' one mapping)
            catalog_json=json.dumps({i: ops.catalog.versions(i) for i in ops.catalog.ids()}),
            export_url="/ops/api/dead-letters/export?" + urlencode(query),
            live_url="/ops/live?" + urlencode(request.query_params),
        ),
    )


@router.get("/live", response_class=HTMLResponse)
def ops_live(
    *,
    request: Request,
    ops: Ops,
    session: Who,
    flt: Annotated[DeadLetterFilter, Depends(filter_params)],
    before: int | None = None,
    limit: int = 50,
) -> Response:
    """The console's live parts alone, rendered as on the page: what its script polls.

    401 rather than the sign-in redirect: the script stops polling and says so.
    """
    if session is None:
        raise HTTPException(401, "signed out")
    return templates.TemplateResponse(
        request,
        "live.html",
        _context(request, session, **_console(request, ops, flt, before, limit)),
    )


@router.get("/letters/{letter_id}", response_class=HTMLResponse)
def ops_letter(request: Request, ops: Ops, session: Who, letter_id: int) -> Response:
    """One letter: bytes, parsed view, error, history; replay and discard for operators."""
    if session is None:
        return _sign_in()
    try:
        letter = letter_detail(ops.engine, letter_id)
    except DeadLetterError as exc:
        raise HTTPException(404, str(exc)) from exc
    versions = ops.catalog.versions(letter["mapping_id"]) if letter.get("mapping_id") else []
    return templates.TemplateResponse(
        request, "letter.html", _context(request, session, letter=letter, versions=versions)
    )


@router.get("/reconcile", response_class=HTMLResponse)
def ops_reconcile(
    request: Request,
    ops: Ops,
    session: Who,
    since: str | None = None,
    file: str | None = None,
) -> Response:
    """Per file: records read = distinct events confirmed + dead letters + in flight, and
    every gap by line or message (:mod:`hub.reconcile`)."""
    if session is None:
        return _sign_in()
    when = instant_param("since", since)
    balances = reconcile_view(ops.engine, ops.settings, since=when, file=file or None)
    shown_since = when or datetime.now(UTC) - RECONCILE_DEFAULT_SINCE
    return templates.TemplateResponse(
        request,
        "reconcile.html",
        _context(
            request,
            session,
            balances=balances,
            gapped=sum(not b.balanced for b in balances),
            since=since or "",
            file=file or "",
            covers=f"the file {file}" if file else f"files since {shown_since:%Y-%m-%d %H:%M} UTC",
        ),
    )


def _login_form(
    request: Request, ops: OpsService, error: str | None, status_code: int = 200
) -> Response:
    """The form with a fresh CSRF value, in its hidden field and in the login cookie."""
    # the command reaches this hub's database from any folder: copied as shown, the token it
    # prints signs in here
    hint = settings_hint("token create --role operator --name YOUR-NAME", ops.settings)
    login_csrf = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"request": request, "error": error, "token_command": hint, "login_csrf": login_csrf},
        status_code=status_code,
    )
    response.set_cookie(LOGIN_COOKIE, login_csrf, secure=_secure(request), **_COOKIE_FLAGS)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ops: Ops, error: str | None = None) -> Response:
    """The sign-in form: paste an API token."""
    return _login_form(request, ops, error)


@router.post("/login")
def login(
    request: Request,
    ops: Ops,
    token: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Sign in: a session for a live token (its id in an HttpOnly cookie, never the token).

    The form's CSRF value must match the login cookie: a page elsewhere cannot sign the
    browser in with a token of its choosing (login CSRF). A bad token shows the form again.
    """
    sent = request.cookies.get(LOGIN_COOKIE)
    if not csrf or sent is None or not hmac.compare_digest(csrf, sent):
        return _login_form(request, ops, "The form expired; sign in again.", status_code=403)
    session_id = open_session(auth_engine_of(request), token.strip())
    if session_id is None:
        return _login_form(request, ops, "Unknown or revoked token.", status_code=401)
    response = RedirectResponse("/ops", status_code=303)
    response.set_cookie(COOKIE_NAME, session_id, secure=_secure(request), **_COOKIE_FLAGS)
    response.delete_cookie(LOGIN_COOKIE, path="/ops")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session (the page's sign-out form carries its CSRF value)."""
    session = page_session(request)
    if session is not None and not session.csrf_matches(csrf):
        raise HTTPException(403, "sign-out needs the page's CSRF value")
    end_session(auth_engine_of(request), request.cookies.get(COOKIE_NAME))
    response = RedirectResponse("/ops/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/ops")
    return response
