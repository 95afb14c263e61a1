"""The ``/ops`` web page: server-rendered HTML (Jinja2) with a little JavaScript.

Signing in stores the token in an HttpOnly, SameSite=Strict cookie; the page's script sends
writes to ``/ops/api`` with the CSRF header (:mod:`hub.auth.access`). What a page shows depends
on the role: a viewer sees no replay, discard or dry-run controls (and the API refuses them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hub.auth import Principal, Role, authenticate
from hub.auth.access import COOKIE_NAME, CSRF_HEADER, auth_engine_of
from hub.command_hints import settings_hint
from hub.errors import DeadLetterError
from hub.ops.api import filter_params, ops_of
from hub.ops.filters import DeadLetterFilter
from hub.ops.service import OpsService
from hub.ops.trend import depth_trend, sample_depth
from hub.ops.views import count_groups, letter_detail, list_letters, overview

__all__ = ["STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(prefix="/ops", include_in_schema=False)


def page_principal(request: Request) -> Principal | None:
    """The signed-in principal, or None (the page then redirects to the sign-in form)."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    return authenticate(auth_engine_of(request), token)


Who = Annotated[Principal | None, Depends(page_principal)]
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


def _context(request: Request, who: Principal, **values: Any) -> dict[str, Any]:
    return {
        "request": request,
        "who": who,
        "can_write": who.may(Role.OPERATOR),
        "csrf_header": CSRF_HEADER,
        **values,
    }


def _sign_in() -> RedirectResponse:
    return RedirectResponse("/ops/login", status_code=303)


@router.get("", response_class=HTMLResponse)
def ops_home(
    *,
    request: Request,
    ops: Ops,
    who: Who,
    flt: Annotated[DeadLetterFilter, Depends(filter_params)],
    before: int | None = None,
    limit: int = 50,
) -> Response:
    """Overview (depth, oldest age, trend), counts, and the filterable table of letters."""
    if who is None:
        return _sign_in()
    rows = overview(ops.engine)
    total = sum(r.depth for r in rows)
    sample_depth(ops.engine, total)
    page = list_letters(ops.engine, flt, before=before, limit=max(1, min(limit, 500)))
    query = {k: v for k, v in request.query_params.items() if k != "before" and v}
    next_url = (
        f"/ops?{urlencode({**query, 'before': page.next_cursor})}"
        if page.next_cursor is not None
        else None
    )
    return templates.TemplateResponse(
        request,
        "index.html",
        _context(
            request,
            who,
            overview=rows,
            total=total,
            trend=depth_trend(ops.engine),
            groups=count_groups(ops.engine, flt)[:20],
            flt=flt,
            letters=page.letters,
            next_url=next_url,
            export_url="/ops/api/dead-letters/export?" + urlencode(query),
        ),
    )


@router.get("/letters/{letter_id}", response_class=HTMLResponse)
def ops_letter(request: Request, ops: Ops, who: Who, letter_id: int) -> Response:
    """One letter: bytes, parsed view, error, history; replay and discard for operators."""
    if who is None:
        return _sign_in()
    try:
        letter = letter_detail(ops.engine, letter_id)
    except DeadLetterError as exc:
        raise HTTPException(404, str(exc)) from exc
    versions = ops.catalog.versions(letter["mapping_id"]) if letter.get("mapping_id") else []
    return templates.TemplateResponse(
        request, "letter.html", _context(request, who, letter=letter, versions=versions)
    )


def _login_context(request: Request, ops: OpsService, error: str | None) -> dict[str, Any]:
    # the command reaches this hub's database from any folder: copied as shown, the token it
    # prints signs in here
    hint = settings_hint("token create --role operator --name YOUR-NAME", ops.settings)
    return {"request": request, "error": error, "token_command": hint}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ops: Ops, error: str | None = None) -> Response:
    """The sign-in form: paste an API token."""
    return templates.TemplateResponse(request, "login.html", _login_context(request, ops, error))


@router.post("/login")
def login(request: Request, ops: Ops, token: Annotated[str, Form()]) -> Response:
    """Check the token and keep it in an HttpOnly cookie; a bad token shows the form again."""
    principal = authenticate(auth_engine_of(request), token.strip())
    if principal is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            _login_context(request, ops, "Unknown or revoked token."),
            status_code=401,
        )
    response = RedirectResponse("/ops", status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        token.strip(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the sign-in cookie."""
    response = RedirectResponse("/ops/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
