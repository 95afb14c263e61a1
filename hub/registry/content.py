"""Confluent's media type, and the error bodies clients parse (``error_code``, ``message``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.registry.errors import RegistryError
from hub.registry.wire import ErrorBody

__all__ = [
    "CONFLUENT_PREFIXES",
    "ERROR_RESPONSES",
    "REGISTRY_MEDIA_TYPE",
    "RegistryJSONResponse",
    "install_error_handlers",
    "is_confluent_path",
]

REGISTRY_MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"

CONFLUENT_PREFIXES = (
    "/subjects",
    "/schemas",
    "/config",
    "/mode",
    "/compatibility",
    "/contexts",
    "/v1/metadata",
    "/associations",
)
"""The paths of Confluent's API (with the root): what answers as Confluent's web layer does."""


def is_confluent_path(path: str) -> bool:
    """Whether ``path`` is one of Confluent's routes (not the hub's own)."""
    return path in ("", "/") or any(
        path == p or path.startswith(p + "/") for p in CONFLUENT_PREFIXES
    )


class RegistryJSONResponse(JSONResponse):
    """JSON with Confluent's media type (a client asking for plain JSON still parses it)."""

    media_type = REGISTRY_MEDIA_TYPE


_ERROR_CONTENT = {REGISTRY_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description, "content": _ERROR_CONTENT}
    for status, description in {
        400: "malformed request",
        401: "no or unknown token (40101)",
        403: "the token's role is too low (40301)",
        404: "subject 40401, version 40402, schema 40403, soft-delete order 40404-40407, "
        "no subject-level level/mode 40408/40409",
        406: "no acceptable media type in Accept (406)",
        409: "incompatible schema (40901)",
        415: "unsupported request body type (415)",
        422: "invalid schema 42201, version 42202, level 42203, mode 42204, read-only 42205, "
        "still referenced 42206, invalid subject 42208",
    }.items()
}


_CONVERSION = ("_parsing", "_type")
"""pydantic's error types for a value that does not convert (``int_parsing``, ``bool_type``)."""


def _error(status: int, code: int, message: str) -> RegistryJSONResponse:
    return RegistryJSONResponse({"error_code": code, "message": message}, status_code=status)


async def _registry_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    return _error(exc.status, exc.error_code, exc.message)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        problems.append(f"{where}: {e.get('msg')}")
    malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
    if malformed:
        return _error(400, 400, "Malformed JSON: " + "; ".join(problems))
    if is_confluent_path(request.url.path):
        # As Confluent's web layer answers: a body of the wrong shape is Jackson's mapping
        # error (400), a path or query parameter that does not convert is JAX-RS's 404.
        # Other refusals (e.g. the hub's NUL guard) stay 422.
        if any(e.get("loc", ("",))[0] == "body" for e in exc.errors()):
            return _error(400, 400, "Unprocessable request body: " + "; ".join(problems))
        if all(str(e.get("type", "")).endswith(_CONVERSION) for e in exc.errors()):
            return _error(404, 404, "HTTP 404 Not Found")
    return _error(422, 422, "Unprocessable request: " + "; ".join(problems))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = _error(exc.status_code, exc.status_code, f"HTTP {exc.status_code} {exc.detail}")
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in Confluent's shape, so registry clients can read it."""
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
