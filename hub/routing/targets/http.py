"""Posting JSON over HTTP for the HTTP targets, with responses sorted into retry or reject."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from hub.routing.errors import TargetRejected, TargetUnavailable

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpSettings", "json_field", "post_json", "secret_from_env"]


class HttpSettings(BaseModel):
    """Connection settings every HTTP target shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: float = Field(10.0, gt=0)
    """Seconds to wait for connect and for the answer."""


def secret_from_env(target: str, variable: str | None) -> str | None:
    """The value of environment ``variable``; TargetRejected naming it when unset."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise TargetRejected(target, f"environment variable {variable} is not set")
    return value


def post_json(
    target: str,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
    auth: tuple[str, str] | None = None,
) -> httpx.Response:
    """POST ``content``; TargetUnavailable on network errors, 5xx and 429, TargetRejected on 4xx."""
    # imported on the first post: every routing process loads the targets' modules, most
    # (the default rules' queue targets) post nothing, and httpx with its command line's
    # extras (rich's progress bars, pygments) was about 3 MB of a routed hub and 70 ms of
    # its start-up
    import httpx

    try:
        response = httpx.post(
            url,
            content=content,
            headers={"Content-Type": "application/json", **headers},
            timeout=timeout,
            auth=auth,
        )
    except httpx.TransportError as exc:
        raise TargetUnavailable(target, f"POST {url}: {type(exc).__name__}: {exc}") from exc
    status = response.status_code
    if status == 429 or status >= 500:
        raise TargetUnavailable(target, f"POST {url}: HTTP {status}")
    if status >= 400:
        raise TargetRejected(target, f"POST {url}: HTTP {status}: {response.text[:200]}")
    return response


def json_field(response: httpx.Response, *path: str) -> Any:
    """``response.json()[path…]`` or None when the body is not JSON or lacks the path."""
    try:
        value: Any = response.json()
    except ValueError:
        return None
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value
