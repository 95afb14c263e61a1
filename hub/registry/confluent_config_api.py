"""Confluent's "Config (v1)" and "Modes (v1)" routes: compatibility levels and modes.

GET answers ``{"compatibilityLevel": ...}``, PUT echoes the request as sent (``{"compatibility":
"full"}`` stays lower-case; stored and read back upper-case) and DELETE answers the level it
removed, as Confluent does; a subject without a level (or mode) of its own answers 40408
(40409) to GET and 40401 to DELETE.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub.registry.access import Admin, Reader, Registry
from hub.registry.content import ERROR_RESPONSES, RegistryJSONResponse
from hub.registry.subject_paths import register_subject_convertor
from hub.registry.wire import ConfigBody, ConfigUpdate, ModeBody, ModeUpdate

__all__ = ["router"]

register_subject_convertor()

router = APIRouter(
    default_response_class=RegistryJSONResponse,
    responses=ERROR_RESPONSES,
    tags=["schema registry (Confluent API)"],
)

Fallback = Annotated[
    bool, Query(alias="defaultToGlobal", description="answer the global value when unset")
]
Force = Annotated[
    bool,
    Query(alias="force", description="enter IMPORT even though subjects hold live versions"),
]


@router.get("/config", response_model=ConfigBody, response_model_exclude_none=True)
def get_global_config(registry: Registry, _who: Reader) -> ConfigBody:
    """Get global compatibility level (BACKWARD unless set)."""
    return ConfigBody(compatibilityLevel=registry.store.config.compatibility())


@router.put("/config", response_model=ConfigBody, response_model_exclude_none=True)
def put_global_config(body: ConfigUpdate, registry: Registry, who: Admin) -> ConfigBody:
    """Update global compatibility level (any case); answers the request as sent."""
    registry.store.config.set_compatibility(None, body.compatibility, actor=who.actor)
    return ConfigBody(compatibility=body.compatibility)


@router.delete("/config", response_model=ConfigBody, response_model_exclude_none=True)
def delete_global_config(registry: Registry, who: Admin) -> ConfigBody:
    """Delete global compatibility level: back to BACKWARD; answers the level it had."""
    old = registry.store.config.delete_compatibility(None, actor=who.actor)
    return ConfigBody(compatibilityLevel=old)


@router.get(
    "/config/{subject:subject}", response_model=ConfigBody, response_model_exclude_none=True
)
def get_subject_config(
    subject: str, registry: Registry, _who: Reader, fallback: Fallback = False
) -> ConfigBody:
    """Get compatibility level for a subject (40408 when unset, unless ``defaultToGlobal``)."""
    level = registry.store.config.compatibility(subject, fallback=fallback)
    return ConfigBody(compatibilityLevel=level)


@router.put(
    "/config/{subject:subject}", response_model=ConfigBody, response_model_exclude_none=True
)
def put_subject_config(
    subject: str, body: ConfigUpdate, registry: Registry, who: Admin
) -> ConfigBody:
    """Update compatibility level for the specified subject (which need not exist yet);
    answers the request as sent."""
    registry.store.config.set_compatibility(subject, body.compatibility, actor=who.actor)
    return ConfigBody(compatibility=body.compatibility)


@router.delete(
    "/config/{subject:subject}", response_model=ConfigBody, response_model_exclude_none=True
)
def delete_subject_config(subject: str, registry: Registry, who: Admin) -> ConfigBody:
    """Delete subject compatibility level: the global one applies again; answers the old one."""
    old = registry.store.config.delete_compatibility(subject, actor=who.actor)
    return ConfigBody(compatibilityLevel=old)


@router.get("/mode", response_model=ModeBody)
def get_global_mode(registry: Registry, _who: Reader) -> ModeBody:
    """Get global mode (READWRITE unless set)."""
    return ModeBody(mode=registry.store.config.mode())


@router.put("/mode", response_model=ModeBody)
def put_global_mode(
    body: ModeUpdate, registry: Registry, who: Admin, force: Force = False
) -> ModeBody:
    """Update global mode: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT.

    IMPORT needs a registry without live versions unless ``force`` (42205 otherwise).
    """
    mode = registry.store.config.set_mode(None, body.mode, actor=who.actor, force=force)
    return ModeBody(mode=body.mode or mode)


@router.delete("/mode", response_model=ModeBody)
def delete_global_mode(registry: Registry, who: Admin) -> ModeBody:
    """Delete global mode: back to READWRITE; answers the mode it had."""
    return ModeBody(mode=registry.store.config.delete_mode(None, actor=who.actor))


@router.get("/mode/{subject:subject}", response_model=ModeBody)
def get_subject_mode(
    subject: str, registry: Registry, _who: Reader, fallback: Fallback = False
) -> ModeBody:
    """Get mode for a subject (40409 when unset, unless ``defaultToGlobal=true``)."""
    return ModeBody(mode=registry.store.config.mode(subject, fallback=fallback))


@router.put("/mode/{subject:subject}", response_model=ModeBody)
def put_subject_mode(
    subject: str, body: ModeUpdate, registry: Registry, who: Admin, force: Force = False
) -> ModeBody:
    """Update mode for the specified subject (IMPORT: only while it holds no live version,
    unless ``force``)."""
    mode = registry.store.config.set_mode(subject, body.mode, actor=who.actor, force=force)
    return ModeBody(mode=body.mode or mode)


@router.delete("/mode/{subject:subject}", response_model=ModeBody)
def delete_subject_mode(subject: str, registry: Registry, who: Admin) -> ModeBody:
    """Delete subject mode: the global one applies again; answers the mode it had."""
    return ModeBody(mode=registry.store.config.delete_mode(subject, actor=who.actor))
