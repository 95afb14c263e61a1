"""schemathesis against /openapi.json: no server errors, every response matches its schema."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from hub.api import create_app
from hub.config import Settings
from hub.registry.settings import RegistrySettings
from tests.registry.conftest import ADMIN, ADMIN_TOKEN


def _fuzzed_app() -> FastAPI:
    # One in-memory database shared by every thread (StaticPool): fuzzed writes meet data
    # registered by earlier ones, and nothing is left on disk.
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    return create_app(
        Settings(),
        registry_settings=RegistrySettings(admin_token=ADMIN_TOKEN),
        engine=engine,
    )


# Loaded at import: schemathesis generates one test per operation at collection time.
schema = schemathesis.openapi.from_asgi("/openapi.json", _fuzzed_app())


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    # With the admin token, so the writes are exercised past the auth check.
    case.call_and_validate(
        headers=ADMIN,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
